"""Runtime service: start, inspect and delete process instances; read and write variables
(Camunda ``RuntimeService``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cadenza.engine.lifecycle import end_process_instance, start_process_instance
from cadenza.engine.state import Execution, InstanceGraph, ProcessInstanceState
from cadenza.engine.variables import (
    remove_variable,
    scope_chain,
    set_variable,
    set_variable_local,
    visible_variables,
)
from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.expr.values import TypedValue
from cadenza.services.authorization import ReadAccess, check_instance, check_start, restriction
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, instances as store_instances
from cadenza.store.queries import ExecutionQuery, Page, ProcessInstanceQuery
from cadenza.store.unit_of_work import SqlUnitOfWork

__all__ = ["ProcessInstance", "RuntimeService", "StartedInstance"]


@dataclass(frozen=True)
class ProcessInstance:
    """A process instance as the REST API shows it (``ProcessInstanceDto``)."""

    id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    case_instance_id: str | None
    ended: bool
    suspended: bool
    tenant_id: str | None


@dataclass(frozen=True)
class StartedInstance:
    instance: ProcessInstance
    variables: dict[str, TypedValue] | None


class RuntimeService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    # ── start and delete ────────────────────────────────────────────────────────────────────
    def start_process_instance(
        self,
        definition_id: str,
        *,
        business_key: str | None = None,
        variables: Mapping[str, TypedValue] | None = None,
        with_variables_in_return: bool = False,
        user_id: str | None = None,
    ) -> StartedInstance:
        """Start an instance and run it to its first wait states, in one transaction.

        Args:
            definition_id: the process definition to instantiate.
            business_key: the instance's business key.
            variables: set on the process instance before the start event runs.
            with_variables_in_return: also return the instance's variables at the end of the
                transaction (even if the instance already ended).
            user_id: the starting user (fills ``camunda:initiator``).

        Raises:
            NotFoundError: unknown definition.
            BadUserRequestError: the definition is suspended.
            ProcessEngineError: the process failed before reaching a wait state (rolled back).
        """

        def command(ctx: ServiceContext) -> StartedInstance:
            deployed = ctx.definitions.deployed_process(definition_id)
            check_start(ctx, deployed.definition.key, deployed.definition.tenant_id)
            if deployed.definition.suspended:
                raise BadUserRequestError(
                    f"Cannot start process instance. Process definition {definition_id} is suspended"
                )
            root, graph = start_process_instance(
                ctx, deployed, business_key=business_key, variables=dict(variables or {})
            )
            root_variables = graph.execution_variables.setdefault(root.id, {})
            ctx.run_agenda()
            instance = ProcessInstance(
                id=root.id,
                definition_id=deployed.definition.id,
                definition_key=deployed.definition.key,
                business_key=business_key,
                case_instance_id=None,
                ended=root.id not in graph.executions,
                suspended=False,
                tenant_id=root.tenant_id,
            )
            returned = (
                {name: var.value for name, var in root_variables.items()}
                if with_variables_in_return
                else None
            )
            return StartedInstance(instance, returned)

        return self._runner.run(command, user_id=user_id)

    def delete_process_instance(
        self,
        process_instance_id: str,
        *,
        reason: str | None = None,
        fail_if_not_exists: bool = True,
        user_id: str | None = None,
    ) -> None:
        """Cancel an instance: all its paths, tasks and variables go; history says why."""

        def command(ctx: ServiceContext) -> None:
            check_instance(ctx, process_instance_id, "delete")
            graph = ctx.uow.load_graph(process_instance_id)
            if graph is None:
                if fail_if_not_exists:
                    raise NotFoundError(f"Process instance with id {process_instance_id} does not exist")
                return
            ctx.register_graph(process_instance_id, graph)
            end_process_instance(ctx, graph.root, ProcessInstanceState.EXTERNALLY_TERMINATED, reason)

        self._runner.run(command, user_id=user_id)

    # ── instances and executions ────────────────────────────────────────────────────────────
    def query_process_instances(
        self, query: ProcessInstanceQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[ProcessInstance]:
        """Instances matching ``query`` that the acting user may read (READ on the instance
        or READ_INSTANCE on its definition, and one of its tenants)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "process_instance")
            rows = store_instances.query_process_instances(connection, query, page or Page(), visible)
        return [_instance(execution, key) for execution, key in rows]

    def count_process_instances(self, query: ProcessInstanceQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "process_instance")
            return store_instances.count_process_instances(connection, query, visible)

    def get_process_instance(
        self, process_instance_id: str, *, user_id: str | None = None
    ) -> ProcessInstance:
        found = self.query_process_instances(
            ProcessInstanceQuery(process_instance_ids=[process_instance_id]), Page(0, 1), user_id=user_id
        )
        if not found:
            raise NotFoundError(f"Process instance with id {process_instance_id} does not exist")
        return found[0]

    def query_executions(
        self, query: ExecutionQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[Execution]:
        """Executions of instances the acting user may read (as ``query_process_instances``)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "process_instance")
            return store_instances.query_executions(connection, query, page or Page(), visible)

    def count_executions(self, query: ExecutionQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "process_instance")
            return store_instances.count_executions(connection, query, visible)

    def get_execution(self, execution_id: str, *, user_id: str | None = None) -> Execution:
        """Raises NotFoundError, also for an execution the user may not read."""
        found = self.query_executions(ExecutionQuery(execution_id=execution_id), Page(0, 1), user_id=user_id)
        if not found:
            raise NotFoundError(f"execution {execution_id} doesn't exist")
        return found[0]

    # ── variables ───────────────────────────────────────────────────────────────────────────
    def _read_graph(self, execution_id: str, user_id: str | None = None) -> tuple[InstanceGraph, Execution]:
        """The execution's instance; AuthorizationError without READ on it (or READ_INSTANCE
        on its definition)."""
        with self._store.read() as connection:
            check_instance(ReadAccess(connection, self._runner, user_id), execution_id, "read")
            execution = store_instances.find_execution(connection, execution_id)
            graph = (
                SqlUnitOfWork(connection).load_graph(execution.process_instance_id)
                if execution is not None
                else None
            )
        if execution is None or graph is None:
            raise NotFoundError(f"execution {execution_id} doesn't exist")
        return graph, graph.executions[execution_id]

    def get_variables(
        self, execution_id: str, *, local: bool = False, user_id: str | None = None
    ) -> dict[str, TypedValue]:
        """Variables visible from an execution (``local``: only its own), by name."""
        graph, execution = self._read_graph(execution_id, user_id)
        return {
            name: var.value for name, var in sorted(visible_variables(graph, execution, local=local).items())
        }

    def get_variable(
        self, execution_id: str, name: str, *, local: bool = False, user_id: str | None = None
    ) -> TypedValue | None:
        return self.get_variables(execution_id, local=local, user_id=user_id).get(name)

    def set_variable(self, execution_id: str, name: str, value: TypedValue, *, local: bool = False) -> None:
        self.modify_variables(execution_id, {name: value}, (), local=local)

    def remove_variable(self, execution_id: str, name: str, *, local: bool = False) -> None:
        self.modify_variables(execution_id, {}, (name,), local=local)

    def modify_variables(
        self,
        execution_id: str,
        modifications: Mapping[str, TypedValue],
        deletions: Sequence[str],
        *,
        local: bool = False,
        user_id: str | None = None,
    ) -> None:
        """Set, then remove variables in one transaction (Camunda ``updateVariables``).

        Non-local sets update the nearest scope that has the variable, else the process
        instance; non-local removals remove it from the nearest scope that has it.
        """

        def command(ctx: ServiceContext) -> None:
            check_instance(ctx, execution_id, "update_variable")
            execution = store_instances.find_execution(ctx.sql.connection, execution_id)
            if execution is None:
                raise NotFoundError(f"execution {execution_id} doesn't exist")
            graph = ctx.graph(execution.process_instance_id)
            target = graph.executions[execution_id]
            # updates precede deletions: a name in both ends up deleted (Camunda PatchVariablesCmd)
            setter = set_variable_local if local else set_variable
            for name, value in modifications.items():
                setter(ctx, graph, target, name, value)
            for name in deletions:
                scopes = [target] if local else list(scope_chain(graph, target))
                for scope in scopes:
                    found = graph.execution_variables.get(scope.id, {}).get(name)
                    if found is not None:
                        remove_variable(ctx, graph, found)
                        break

        self._runner.run(command, user_id=user_id)


def _instance(execution: Execution, key: str) -> ProcessInstance:
    return ProcessInstance(
        id=execution.id,
        definition_id=execution.process_definition_id,
        definition_key=key,
        business_key=execution.business_key,
        case_instance_id=None,
        ended=False,
        suspended=execution.suspended,
        tenant_id=execution.tenant_id,
    )
