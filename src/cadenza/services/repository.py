"""Repository service: deployments and process definitions (Camunda ``RepositoryService``)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cadenza.bpmn import parse_bpmn
from cadenza.bpmn.model import Definitions
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.lifecycle import end_process_instance
from cadenza.engine.records import ProcessDefinitionDeployed
from cadenza.engine.state import (
    Deployment,
    ProcessDefinition,
    ProcessInstanceState,
    Resource,
)
from cadenza.engine.validation import check_process
from cadenza.errors import (
    BadUserRequestError,
    NotFoundError,
    ParseError,
    Problem,
)
from cadenza.services.authorization import (
    ReadAccess,
    ResourceType,
    check_definition,
    check_deployment,
    grant_default,
    may_read_definition,
    permission_bits,
    restriction,
)
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, deployments as store_deployments, tables
from cadenza.store.queries import DeploymentQuery, Page, ProcessDefinitionQuery

__all__ = ["DeploymentResult", "RepositoryService"]

_BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")
_UNSUPPORTED_SUFFIXES = {
    ".dmn": "DMN decisions",
    ".dmn11.xml": "DMN decisions",
    ".cmmn": "CMMN cases",
    ".cmmn11.xml": "CMMN cases",
}
_MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class DeploymentResult:
    deployment: Deployment
    process_definitions: list[ProcessDefinition]


class RepositoryService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    # ── deploy ──────────────────────────────────────────────────────────────────────────────
    def deploy(
        self,
        resources: list[tuple[str, bytes]],
        *,
        name: str | None = None,
        source: str | None = None,
        tenant_id: str | None = None,
        enable_duplicate_filtering: bool = False,
        deploy_changed_only: bool = False,
        user_id: str | None = None,
    ) -> DeploymentResult:
        """Parse, validate and store a deployment; every BPMN process becomes a new version.

        Args:
            resources: (file name, content) pairs; BPMN files are ``*.bpmn`` / ``*.bpmn20.xml``.
            name: deployment name (duplicate filtering compares with deployments of this name).
            source: free text stored with the deployment.
            tenant_id: tenant owning the deployment and its definitions.
            enable_duplicate_filtering: deploy nothing if no resource changed since the last
                deployment with the same name.
            deploy_changed_only: deploy only the resources that changed (implies filtering).

        Returns:
            The deployment and the process definitions it created (empty when filtered).

        Raises:
            ParseError: some resource is not a model Cadenza can run; nothing is stored.
            BadUserRequestError: no resources, or two processes with the same id.
        """
        if not resources:
            raise BadUserRequestError("Deployment must contain at least one resource")
        parsed = self._parse_all(resources)
        deployed: list[DeployedProcess] = []

        def command(ctx: ServiceContext) -> DeploymentResult:
            check_deployment(ctx, None, "CREATE")
            deployed.clear()
            chosen = resources
            if enable_duplicate_filtering or deploy_changed_only:
                chosen = self._changed_resources(
                    ctx.sql.connection, name, tenant_id, resources, changed_only=deploy_changed_only
                )
                if not chosen:
                    previous = self._latest_deployment(ctx.sql.connection, name, tenant_id)
                    if previous is not None:
                        return DeploymentResult(previous, [])
                    chosen = resources
            now = ctx.now()
            deployment = Deployment(
                id=ctx.new_id(), name=name, deployment_time=now, source=source, tenant_id=tenant_id
            )
            ctx.uow.insert(deployment)
            if ctx.user_id is not None and ctx.config.authentication_enabled:
                # the deploying user may read and delete its deployment (Camunda's default)
                grant_default(
                    ctx.sql.connection,
                    ctx.new_id(),
                    ResourceType.DEPLOYMENT,
                    deployment.id,
                    owner_user_id=ctx.user_id,
                    permissions=permission_bits(ResourceType.DEPLOYMENT, ["READ", "DELETE"]),
                )
            definitions: list[ProcessDefinition] = []
            for resource_name, content in chosen:
                ctx.uow.insert(Resource(ctx.new_id(), deployment.id, resource_name, content))
                model = parsed.get(resource_name)
                if model is None:
                    continue
                for process in model.processes:
                    version = store_deployments.latest_version(ctx.sql.connection, process.id, tenant_id) + 1
                    definition_id = f"{process.id}:{version}:{ctx.new_id()}"
                    if len(definition_id) > _MAX_ID_LENGTH:
                        definition_id = ctx.new_id()
                    definition = ProcessDefinition(
                        id=definition_id,
                        key=process.id,
                        version=version,
                        deployment_id=deployment.id,
                        resource_name=resource_name,
                        name=process.name,
                        category=model.target_namespace,
                        description=process.documentation,
                        tenant_id=tenant_id,
                        version_tag=process.version_tag,
                        history_time_to_live=process.history_time_to_live,
                        startable_in_tasklist=process.startable_in_tasklist,
                    )
                    ctx.uow.insert(definition)
                    definitions.append(definition)
                    deployed.append(DeployedProcess(definition, process))
                    ctx.emit(ProcessDefinitionDeployed(now, deployed[-1]))
            return DeploymentResult(deployment, definitions)

        result = self._runner.run(command, user_id=user_id)
        for item in deployed:
            self._store.definitions.put(item)
        return result

    def _parse_all(self, resources: list[tuple[str, bytes]]) -> dict[str, Definitions]:
        parsed: dict[str, Definitions] = {}
        problems: list[Problem] = []
        keys: dict[str, str] = {}
        names = [resource_name for resource_name, _ in resources]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise BadUserRequestError(
                f"The deployment contains more than one resource named {sorted(duplicates)[0]}"
            )
        for resource_name, content in resources:
            lower = resource_name.lower()
            unsupported = next(
                (what for suffix, what in _UNSUPPORTED_SUFFIXES.items() if lower.endswith(suffix)),
                None,
            )
            if unsupported is not None:
                problems.append(
                    Problem(f"{unsupported} are not supported by Cadenza yet", resource=resource_name)
                )
                continue
            if not lower.endswith(_BPMN_SUFFIXES):
                continue  # forms, images, scripts: stored as they are
            try:
                model = parse_bpmn(content, resource_name, max_bytes=self._store.config.max_bpmn_bytes)
            except ParseError as error:
                problems.extend(error.problems)
                continue
            for process in model.processes:
                if process.id in keys:
                    problems.append(
                        Problem(
                            f"The deployment contains definitions with the same key "
                            f"'{process.id}' (id attribute), this is not allowed",
                            (process.id,),
                            resource=resource_name,
                        )
                    )
                keys[process.id] = resource_name
                problems.extend(
                    Problem(p.message, p.element_ids, p.line, p.column, resource_name)
                    for p in check_process(process)
                )
            parsed[resource_name] = model
        if problems:
            raise ParseError(problems)
        return parsed

    @staticmethod
    def _latest_deployment(
        connection: sa.Connection, name: str | None, tenant_id: str | None
    ) -> Deployment | None:
        query = DeploymentQuery(name=name, sorting=[("deploymentTime", False)])
        if tenant_id is None:
            query.without_tenant_id = True
        else:
            query.tenant_id_in = [tenant_id]
        found = store_deployments.query_deployments(connection, query, Page(0, 1))
        return found[0] if found else None

    @staticmethod
    def _changed_resources(
        connection: sa.Connection,
        name: str | None,
        tenant_id: str | None,
        resources: list[tuple[str, bytes]],
        *,
        changed_only: bool,
    ) -> list[tuple[str, bytes]]:
        """Resources whose content differs from the newest same-named resource of earlier
        deployments with this name (Camunda's duplicate filtering)."""
        d, r = tables.deployment, tables.resource
        tenant = d.c.tenant_id.is_(None) if tenant_id is None else d.c.tenant_id == tenant_id
        deployment_name = d.c.name.is_(None) if name is None else d.c.name == name
        changed: list[tuple[str, bytes]] = []
        for resource_name, content in resources:
            latest = connection.execute(
                sa.select(r.c.content)
                .join(d, d.c.id == r.c.deployment_id)
                .where(deployment_name, tenant, r.c.name == resource_name)
                .order_by(d.c.deployment_time.desc())
                .limit(1)
            ).scalar()
            if latest is None or bytes(latest) != content:
                changed.append((resource_name, content))
        if changed and not changed_only:
            return resources
        return changed

    # ── deployments ─────────────────────────────────────────────────────────────────────────
    def query_deployments(
        self, query: DeploymentQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[Deployment]:
        """Deployments matching ``query`` that the acting user may read (READ on the
        deployment, and one of its tenants)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "deployment")
            return store_deployments.query_deployments(connection, query, page or Page(), visible)

    def count_deployments(self, query: DeploymentQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "deployment")
            return store_deployments.count_deployments(connection, query, visible)

    def get_deployment(self, deployment_id: str, *, user_id: str | None = None) -> Deployment:
        """Raises NotFoundError, also for a deployment the user may not read (Camunda's REST
        resource asks the query, which finds nothing)."""
        found = self.query_deployments(DeploymentQuery(id=deployment_id), Page(0, 1), user_id=user_id)
        if not found:
            raise NotFoundError(f"Deployment with id '{deployment_id}' does not exist")
        return found[0]

    def get_deployment_resources(self, deployment_id: str, *, user_id: str | None = None) -> list[Resource]:
        """Raises AuthorizationError without READ on the deployment."""
        with self._store.read() as connection:
            check_deployment(ReadAccess(connection, self._runner, user_id), deployment_id, "READ")
            store_deployments.find_deployment(connection, deployment_id)
            return store_deployments.resources_of(connection, deployment_id)

    def delete_deployment(
        self, deployment_id: str, *, cascade: bool = False, user_id: str | None = None
    ) -> None:
        """Delete a deployment with its definitions; with ``cascade`` also their instances.

        Raises:
            NotFoundError: unknown deployment.
            BadUserRequestError: instances are running and ``cascade`` is false.
        """
        removed: list[str] = []

        def command(ctx: ServiceContext) -> None:
            check_deployment(ctx, deployment_id, "DELETE")
            connection = ctx.sql.connection
            store_deployments.find_deployment(connection, deployment_id)
            pd, e = tables.process_definition, tables.execution
            definition_ids = list(
                connection.execute(sa.select(pd.c.id).where(pd.c.deployment_id == deployment_id)).scalars()
            )
            instance_ids = list(
                connection.execute(
                    sa.select(e.c.id).where(
                        e.c.process_definition_id.in_(definition_ids),
                        e.c.id == e.c.process_instance_id,
                    )
                ).scalars()
            )
            if instance_ids and not cascade:
                raise BadUserRequestError(
                    f"Deletion of process definition without cascading failed. There are "
                    f"{len(instance_ids)} dependent process instance(s) of deployment "
                    f"{deployment_id}; delete with cascade=true to remove them as well."
                )
            for instance_id in instance_ids:
                graph = ctx.graph(instance_id)
                end_process_instance(
                    ctx,
                    graph.root,
                    ProcessInstanceState.EXTERNALLY_TERMINATED,
                    "deployment deleted",
                )
            # the consumers see the ended instances and tasks now: their rows go below
            ctx.settle(self._runner.consumers)
            ctx.sql.flush()
            h = tables.historic_process_instance
            connection.execute(h.delete().where(h.c.process_definition_id.in_(definition_ids)))
            connection.execute(pd.delete().where(pd.c.deployment_id == deployment_id))
            connection.execute(
                tables.resource.delete().where(tables.resource.c.deployment_id == deployment_id)
            )
            connection.execute(tables.deployment.delete().where(tables.deployment.c.id == deployment_id))
            removed[:] = definition_ids

        self._runner.run(command, user_id=user_id)
        self._store.definitions.evict(removed)

    # ── process definitions ─────────────────────────────────────────────────────────────────
    def query_process_definitions(
        self, query: ProcessDefinitionQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[ProcessDefinition]:
        """Definitions matching ``query`` that the acting user may read (READ on the key, and
        one of its tenants)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "process_definition")
            return store_deployments.query_process_definitions(connection, query, page or Page(), visible)

    def count_process_definitions(self, query: ProcessDefinitionQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "process_definition")
            return store_deployments.count_process_definitions(connection, query, visible)

    def get_process_definition(self, definition_id: str, *, user_id: str | None = None) -> ProcessDefinition:
        """Raises NotFoundError, or AuthorizationError without READ on the definition (Camunda
        ``getProcessDefinition``)."""
        with self._store.read() as connection:
            found = store_deployments.find_process_definition(connection, definition_id)
            access = ReadAccess(connection, self._runner, user_id)
            check_definition(access, found.key, "READ", found.tenant_id)
            return found

    def get_latest_process_definition(
        self, key: str, tenant_id: str | None = None, *, user_id: str | None = None
    ) -> ProcessDefinition:
        """The latest version of ``key``; NotFoundError also when the user may not read it
        (Camunda's REST resource asks the definition query)."""
        with self._store.read() as connection:
            found = store_deployments.latest_process_definition(connection, key, tenant_id)
            access = ReadAccess(connection, self._runner, user_id)
            if found is not None and not may_read_definition(access, key, found.tenant_id):
                found = None
        if found is None:
            tenant = "no tenant-id" if tenant_id is None else f"tenant-id {tenant_id}"
            raise NotFoundError(
                f"No matching process definition with key: {key} and {tenant}",
                camunda_type="RestException",
            )
        return found

    def get_process_definition_xml(self, definition_id: str, *, user_id: str | None = None) -> bytes:
        """Raises AuthorizationError without READ on the definition."""
        with self._store.read() as connection:
            definition = store_deployments.find_process_definition(connection, definition_id)
            access = ReadAccess(connection, self._runner, user_id)
            check_definition(access, definition.key, "READ", definition.tenant_id)
            content = connection.execute(
                sa.select(tables.resource.c.content).where(
                    tables.resource.c.deployment_id == definition.deployment_id,
                    tables.resource.c.name == definition.resource_name,
                )
            ).scalar_one()
        return bytes(content)
