"""Variable scopes: lookup through the execution tree, local and non-local sets, expressions.

Camunda's rules (``camunda7-semantics.md`` §4.3): a non-local set updates the variable in the
nearest scope that already has it, else creates it on the process instance; a local set always
writes the given scope. Reads walk from the execution up to the process instance, the nearest
scope shadowing outer ones. Task-local variables sit in front of their execution's chain.
Transient values are visible during the command but never reach the unit of work (nor the
record stream). A variable set emits ``VariableCreated`` or ``VariableUpdated``, a removal
``VariableDeleted``; variables that go with their scope or task emit nothing (Camunda's history
keeps them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from cadenza.engine.context import CommandContext
from cadenza.engine.records import VariableCreated, VariableDeleted, VariableSnapshot, VariableUpdated
from cadenza.engine.state import Execution, InstanceGraph, UserTask, VariableInstance
from cadenza.errors import BadUserRequestError, ExpressionError, InvalidRequestError
from cadenza.expr.el import Expression, compile_expression
from cadenza.expr.values import TypedValue, expression_value, typed_value_from_python

__all__ = [
    "MAX_NAME_LENGTH",
    "ExecutionElObject",
    "ExecutionScope",
    "compiled",
    "evaluate",
    "get_variable",
    "remove_task_variables",
    "remove_variable",
    "remove_variables_of",
    "scope_chain",
    "set_variable",
    "set_variable_local",
    "set_variables",
    "value_size",
    "visible_variables",
]


@lru_cache(maxsize=4096)
def compiled(source: str) -> Expression:
    """Compile once per distinct source text (models are few; instances are many)."""
    return compile_expression(source)


def scope_chain(graph: InstanceGraph, execution: Execution) -> Iterator[Execution]:
    """The execution itself, then each parent up to the process instance."""
    current: Execution | None = execution
    while current is not None:
        yield current
        current = graph.executions.get(current.parent_id) if current.parent_id else None


def get_variable(
    graph: InstanceGraph, execution: Execution, name: str, task: UserTask | None = None
) -> VariableInstance | None:
    if task is not None:
        found = graph.task_variables.get(task.id, {}).get(name)
        if found is not None:
            return found
    for scope in scope_chain(graph, execution):
        found = graph.execution_variables.get(scope.id, {}).get(name)
        if found is not None:
            return found
    return None


def visible_variables(
    graph: InstanceGraph, execution: Execution, task: UserTask | None = None, *, local: bool = False
) -> dict[str, VariableInstance]:
    """Every variable visible from ``execution`` (nearest scope wins), or only its own if local."""
    result: dict[str, VariableInstance] = {}
    scopes = [execution] if local else list(scope_chain(graph, execution))
    for scope in reversed(scopes):
        result.update(graph.execution_variables.get(scope.id, {}))
    if task is not None:
        result.update(graph.task_variables.get(task.id, {}))
    return result


MAX_NAME_LENGTH = 255
"""the ``variable.name`` column (PostgreSQL enforces it; Camunda's ``NAME_`` is as long)"""


def value_size(value: TypedValue) -> int:
    """Bytes a value occupies in its column: UTF-8 text, binary content, else 8."""
    content = value.value
    if isinstance(content, str):
        return len(content.encode("utf-8", "surrogatepass"))
    if isinstance(content, bytes | bytearray):
        return len(content)
    return 8


def _check_size(ctx: CommandContext, name: str, value: TypedValue) -> None:
    """Refuse (400) what no database column can hold, before anything is written.

    Names longer than the column and NUL characters (PostgreSQL cannot store U+0000 in
    text) are refused on every database, so an application behaves the same on SQLite and
    PostgreSQL. Values over ``max_variable_value_bytes`` and commands that write more than
    ``max_variable_bytes_per_command`` in all are refused too (transient ones included:
    they are held in memory all the same).
    """
    if len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise InvalidRequestError(
            f"Cannot set variable with name {name[:MAX_NAME_LENGTH]}: a variable name must be at "
            f"most {MAX_NAME_LENGTH} characters long and must not contain U+0000"
        )
    if isinstance(value.value, str) and "\x00" in value.value:
        raise InvalidRequestError(
            f"Cannot set variable with name {name}: text values must not contain the character U+0000"
        )
    size = value_size(value)
    limit = ctx.config.max_variable_value_bytes
    if size > limit:
        raise InvalidRequestError(
            f"Cannot set variable with name {name}: its value has {size} bytes, more than the "
            f"maximum of {limit} bytes per value"
        )
    ctx.variable_bytes += size
    total_limit = ctx.config.max_variable_bytes_per_command
    if ctx.variable_bytes > total_limit:
        raise InvalidRequestError(
            f"Cannot set variable with name {name}: the variables of this request exceed the "
            f"maximum of {total_limit} bytes in all"
        )


def _write(
    ctx: CommandContext,
    graph: InstanceGraph,
    scope: Execution,
    name: str,
    value: TypedValue,
    task: UserTask | None,
) -> None:
    _check_size(ctx, name, value)
    bucket_key = task.id if task is not None else scope.id
    buckets = graph.task_variables if task is not None else graph.execution_variables
    bucket = buckets.setdefault(bucket_key, {})
    existing = bucket.get(name)
    if existing is not None:
        if existing.value.transient != value.transient:
            # Camunda answers this with a 500; it is the caller's mistake, so Cadenza says 400
            raise BadUserRequestError(
                f"ENGINE-03078 Cannot set transient variable with name {name} to non-transient "
                "variable and vice versa."
            )
        existing.value = value
        if not value.transient:
            ctx.emit(VariableUpdated(ctx.now(), VariableSnapshot.of(existing)))
        return
    variable = VariableInstance(
        id=ctx.new_id(),
        name=name,
        value=value,
        execution_id=scope.id,
        process_instance_id=scope.process_instance_id,
        process_definition_id=scope.process_definition_id,
        task_id=task.id if task is not None else None,
        activity_instance_id=scope.activity_instance_id,
        tenant_id=scope.tenant_id,
        create_time=ctx.now(),
    )
    bucket[name] = variable
    if not value.transient:
        ctx.uow.insert(variable)
        ctx.emit(VariableCreated(ctx.now(), VariableSnapshot.of(variable)))


def set_variable_local(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    name: str,
    value: TypedValue,
    task: UserTask | None = None,
) -> None:
    """Write ``name`` on exactly this scope (the task's own scope if ``task`` is given)."""
    _write(ctx, graph, execution, name, value, task)


def set_variable(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    name: str,
    value: TypedValue,
    task: UserTask | None = None,
) -> None:
    """Camunda ``setVariable``: update where it exists (task, then up the chain), else on the
    process instance."""
    if task is not None and name in graph.task_variables.get(task.id, {}):
        _write(ctx, graph, execution, name, value, task)
        return
    target: Execution | None = None
    for scope in scope_chain(graph, execution):
        if name in graph.execution_variables.get(scope.id, {}):
            target = scope
            break
        target = scope  # ends on the process instance when nobody has it
    assert target is not None
    _write(ctx, graph, target, name, value, None)


def set_variables(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    values: Mapping[str, TypedValue],
    *,
    local: bool = False,
    task: UserTask | None = None,
) -> None:
    setter = set_variable_local if local else set_variable
    for name, value in values.items():
        setter(ctx, graph, execution, name, value, task)


def remove_variable(ctx: CommandContext, graph: InstanceGraph, variable: VariableInstance) -> None:
    if variable.task_id is not None:
        graph.task_variables.get(variable.task_id, {}).pop(variable.name, None)
    else:
        graph.execution_variables.get(variable.execution_id, {}).pop(variable.name, None)
    if not variable.value.transient:
        ctx.uow.delete(variable)
        ctx.emit(VariableDeleted(ctx.now(), VariableSnapshot.of(variable)))


def remove_variables_of(ctx: CommandContext, graph: InstanceGraph, execution: Execution) -> None:
    """Delete the variables of a scope that is going away."""
    for variable in list(graph.execution_variables.pop(execution.id, {}).values()):
        if not variable.value.transient:
            ctx.uow.delete(variable)


def remove_task_variables(ctx: CommandContext, graph: InstanceGraph, task: UserTask) -> None:
    for variable in list(graph.task_variables.pop(task.id, {}).values()):
        if not variable.value.transient:
            ctx.uow.delete(variable)


# ── expressions ────────────────────────────────────────────────────────────────────────────────


class ExecutionElObject:
    """``execution`` inside expressions: Camunda's ``DelegateExecution`` methods people use."""

    __slots__ = ("_ctx", "_execution", "_graph")

    def __init__(self, ctx: CommandContext, graph: InstanceGraph, execution: Execution) -> None:
        self._ctx = ctx
        self._graph = graph
        self._execution = execution

    def el_call(self, method: str, args: list[object]) -> object:
        execution = self._execution
        if method in ("getVariable", "getVariableLocal", "hasVariable", "hasVariableLocal"):
            if len(args) != 1 or not isinstance(args[0], str):
                raise ExpressionError(f"execution.{method} takes one variable name")
            if method.endswith("Local"):
                found = self._graph.execution_variables.get(execution.id, {}).get(args[0])
            else:
                found = get_variable(self._graph, execution, args[0])
            if method.startswith("has"):
                return found is not None
            return None if found is None else expression_value(found.value)
        if method in ("setVariable", "setVariableLocal"):
            if len(args) != 2 or not isinstance(args[0], str):
                raise ExpressionError(f"execution.{method} takes a name and a value")
            setter = set_variable_local if method.endswith("Local") else set_variable
            setter(self._ctx, self._graph, execution, args[0], typed_value_from_python(args[1]))
            return None
        if method == "getVariables":
            return {
                name: expression_value(var.value)
                for name, var in visible_variables(self._graph, execution).items()
            }
        getters = {
            "getId": execution.id,
            "getProcessInstanceId": execution.process_instance_id,
            "getActivityId": execution.activity_id,
            "getCurrentActivityId": execution.activity_id,
            "getActivityInstanceId": execution.activity_instance_id,
            "getProcessDefinitionId": execution.process_definition_id,
            "getBusinessKey": self._graph.root.business_key,
            "getProcessBusinessKey": self._graph.root.business_key,
            "getTenantId": execution.tenant_id,
            "getParentId": execution.parent_id,
        }
        if method in getters and not args:
            return getters[method]
        raise ExpressionError(f"Method '{method}' is not supported on execution")

    def el_property(self, name: str) -> object:
        getter = "get" + name[:1].upper() + name[1:]
        return self.el_call(getter, [])


class ExecutionScope:
    """The variables an expression sees from an execution (plus ``execution`` itself)."""

    __slots__ = ("_ctx", "_execution", "_extra", "_graph", "_task")

    def __init__(
        self,
        ctx: CommandContext,
        graph: InstanceGraph,
        execution: Execution,
        task: UserTask | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        self._ctx = ctx
        self._graph = graph
        self._execution = execution
        self._task = task
        self._extra = extra or {}

    def has_variable(self, name: str) -> bool:
        if name in self._extra or name == "execution":
            return True
        return get_variable(self._graph, self._execution, name, self._task) is not None

    def get_variable(self, name: str) -> object:
        if name in self._extra:
            return self._extra[name]
        found = get_variable(self._graph, self._execution, name, self._task)
        if found is not None:
            return expression_value(found.value)
        if name == "execution":
            return ExecutionElObject(self._ctx, self._graph, self._execution)
        raise ExpressionError(f"Cannot resolve identifier '{name}'")


def evaluate(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    source: str,
    task: UserTask | None = None,
) -> object:
    """Evaluate an expression (or literal text) in the scope of ``execution``."""
    return compiled(source).evaluate(ExecutionScope(ctx, graph, execution, task))
