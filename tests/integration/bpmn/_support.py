"""Helpers for the ported Camunda engine tests: corpus paths, throwing BPMN errors and
escalations from a waiting task (through ``engine.error_propagation``), and state assertions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from tests.conftest import require_corpus

from cadenza.engine.error_propagation import propagate_error, propagate_escalation
from cadenza.engine.state import Execution, HistoricProcessInstance, UserTask
from cadenza.engine.variables import set_variables
from cadenza.expr.values import expression_value, typed_value_from_python
from cadenza.services import Engine, ExecutionQuery, ProcessInstanceQuery, TaskQuery
from cadenza.services.runner import ServiceContext

__all__ = [
    "active_activities",
    "corpus",
    "deploy_corpus",
    "history",
    "instance_ids",
    "start",
    "task",
    "task_names",
    "tasks",
    "throw_error",
    "throw_escalation",
    "variables",
]


def corpus(relative: str) -> Path:
    """A model of Camunda's engine tests in the shared corpus."""
    return require_corpus() / "bpmn/engine-tests" / relative


def deploy_corpus(engine: Engine, *relatives: str) -> None:
    engine.repository.deploy([(Path(r).name, corpus(r).read_bytes()) for r in relatives], name="corpus")


def start(engine: Engine, key: str, business_key: str | None = None, **values: object) -> str:
    definition = engine.repository.get_latest_process_definition(key)
    typed = {name: typed_value_from_python(value) for name, value in values.items()}
    return engine.runtime.start_process_instance(
        definition.id, business_key=business_key, variables=typed
    ).instance.id


def tasks(engine: Engine, process_instance_id: str | None = None) -> list[UserTask]:
    return engine.tasks.query(TaskQuery(process_instance_id=process_instance_id))


def task(engine: Engine, process_instance_id: str | None = None) -> UserTask:
    (found,) = tasks(engine, process_instance_id)
    return found


def task_names(engine: Engine, process_instance_id: str | None = None) -> list[str | None]:
    return sorted((t.name for t in tasks(engine, process_instance_id)), key=lambda n: n or "")


def active_activities(engine: Engine, process_instance_id: str) -> list[str]:
    executions = engine.runtime.query_executions(ExecutionQuery(process_instance_id=process_instance_id))
    return sorted(e.activity_id for e in executions if e.activity_id is not None and e.is_active)


def instance_ids(engine: Engine, **criteria: object) -> list[str]:
    return [i.id for i in engine.runtime.query_process_instances(ProcessInstanceQuery(**criteria))]  # type: ignore[arg-type]


def variables(engine: Engine, process_instance_id: str) -> dict[str, object]:
    return {
        name: expression_value(value)
        for name, value in engine.runtime.get_variables(process_instance_id).items()
    }


def history(engine: Engine, process_instance_id: str) -> HistoricProcessInstance:
    def command(ctx: ServiceContext) -> HistoricProcessInstance:
        found = ctx.sql.load_one(HistoricProcessInstance, process_instance_id)
        assert found is not None
        return found  # type: ignore[no-any-return]

    return engine.runner.run(command)


def _on_task_execution(
    engine: Engine,
    task_id: str,
    variables_: Mapping[str, object] | None,
    action: Callable[[ServiceContext, Execution], None],
) -> None:
    """Run ``action`` on the execution of a user task or an external task, as the REST
    ``bpmnError``/``bpmnEscalation`` commands do (variables set non-locally first)."""

    user_tasks = engine.tasks.query(TaskQuery(task_id=task_id))
    if user_tasks:
        process_instance_id, execution_id = user_tasks[0].process_instance_id, user_tasks[0].execution_id
    else:
        external = engine.external_tasks.get(task_id)
        process_instance_id, execution_id = external.process_instance_id, external.execution_id

    def command(ctx: ServiceContext) -> None:
        graph = ctx.graph(process_instance_id)
        execution = graph.executions[execution_id]
        typed = {name: typed_value_from_python(value) for name, value in (variables_ or {}).items()}
        set_variables(ctx, graph, execution, typed)
        action(ctx, execution)
        ctx.run_agenda()

    engine.runner.run(command)


def throw_error(
    engine: Engine,
    task_id: str,
    code: str,
    message: str | None = None,
    variables_: Mapping[str, object] | None = None,
) -> None:
    """Report BPMN error ``code`` for a waiting user task or external task."""
    _on_task_execution(engine, task_id, variables_, lambda ctx, e: propagate_error(ctx, e, code, message))


def throw_escalation(engine: Engine, task_id: str, code: str) -> None:
    _on_task_execution(engine, task_id, None, lambda ctx, e: propagate_escalation(ctx, e, code))
