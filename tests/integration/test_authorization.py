"""Authorization through the embedded API on SQLite and PostgreSQL: Camunda's precedence
(user revoke > user grant > group revoke > group grant > global), ``*`` and specific resource
ids, queries filtered in SQL (counts match the allowed subset: instances, tasks, definitions,
deployments, variables, incidents, jobs), tenants, the ``user_id`` keyword and
``engine.as_user``, refusals that change nothing, and Camunda's default task permissions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support import RESOURCES

from cadenza.clock import SettableClock
from cadenza.config import EngineConfig
from cadenza.errors import NotFoundError
from cadenza.services import (
    ADMIN_GROUP,
    AuthorizationError,
    AuthorizationQuery,
    DeploymentQuery,
    Engine,
    Group,
    IncidentQuery,
    JobQuery,
    ProcessDefinitionQuery,
    ProcessInstanceQuery,
    TaskQuery,
    Tenant,
    User,
    UserTask,
    typed_value_from_python,
)
from cadenza.services.tasks import TaskUpdate
from cadenza.services.variables import VariableInstanceQuery

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


# ── definitions, deployments, variables, incidents, jobs (filtered in SQL) ──────────────────
JOBS = ("jobs.bpmn", (RESOURCES / "api" / "jobs_and_messages.bpmn").read_bytes())


def test_definitions_and_deployments_filtered_and_checked(engine: Engine) -> None:
    first = engine.repository.deploy([USER_TASK])
    second = engine.repository.deploy([JOBS])
    user_process, jobs = first.process_definitions[0], second.process_definitions[0]
    _auth(engine, GRANT, PROCESS_DEFINITION, "*", "READ", user="jonny")
    _auth(engine, REVOKE, PROCESS_DEFINITION, "jobs_and_messages", "READ", user="jonny")
    seen = engine.repository.query_process_definitions(ProcessDefinitionQuery(), user_id="jonny")
    assert [d.key for d in seen] == ["userProcess"]
    assert engine.repository.count_process_definitions(ProcessDefinitionQuery(), user_id="jonny") == 1
    assert engine.repository.count_process_definitions(ProcessDefinitionQuery(), user_id="admin") == 2
    assert engine.repository.get_process_definition(user_process.id, user_id="jonny").key == "userProcess"
    with pytest.raises(AuthorizationError):
        engine.repository.get_process_definition(jobs.id, user_id="jonny")
    with pytest.raises(AuthorizationError):
        engine.repository.get_process_definition_xml(jobs.id, user_id="jonny")
    with pytest.raises(NotFoundError):  # by key: the query finds nothing, as in Camunda
        engine.repository.get_latest_process_definition("jobs_and_messages", user_id="jonny")
    # deployments: READ on one of them
    _auth(engine, GRANT, DEPLOYMENT, second.deployment.id, "READ", group="clerks")
    as_jonny = engine.as_user("jonny")
    assert [d.id for d in as_jonny.repository.query_deployments(DeploymentQuery())] == [second.deployment.id]
    assert as_jonny.repository.count_deployments(DeploymentQuery()) == 1
    assert [r.name for r in as_jonny.repository.get_deployment_resources(second.deployment.id)] == [
        "jobs.bpmn"
    ]
    with pytest.raises(NotFoundError):
        as_jonny.repository.get_deployment(first.deployment.id)
    with pytest.raises(AuthorizationError):
        as_jonny.repository.get_deployment_resources(first.deployment.id)
    assert engine.repository.count_deployments(DeploymentQuery(), user_id="mary") == 0


def test_variables_incidents_and_jobs_filtered_by_instance_and_task(engine: Engine) -> None:
    definition = engine.repository.deploy([JOBS]).process_definitions[0]
    ok = {"ok": typed_value_from_python(True)}
    first, second = (
        engine.runtime.start_process_instance(definition.id, variables=ok).instance.id for _ in range(2)
    )
    for job in engine.jobs.query(JobQuery(process_instance_id=second)):
        engine.jobs.set_retries(job.id, 0)  # an incident in the second instance
    assert engine.incidents.count(IncidentQuery()) == 1
    _auth(engine, GRANT, PROCESS_INSTANCE, first, "READ", user="jonny")
    assert [j.process_instance_id for j in engine.jobs.query(JobQuery(), user_id="jonny")] == [first]
    assert engine.incidents.count(IncidentQuery(), user_id="jonny") == 0
    variables = engine.variables.query_variable_instances(VariableInstanceQuery(), user_id="jonny")
    assert {v.process_instance_id for v in variables} == {first}
    assert engine.runtime.get_variables(first, user_id="jonny") == {"ok": ok["ok"]}
    with pytest.raises(AuthorizationError):
        engine.runtime.get_variables(second, user_id="jonny")
    _auth(engine, GRANT, PROCESS_DEFINITION, "jobs_and_messages", "READ_INSTANCE", user="mary")
    assert engine.incidents.count(IncidentQuery(), user_id="mary") == 1
    assert engine.jobs.count(JobQuery(), user_id="mary") == 2
    assert engine.variables.count_variable_instances(VariableInstanceQuery(), user_id="mary") == 2
    # a task variable is visible through the task alone; the instance's are not
    [task] = _tasks(engine, _start(engine)[0])
    engine.tasks.set_variable(task.id, "note", typed_value_from_python("x"), local=True)
    _auth(engine, GRANT, TASK, task.id, "READ", user="jonny")
    names = {
        v.name for v in engine.variables.query_variable_instances(VariableInstanceQuery(), user_id="jonny")
    }
    assert names == {"ok", "note"}
    assert engine.tasks.get_variables(task.id, local=True, user_id="jonny")["note"].value == "x"
    assert [link.user_id for link in engine.tasks.get_identity_links(task.id, user_id="jonny")] == ["demo"]
    with pytest.raises(AuthorizationError):
        engine.tasks.get_identity_links(task.id, user_id="mary")


def test_job_suspension_and_message_commands_need_update(engine: Engine) -> None:
    definition = engine.repository.deploy([JOBS]).process_definitions[0]
    ok = {"ok": typed_value_from_python(True)}
    instance = engine.runtime.start_process_instance(
        definition.id, variables=ok, business_key="b1"
    ).instance.id
    [job] = engine.jobs.query(JobQuery(process_instance_id=instance))
    for refused in (
        lambda: engine.as_user("jonny").jobs.set_retries(job.id, 9),
        lambda: engine.as_user("jonny").jobs.execute(job.id),
        lambda: engine.as_user("jonny").suspension.set_process_instance_suspended(instance, True),
        lambda: engine.as_user("jonny").suspension.set_process_definition_suspended(
            key="jobs_and_messages", suspended=True
        ),
    ):
        with pytest.raises(AuthorizationError):
            refused()
    assert engine.jobs.get(job.id).retries == 3 and not engine.jobs.get(job.id).suspended
    _auth(engine, GRANT, PROCESS_DEFINITION, "jobs_and_messages", "RETRY_JOB", "SUSPEND", user="jonny")
    as_jonny = engine.as_user("jonny")
    as_jonny.jobs.set_retries(job.id, 9)
    as_jonny.suspension.set_process_definition_suspended(key="jobs_and_messages", suspended=True)
    with pytest.raises(AuthorizationError):  # the instances too: SUSPEND_INSTANCE or UPDATE_INSTANCE
        as_jonny.suspension.set_process_definition_suspended(
            key="jobs_and_messages", suspended=False, include_process_instances=True
        )
    as_jonny.suspension.set_process_definition_suspended(key="jobs_and_messages", suspended=False)
    _auth(engine, GRANT, PROCESS_INSTANCE, instance, "UPDATE", user="jonny")
    as_jonny.jobs.execute(job.id)  # on to the receive task
    with pytest.raises(AuthorizationError):
        engine.as_user("mary").messages.correlate("go", business_key="b1")
    [reached] = as_jonny.messages.correlate("go", business_key="b1")
    assert reached.result_type == "Execution"


# ── Camunda's default task permissions ──────────────────────────────────────────────────────
def _tasks(engine: Engine, instance_id: str) -> list[UserTask]:
    return engine.tasks.query(TaskQuery(process_instance_id=instance_id))


def _task_grants(engine: Engine, task_id: str) -> dict[str, list[str]]:
    found = engine.authorizations.query(AuthorizationQuery(resource_type=TASK, resource_id=task_id))
    return {(a.user_id or f"group:{a.group_id}"): a.permissions for a in found}


def test_assignee_owner_and_candidates_get_the_default_task_permission(engine: Engine) -> None:
    engine.identity.create_user(User("demo"), "demo-pw")
    [instance] = _start(engine)
    [task] = _tasks(engine, instance)
    # the model's assignee may read and work on its task, nobody else may
    assert _task_grants(engine, task.id) == {"demo": ["READ", "UPDATE"]}
    assert engine.tasks.count(TaskQuery(), user_id="demo") == 1
    assert engine.tasks.count(TaskQuery(), user_id="jonny") == 0
    engine.tasks.add_identity_link(task.id, "candidate", group_id="clerks")
    engine.tasks.set_owner(task.id, "mary")
    engine.tasks.set_assignee(task.id, None)  # unassigning revokes nothing (Camunda neither)
    assert _task_grants(engine, task.id) == {
        "demo": ["READ", "UPDATE"],
        "group:clerks": ["READ", "UPDATE"],
        "mary": ["READ", "UPDATE"],
    }
    engine.as_user("jonny").tasks.claim(task.id, "jonny")  # through the clerks' grant
    assert _task_grants(engine, task.id)["jonny"] == ["READ", "UPDATE"]
    engine.tasks.complete(task.id, user_id="jonny")
    assert _task_grants(engine, task.id) == {}  # the task's authorizations go with it
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_an_existing_grant_is_widened_and_task_work_is_configurable(
    db_url: str, clock: SettableClock
) -> None:
    config = EngineConfig(
        database_url=db_url,
        sqlite_synchronous="NORMAL",
        authentication_enabled=True,
        default_user_permission_for_task="TASK_WORK",
    )
    with Engine(config, clock=clock) as e:
        e.identity.create_user(User("demo"), "demo-pw")
        [instance] = _start(e)
        [task] = _tasks(e, instance)
        assert _task_grants(e, task.id) == {"demo": ["READ", "TASK_WORK"]}
        _auth(e, GRANT, TASK, task.id, "DELETE", user="jonny")
        e.tasks.add_identity_link(task.id, "candidate", user_id="jonny")
        assert sorted(_task_grants(e, task.id)["jonny"]) == ["DELETE", "READ", "TASK_WORK"]
        assert len(e.authorizations.query(AuthorizationQuery(resource_type=TASK))) == 2
        with pytest.raises(AuthorizationError):  # TASK_WORK is not UPDATE: no renaming the task
            e.as_user("demo").tasks.update(task.id, TaskUpdate(name="x"))
        e.as_user("demo").tasks.complete(task.id)


def test_no_default_task_permissions_without_authentication(tmp_path: Path) -> None:
    with Engine(EngineConfig(database_url=f"sqlite:///{tmp_path / 'off.db'}")) as e:
        [instance] = _start(e)
        [task] = _tasks(e, instance)
        assert _task_grants(e, task.id) == {}
