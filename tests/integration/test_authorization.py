"""Authorization through the embedded API on SQLite and PostgreSQL: Camunda's precedence
(user revoke > user grant > group revoke > group grant > global), ``*`` and specific resource
ids, queries filtered in SQL (counts match the allowed subset), tenants, the ``user_id``
keyword and ``engine.as_user``, and refusals that change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support import RESOURCES

from cadenza.clock import SettableClock
from cadenza.config import EngineConfig
from cadenza.services import (
    ADMIN_GROUP,
    AuthorizationError,
    DeploymentQuery,
    Engine,
    Group,
    ProcessInstanceQuery,
    TaskQuery,
    Tenant,
    User,
)

PROCESS_DEFINITION, TASK, PROCESS_INSTANCE, DEPLOYMENT = 6, 7, 8, 9
GLOBAL, GRANT, REVOKE = 0, 1, 2
USER_TASK = ("user_task.bpmn", (RESOURCES / "api" / "user_task.bpmn").read_bytes())


@pytest.fixture
def engine(db_url: str, clock: SettableClock) -> Iterator[Engine]:
    config = EngineConfig(database_url=db_url, sqlite_synchronous="NORMAL", authentication_enabled=True)
    with Engine(config, clock=clock) as e:
        e.identity.create_user(User("admin"), "admin-pw")
        e.identity.create_group(Group(ADMIN_GROUP))
        e.identity.add_group_member(ADMIN_GROUP, "admin")
        for user_id in ("jonny", "mary"):
            e.identity.create_user(User(user_id), f"{user_id}-pw")
        e.identity.create_group(Group("clerks"))
        e.identity.add_group_member("clerks", "jonny")
        yield e


def _auth(
    engine: Engine,
    type_: int,
    resource_type: int,
    resource_id: str,
    *permissions: str,
    user: str | None = None,
    group: str | None = None,
) -> str:
    created = engine.authorizations.create(
        type_=type_,
        permissions=list(permissions),
        resource_type=resource_type,
        resource_id=resource_id,
        owner_user_id=user,
        owner_group_id=group,
    )
    return created.id


def _start(engine: Engine, count: int = 1, tenant_id: str | None = None) -> list[str]:
    definition = engine.repository.deploy([USER_TASK], tenant_id=tenant_id).process_definitions[0]
    return [engine.runtime.start_process_instance(definition.id).instance.id for _ in range(count)]


def _may_read(engine: Engine, user_id: str, instance_id: str) -> bool:
    query = ProcessInstanceQuery(process_instance_ids=[instance_id])
    return engine.runtime.count_process_instances(query, user_id=user_id) == 1


def test_precedence_user_revoke_user_grant_group_revoke_group_grant_global(engine: Engine) -> None:
    [instance] = _start(engine)
    assert not _may_read(engine, "jonny", instance)
    global_ = _auth(engine, GLOBAL, PROCESS_INSTANCE, "*", "READ")
    assert _may_read(engine, "jonny", instance)
    group_revoke = _auth(engine, REVOKE, PROCESS_INSTANCE, instance, "READ", group="clerks")
    assert not _may_read(engine, "jonny", instance)  # group revoke beats global
    assert _may_read(engine, "mary", instance)  # mary is no clerk
    _auth(engine, GRANT, PROCESS_INSTANCE, "*", "READ", user="jonny")
    assert _may_read(engine, "jonny", instance)  # user grant beats group revoke
    _auth(engine, REVOKE, PROCESS_INSTANCE, "*", "ALL", user="jonny")
    assert not _may_read(engine, "jonny", instance)  # user revoke beats user grant
    engine.authorizations.delete(global_)
    engine.authorizations.delete(group_revoke)
    assert not _may_read(engine, "mary", instance)


def test_group_grant_and_specific_ids_filter_queries_in_sql(engine: Engine) -> None:
    first, second, third = _start(engine, 3)
    _auth(engine, GRANT, PROCESS_INSTANCE, first, "READ", group="clerks")
    _auth(engine, GRANT, PROCESS_INSTANCE, second, "READ", "UPDATE", user="jonny")
    seen = {i.id for i in engine.runtime.query_process_instances(ProcessInstanceQuery(), user_id="jonny")}
    assert seen == {first, second}
    assert engine.runtime.count_process_instances(ProcessInstanceQuery(), user_id="jonny") == 2
    assert engine.runtime.count_process_instances(ProcessInstanceQuery(), user_id="mary") == 0
    assert engine.runtime.count_process_instances(ProcessInstanceQuery(), user_id="admin") == 3
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 3  # no user: no check
    # READ on every task but a revoke on one: that one is hidden
    _auth(engine, GRANT, TASK, "*", "READ", user="mary")
    hidden = engine.tasks.query(TaskQuery(process_instance_id=third))[0].id
    _auth(engine, REVOKE, TASK, hidden, "READ", user="mary")
    visible = engine.tasks.query(TaskQuery(), user_id="mary")
    assert len(visible) == 2 and hidden not in {t.id for t in visible}
    assert engine.tasks.count(TaskQuery(), user_id="mary") == 2
    # the paths are alternatives (Camunda's disjunctive check): READ_TASK on the definition
    # shows the revoked task again
    _auth(engine, GRANT, PROCESS_DEFINITION, "userProcess", "READ_TASK", user="mary")
    assert engine.tasks.count(TaskQuery(), user_id="mary") == 3
    _auth(engine, REVOKE, PROCESS_DEFINITION, "userProcess", "READ_TASK", user="mary")
    as_mary = engine.as_user("mary")
    assert as_mary.tasks.count(TaskQuery()) == 2


def test_refused_commands_change_nothing(engine: Engine) -> None:
    [instance] = _start(engine)
    task = engine.tasks.query(TaskQuery(process_instance_id=instance))[0]
    with pytest.raises(AuthorizationError) as refused:
        engine.tasks.complete(task.id, user_id="jonny")
    assert refused.value.status == 403 and refused.value.user_id == "jonny"
    assert {m.permission_name for m in refused.value.missing} == {"TASK_WORK", "UPDATE", "UPDATE_TASK"}
    with pytest.raises(AuthorizationError):
        engine.tasks.handle_bpmn_error(task.id, "E", user_id="jonny")
    with pytest.raises(AuthorizationError):
        engine.as_user("jonny").tasks.set_assignee(task.id, "jonny")
    with pytest.raises(AuthorizationError):
        engine.runtime.delete_process_instance(instance, user_id="jonny")
    with pytest.raises(AuthorizationError):
        engine.runtime.start_process_instance(task.process_definition_id, user_id="jonny")
    with pytest.raises(AuthorizationError):
        engine.repository.deploy([USER_TASK], user_id="jonny")
    assert engine.tasks.get(task.id).assignee == "demo"
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 1
    assert len(engine.repository.query_deployments(DeploymentQuery())) == 1
    # with TASK_WORK through the group the same call goes through
    _auth(engine, GRANT, TASK, task.id, "TASK_WORK", group="clerks")
    engine.tasks.complete(task.id, user_id="jonny")
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_start_needs_both_permissions_and_sets_the_initiator_user(engine: Engine) -> None:
    definition = engine.repository.deploy([USER_TASK]).process_definitions[0]
    _auth(engine, GRANT, PROCESS_DEFINITION, "userProcess", "CREATE_INSTANCE", user="jonny")
    with pytest.raises(AuthorizationError) as refused:
        engine.runtime.start_process_instance(definition.id, user_id="jonny")
    assert [(m.permission_name, m.resource_name) for m in refused.value.missing] == [
        ("CREATE", "ProcessInstance")
    ]
    _auth(engine, GRANT, PROCESS_INSTANCE, "*", "CREATE", user="jonny")
    engine.runtime.start_process_instance(definition.id, user_id="jonny")
    # the starter may not read the instance it started unless granted (Camunda's rule too)
    assert engine.runtime.count_process_instances(ProcessInstanceQuery(), user_id="jonny") == 0


def test_deployer_may_read_and_delete_its_deployment(engine: Engine) -> None:
    _auth(engine, GRANT, DEPLOYMENT, "*", "CREATE", user="jonny")
    deployment = engine.repository.deploy([USER_TASK], user_id="jonny").deployment
    with pytest.raises(AuthorizationError):
        engine.repository.delete_deployment(deployment.id, user_id="mary")
    engine.repository.delete_deployment(deployment.id, user_id="jonny")


def test_users_only_see_their_tenants(engine: Engine) -> None:
    engine.identity.create_tenant(Tenant("t1"))
    engine.identity.create_tenant(Tenant("t2"))
    engine.identity.add_tenant_member("t1", member_group_id="clerks")
    engine.identity.add_tenant_member("t2", member_user_id="mary")
    [in_t1] = _start(engine, tenant_id="t1")
    [in_t2] = _start(engine, tenant_id="t2")
    [shared] = _start(engine)
    _auth(engine, GLOBAL, PROCESS_INSTANCE, "*", "READ")
    _auth(engine, GLOBAL, TASK, "*", "READ", "UPDATE")

    def seen(user: str) -> set[str]:
        return {i.id for i in engine.runtime.query_process_instances(ProcessInstanceQuery(), user_id=user)}

    assert seen("jonny") == {in_t1, shared}
    assert seen("mary") == {in_t2, shared}
    assert seen("admin") == {in_t1, in_t2, shared}
    task_t2 = engine.tasks.query(TaskQuery(process_instance_id=in_t2))[0]
    assert engine.tasks.count(TaskQuery(), user_id="jonny") == 2
    with pytest.raises(Exception, match="belongs to no authenticated tenant"):
        engine.tasks.complete(task_t2.id, user_id="jonny")
    engine.tasks.complete(task_t2.id, user_id="mary")


def test_checks_are_off_without_authentication(tmp_path: Path) -> None:
    with Engine(EngineConfig(database_url=f"sqlite:///{tmp_path / 'off.db'}")) as engine:
        [instance] = _start(engine)
        task = engine.tasks.query(TaskQuery(process_instance_id=instance))[0]
        assert engine.runtime.count_process_instances(ProcessInstanceQuery(), user_id="anyone") == 1
        engine.tasks.complete(task.id, user_id="anyone")


def test_authorization_check_answers_for_the_user(engine: Engine) -> None:
    _auth(engine, GRANT, TASK, "*", "READ", group="clerks")
    assert engine.authorizations.is_user_authorized("READ", "Task", TASK, "x", user_id="jonny").authorized
    assert not engine.authorizations.is_user_authorized("READ", "Task", TASK, "x", user_id="mary").authorized
    assert engine.authorizations.is_user_authorized("DELETE", "Task", TASK, "x", user_id="admin").authorized
    # a new user is granted ALL on itself (Camunda's default authorization)
    assert engine.authorizations.is_user_authorized("UPDATE", "User", 1, "mary", user_id="mary").authorized
    assert not engine.authorizations.is_user_authorized(
        "UPDATE", "User", 1, "jonny", user_id="mary"
    ).authorized
