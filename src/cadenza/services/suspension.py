"""Suspending and activating process instances and definitions (Camunda
``UpdateProcessInstanceSuspensionStateCmd`` / ``UpdateProcessDefinitionSuspensionStateCmd``).

A suspended instance keeps its state but nothing moves: its executions, user tasks, external
tasks and jobs carry ``suspended``, so the job executor skips its jobs, fetchAndLock skips its
external tasks and task actions are refused. A suspended definition cannot be started (also
not by message, signal or timer start events); with ``include_process_instances`` its running
instances are suspended too.
"""

from __future__ import annotations

import sqlalchemy as sa

from cadenza.engine.state import InstanceGraph, ProcessDefinition
from cadenza.engine.suspension import set_suspended
from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.services.authorization import check_definition_suspension, check_instance
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, tables

__all__ = ["SuspensionService"]


def _apply(ctx: ServiceContext, graph: InstanceGraph, suspended: bool) -> None:
    set_suspended(ctx, graph, suspended)


class SuspensionService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def set_process_instance_suspended(self, process_instance_id: str, suspended: bool) -> None:
        """Raises NotFoundError for an unknown instance; AuthorizationError without SUSPEND or
        UPDATE on it (or SUSPEND_INSTANCE or UPDATE_INSTANCE on its definition)."""

        def command(ctx: ServiceContext) -> None:
            check_instance(ctx, process_instance_id, "suspend")
            graph = ctx.sql.load_graph(process_instance_id)
            if graph is None or process_instance_id not in graph.executions:
                raise NotFoundError(
                    f"No process instance found for id '{process_instance_id}'",
                    camunda_type="NotFoundException",
                )
            ctx.register_graph(process_instance_id, graph)
            _apply(ctx, graph, suspended)

        self._runner.run(command)

    def set_process_definition_suspended(
        self,
        *,
        definition_id: str | None = None,
        key: str | None = None,
        suspended: bool,
        include_process_instances: bool = False,
    ) -> None:
        """Suspend or activate one definition (by id) or every version of a key.

        Raises:
            NotFoundError: no such definition.
            BadUserRequestError: neither id nor key given.
            AuthorizationError: no SUSPEND or UPDATE on the definition (with instances: also
                none of SUSPEND/UPDATE on every instance, SUSPEND_INSTANCE/UPDATE_INSTANCE).
        """
        if definition_id is None and key is None:
            raise BadUserRequestError("Only one of processDefinitionId or processDefinitionKey should be set")
        changed: list[str] = []

        def command(ctx: ServiceContext) -> None:
            pd = tables.process_definition
            criterion = pd.c.id == definition_id if definition_id is not None else pd.c.key == key
            definitions: list[ProcessDefinition] = ctx.sql.load(ProcessDefinition, criterion)
            if not definitions:
                what = f"id '{definition_id}'" if definition_id is not None else f"key '{key}'"
                raise NotFoundError(
                    f"No process definition found for {what}", camunda_type="NotFoundException"
                )
            check_definition_suspension(
                ctx, (d.key for d in definitions), with_instances=include_process_instances
            )
            ids = [d.id for d in definitions]
            for definition in definitions:
                definition.suspended = suspended
            connection = ctx.sql.connection
            jd, j = tables.job_definition, tables.job
            connection.execute(
                jd.update().where(jd.c.process_definition_id.in_(ids)).values(suspended=suspended)
            )
            connection.execute(
                j.update()
                .where(j.c.process_definition_id.in_(ids), j.c.process_instance_id.is_(None))
                .values(suspended=suspended, rev=j.c.rev + 1)
            )
            if include_process_instances:
                e = tables.execution
                instance_ids = connection.execute(
                    sa.select(e.c.id).where(
                        e.c.process_definition_id.in_(ids), e.c.id == e.c.process_instance_id
                    )
                ).scalars()
                for instance_id in list(instance_ids):
                    _apply(ctx, ctx.graph(instance_id), suspended)
            changed[:] = ids

        self._runner.run(command)
        self._store.definitions.evict(changed)
