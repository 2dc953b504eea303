"""Task service (Camunda ``TaskService`` + the task half of ``FormService``): queries, claiming,
assignment, delegation, completion, BPMN errors and escalations, task variables, identity links.

Every method that changes something is one command (one transaction) that loads the task,
checks the acting user's permission and runs the engine's command for it (``engine.user_tasks``,
where Camunda's rules live). Every change sets ``last_updated`` (Camunda 7.21+ ``lastUpdated``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cadenza.engine import user_tasks
from cadenza.engine.state import (
    DelegationState,
    Execution,
    IdentityLink,
    IdentityLinkType,
    InstanceGraph,
    UserTask,
    VariableInstance,
)
from cadenza.engine.user_tasks import DELEGATED_TASK_CANNOT_BE_COMPLETED, TaskAlreadyClaimedError, TaskUpdate
from cadenza.engine.variables import visible_variables
from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.expr.values import TypedValue
from cadenza.services.authorization import ReadAccess, check_task, restriction
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, tasks as store_tasks
from cadenza.store.queries import Page, TaskQuery
from cadenza.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "DELEGATED_TASK_CANNOT_BE_COMPLETED",
    "DelegationState",
    "TaskAlreadyClaimedError",
    "TaskService",
    "TaskUpdate",
]

_MAX_ID_LENGTH = 255
"""user/group ids, names: the width of their columns"""
_MAX_PRIORITY = 2**31 - 1
_LINK_TYPES = frozenset(t.value for t in IdentityLinkType)


def _missing(task_id: str) -> NotFoundError:
    # Camunda: EnsureUtil's NullValueException (a 500 or, untranslated, a 400 there); a missing
    # task is the client's mistake, so 404 with Camunda's text
    return NotFoundError(
        f"Cannot find task with id {task_id}: task is null", camunda_type="NullValueException", code=0
    )


def _check_text(value: str | None, what: str) -> None:
    if value is not None and len(value) > _MAX_ID_LENGTH:
        raise BadUserRequestError(f"{what} is longer than {_MAX_ID_LENGTH} characters")


def _required(value: str | None, what: str) -> str:
    """Camunda's ``ensureNotNull``/``ensureNotEmpty`` for codes: 'x is null' / 'x is empty'."""
    if value is None:
        raise BadUserRequestError(f"{what} is null", camunda_type="NullValueException")
    if not value.strip():
        raise BadUserRequestError(f"{what} is empty")
    return value


class TaskService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    # ── queries ─────────────────────────────────────────────────────────────────────────────
    def query(
        self, query: TaskQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[UserTask]:
        """Tasks matching ``query`` that the acting user may read (READ on the task or
        READ_TASK on its process definition, and one of its tenants)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "task")
            return store_tasks.query_tasks(connection, query, page or Page(), visible)

    def count(self, query: TaskQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "task")
            return store_tasks.count_tasks(connection, query, visible)

    def get(self, task_id: str, *, user_id: str | None = None) -> UserTask:
        """Raises: NotFoundError ``No matching task with id X`` (``GET /task/{id}``'s text),
        also for a task the acting user may not read (Camunda's query finds nothing)."""
        found = self.query(TaskQuery(task_id=task_id), Page(0, 1), user_id=user_id)
        if not found:
            raise NotFoundError(f"No matching task with id {task_id}")
        return found[0]

    # ── helpers ─────────────────────────────────────────────────────────────────────────────
    @staticmethod
    def _load(ctx: ServiceContext, task_id: str) -> tuple[InstanceGraph, UserTask, Execution]:
        found = store_tasks.find_task(ctx.sql.connection, task_id)
        if found is None:
            raise _missing(task_id)
        graph = ctx.graph(found.process_instance_id)
        task = graph.user_tasks.get(task_id)
        if task is None:
            raise _missing(task_id)
        return graph, task, graph.executions[task.execution_id]

    def _read(self, task_id: str, user_id: str | None = None) -> tuple[InstanceGraph, UserTask, Execution]:
        """A consistent snapshot of the task's instance, outside any write transaction;
        AuthorizationError without READ on the task (or READ_TASK on its definition)."""
        with self._store.read() as connection:
            check_task(ReadAccess(connection, self._runner, user_id), task_id, "read")
            found = store_tasks.find_task(connection, task_id)
            graph = None if found is None else SqlUnitOfWork(connection).load_graph(found.process_instance_id)
        if found is None or graph is None or task_id not in graph.user_tasks:
            raise _missing(task_id)
        task = graph.user_tasks[task_id]
        return graph, task, graph.executions[task.execution_id]

    def _change(
        self, task_id: str, change: Callable[[ServiceContext, UserTask], None], action: str = "update"
    ) -> None:
        """Run ``change`` on the task in one command and stamp ``last_updated``; ``action``
        names the permission needed (``services.authorization.check_task``)."""

        def command(ctx: ServiceContext) -> None:
            check_task(ctx, task_id, action)
            _, task, _ = self._load(ctx, task_id)
            change(ctx, task)
            task.last_updated = ctx.now()

        self._runner.run(command)

    # ── assignment ──────────────────────────────────────────────────────────────────────────
    def claim(self, task_id: str, user_id: str | None) -> None:
        """Take the task. Claiming a task the same user already has is a no-op; a ``None`` user
        unclaims, as in Camunda.

        Raises:
            NotFoundError: no such task.
            TaskAlreadyClaimedError: somebody else has it.
            BadUserRequestError: the task is suspended.
        """
        _check_text(user_id, "userId")

        self._change(task_id, lambda ctx, task: user_tasks.claim(ctx, task, user_id), "work")

    def unclaim(self, task_id: str) -> None:
        self.set_assignee(task_id, None)

    def set_assignee(self, task_id: str, user_id: str | None) -> None:
        """Assign the task to ``user_id`` (``None``: nobody), whoever had it before."""
        _check_text(user_id, "userId")

        self._change(task_id, lambda ctx, task: user_tasks.set_assignee(ctx, task, user_id), "assign")

    def set_owner(self, task_id: str, user_id: str | None) -> None:
        _check_text(user_id, "userId")

        self._change(task_id, lambda ctx, task: user_tasks.set_owner(ctx, task, user_id), "assign")

    def delegate(self, task_id: str, user_id: str) -> None:
        """Hand the task to ``user_id`` for help: state ``PENDING``; the current assignee
        becomes the owner unless the task already has one."""
        if not user_id:
            raise BadUserRequestError("userId is null", camunda_type="NullValueException")
        _check_text(user_id, "userId")

        self._change(task_id, lambda ctx, task: user_tasks.delegate(ctx, task, user_id), "assign")

    def resolve(self, task_id: str, variables: Mapping[str, TypedValue] | None = None) -> None:
        """The delegate is done: state ``RESOLVED``, the task goes back to its owner. Variables
        are set from the task scope (non-local: a task-local variable is updated in place)."""

        def change(ctx: ServiceContext, task: UserTask) -> None:
            user_tasks.resolve(ctx, ctx.graph(task.process_instance_id), task, variables or {})

        self._change(task_id, change, "work")

    # ── completion ──────────────────────────────────────────────────────────────────────────
    def complete(
        self,
        task_id: str,
        variables: Mapping[str, TypedValue] | None = None,
        *,
        with_variables_in_return: bool = False,
        user_id: str | None = None,
    ) -> dict[str, TypedValue] | None:
        """Complete a user task: its variables are set on the task's execution (non-local),
        then the process continues in the same transaction.

        Returns:
            With ``with_variables_in_return``, the variables visible from the task's execution
            after the process moved on; else None.

        Raises:
            NotFoundError: no such task.
            BadUserRequestError: the task is suspended, or delegated and not yet resolved.
        """

        def command(ctx: ServiceContext) -> dict[str, TypedValue] | None:
            check_task(ctx, task_id, "work")
            graph, task, execution = self._load(ctx, task_id)
            instance_variables = _instance_variables(graph, execution)
            user_tasks.complete(ctx, graph, task, variables or {})
            return _finished(ctx, graph, execution, instance_variables, with_variables_in_return)

        return self._runner.run(command, user_id=user_id)

    def submit_form(
        self,
        task_id: str,
        variables: Mapping[str, TypedValue] | None = None,
        *,
        with_variables_in_return: bool = False,
        user_id: str | None = None,
    ) -> dict[str, TypedValue] | None:
        """Camunda ``FormService.submitTaskForm``: the values are set from the task scope
        (non-local), then a delegated task is resolved and any other task completed."""

        def command(ctx: ServiceContext) -> dict[str, TypedValue] | None:
            check_task(ctx, task_id, "work")
            graph, task, execution = self._load(ctx, task_id)
            instance_variables = _instance_variables(graph, execution)
            if user_tasks.submit_form(ctx, graph, task, variables or {}):
                return _finished(ctx, graph, execution, instance_variables, with_variables_in_return)
            task.last_updated = ctx.now()  # resolved, not completed
            if not with_variables_in_return:
                return None
            return {n: v.value for n, v in visible_variables(graph, execution, task).items()}

        return self._runner.run(command, user_id=user_id)

    # ── BPMN errors and escalations ─────────────────────────────────────────────────────────
    def handle_bpmn_error(
        self,
        task_id: str,
        error_code: str | None,
        error_message: str | None = None,
        variables: Mapping[str, TypedValue] | None = None,
        *,
        user_id: str | None = None,
    ) -> None:
        """Throw a BPMN error from the task's activity: the variables are set on the task's
        execution (non-local) first, then the nearest matching error handler takes over and
        the user task is cancelled with its activity (§3.1; no handler: none-end semantics).

        Raises:
            BadUserRequestError: ``errorCode is null`` / ``errorCode is empty``; task suspended.
            NotFoundError: no such task.
        """
        code = _required(error_code, "errorCode")

        def command(ctx: ServiceContext) -> None:
            check_task(ctx, task_id, "work")
            graph, task, _ = self._load(ctx, task_id)
            user_tasks.handle_bpmn_error(ctx, graph, task, code, error_message, variables or {})

        self._runner.run(command, user_id=user_id)

    def handle_escalation(
        self,
        task_id: str,
        escalation_code: str | None,
        variables: Mapping[str, TypedValue] | None = None,
        *,
        user_id: str | None = None,
    ) -> None:
        """Throw a BPMN escalation from the task's activity (variables first, as for errors).
        Without a matching handler the engine refuses (Camunda ENGINE-02043, a 500)."""
        code = _required(escalation_code, "escalationCode")

        def command(ctx: ServiceContext) -> None:
            check_task(ctx, task_id, "work")
            graph, task, _ = self._load(ctx, task_id)
            task.last_updated = ctx.now()
            user_tasks.escalate(ctx, graph, task, code, variables or {})

        self._runner.run(command, user_id=user_id)

    # ── variables ───────────────────────────────────────────────────────────────────────────
    def get_variables(
        self, task_id: str, *, local: bool = False, user_id: str | None = None
    ) -> dict[str, TypedValue]:
        """Task-local variables in front of the execution chain's; ``local``: task-local only."""
        graph, task, execution = self._read(task_id, user_id)
        found = graph.task_variables.get(task.id, {}) if local else visible_variables(graph, execution, task)
        return {name: var.value for name, var in sorted(found.items())}

    def get_variable(
        self, task_id: str, name: str, *, local: bool = False, user_id: str | None = None
    ) -> TypedValue | None:
        return self.get_variables(task_id, local=local, user_id=user_id).get(name)

    def get_form_variables(
        self, task_id: str, names: Sequence[str] | None = None, *, user_id: str | None = None
    ) -> dict[str, TypedValue]:
        """The values a task form starts from: the task's visible variables (``names``: only
        those). Form fields declared with ``camunda:formData`` are not modelled yet."""
        visible = self.get_variables(task_id, user_id=user_id)
        if names is None:
            return visible
        return {name: visible[name] for name in names if name in visible}

    def set_variable(self, task_id: str, name: str, value: TypedValue, *, local: bool = False) -> None:
        self.modify_variables(task_id, {name: value}, (), local=local)

    def remove_variable(self, task_id: str, name: str, *, local: bool = False) -> None:
        self.modify_variables(task_id, {}, (name,), local=local)

    def modify_variables(
        self,
        task_id: str,
        modifications: Mapping[str, TypedValue],
        deletions: Sequence[str],
        *,
        local: bool = False,
    ) -> None:
        """Set then remove variables in one transaction, from the task scope (Camunda applies
        the modifications before the deletions).

        Non-local: a removal removes the nearest variable of that name (task, then up the
        execution chain); a set updates the nearest one, else creates it on the process
        instance. Local: only the task's own variables.
        """

        def change(ctx: ServiceContext, task: UserTask) -> None:
            graph = ctx.graph(task.process_instance_id)
            user_tasks.modify_task_variables(ctx, graph, task, modifications, deletions, local=local)

        self._change(task_id, change, "update_variable")

    # ── forms ───────────────────────────────────────────────────────────────────────────────
    def get_form_key(self, task_id: str, *, user_id: str | None = None) -> str | None:
        with self._store.read() as connection:
            check_task(ReadAccess(connection, self._runner, user_id), task_id, "read")
            found = store_tasks.find_task(connection, task_id)
        if found is None:
            raise _missing(task_id)
        return found.form_key

    # ── identity links ──────────────────────────────────────────────────────────────────────
    def get_identity_links(self, task_id: str, *, user_id: str | None = None) -> list[IdentityLink]:
        """The stored links, then the assignee and the owner as links of their own type
        (Camunda keeps those two as task columns and shows them as links). Needs READ on the
        task."""
        with self._store.read() as connection:
            check_task(ReadAccess(connection, self._runner, user_id), task_id, "read")
            task = store_tasks.find_task(connection, task_id)
            if task is None:
                raise _missing(task_id)
            links = store_tasks.find_identity_links(connection, task_id)
        for kind, user in ((IdentityLinkType.ASSIGNEE, task.assignee), (IdentityLinkType.OWNER, task.owner)):
            if user is not None:
                links.append(
                    IdentityLink(
                        id="",
                        task_id=task.id,
                        type=kind.value,
                        user_id=user,
                        process_instance_id=task.process_instance_id,
                    )
                )
        return links

    @staticmethod
    def _check_link(type_: str | None, user_id: str | None, group_id: str | None) -> str:
        if (user_id is None) == (group_id is None):
            if user_id is None:
                raise BadUserRequestError("Identity Link requires userId or groupId.")
            raise BadUserRequestError("Identity Link requires userId or groupId, but not both.")
        if type_ is None:
            raise BadUserRequestError("type is required when adding a new task identity link")
        if type_ not in _LINK_TYPES:
            raise BadUserRequestError(
                f"Unsupported identity link type '{type_}'; use candidate, assignee or owner"
            )
        if type_ != IdentityLinkType.CANDIDATE.value and group_id is not None:
            raise BadUserRequestError(
                f"Incompatible usage: cannot use {type_.upper()} together with a groupId"
            )
        _check_text(user_id, "userId")
        _check_text(group_id, "groupId")
        return type_

    def add_identity_link(
        self, task_id: str, type_: str | None, *, user_id: str | None = None, group_id: str | None = None
    ) -> None:
        """``assignee``/``owner`` set those properties; ``candidate`` adds a candidate user or
        group (an identical link is not added twice)."""
        kind = self._check_link(type_, user_id, group_id)

        def change(ctx: ServiceContext, task: UserTask) -> None:
            graph = ctx.graph(task.process_instance_id)
            user_tasks.add_identity_link(ctx, graph, task, kind, user_id, group_id)

        self._change(task_id, change, "assign")

    def delete_identity_link(
        self, task_id: str, type_: str | None, *, user_id: str | None = None, group_id: str | None = None
    ) -> None:
        """The reverse of ``add_identity_link``; removing a link that is not there is a no-op."""
        kind = self._check_link(type_, user_id, group_id)

        def change(ctx: ServiceContext, task: UserTask) -> None:
            graph = ctx.graph(task.process_instance_id)
            user_tasks.delete_identity_link(ctx, graph, task, kind, user_id, group_id)

        self._change(task_id, change, "assign")

    # ── properties ──────────────────────────────────────────────────────────────────────────
    def update(self, task_id: str, update: TaskUpdate) -> None:
        """``PUT /task/{id}``: replace the task's changeable properties.

        Raises:
            NotFoundError: no such task.
            BadUserRequestError: a value out of range, a different tenant, or a new assignee
                or owner on a suspended task.
        """
        _check_text(update.name, "name")
        _check_text(update.assignee, "assignee")
        _check_text(update.owner, "owner")
        if not -_MAX_PRIORITY - 1 <= update.priority <= _MAX_PRIORITY:
            raise BadUserRequestError(f"priority {update.priority} is out of the integer range")

        self._change(task_id, lambda ctx, task: user_tasks.update(ctx, task, update))


def _instance_variables(graph: InstanceGraph, execution: Execution) -> dict[str, VariableInstance]:
    """A handle on the instance's variables: they leave the graph if the instance ends now."""
    return graph.execution_variables.setdefault(execution.process_instance_id, {})


def _finished(
    ctx: ServiceContext,
    graph: InstanceGraph,
    execution: Execution,
    instance_variables: dict[str, VariableInstance],
    with_variables_in_return: bool,
) -> dict[str, TypedValue] | None:
    """Run the process on after a completion; with ``with_variables_in_return`` the variables
    visible from the task's execution afterwards (the instance's, if it ended)."""
    ctx.run_agenda()
    if not with_variables_in_return:
        return None
    if execution.id in graph.executions:
        return {n: v.value for n, v in visible_variables(graph, execution).items()}
    return {n: v.value for n, v in instance_variables.items()}
