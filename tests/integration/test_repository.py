"""Repository service on SQLite and PostgreSQL: deploy, versions, duplicate filtering, parse
errors, deployment/definition queries and deletion."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cadenza.clock import SettableClock
from cadenza.errors import BadUserRequestError, NotFoundError, ParseError
from cadenza.services import (
    DeploymentQuery,
    Engine,
    ExternalTaskQuery,
    Page,
    ProcessDefinitionQuery,
    ProcessInstanceQuery,
    TaskQuery,
)
from conftest import RESOURCES

INVOICE = RESOURCES / "repository" / "invoice.bpmn"
SHIPPING = RESOURCES / "repository" / "shipping.bpmn"


def _resource(path: Path, replace: tuple[str, str] | None = None) -> tuple[str, bytes]:
    content = path.read_bytes()
    if replace is not None:
        content = content.replace(replace[0].encode(), replace[1].encode())
    return path.name, content


def _changed_invoice() -> tuple[str, bytes]:
    return _resource(INVOICE, ('name="Approve invoice"', 'name="Approve invoice (v2)"'))


def test_deploy_same_key_twice_creates_consecutive_versions(engine: Engine) -> None:
    first = engine.repository.deploy([_resource(INVOICE)], name="invoices")
    second = engine.repository.deploy([_resource(INVOICE)], name="invoices")

    assert [d.version for d in first.process_definitions] == [1]
    assert [d.version for d in second.process_definitions] == [2]
    latest = engine.repository.get_latest_process_definition("invoice")
    assert latest.id == second.process_definitions[0].id
    assert latest.deployment_id == second.deployment.id
    assert (latest.key, latest.name, latest.resource_name) == ("invoice", "Invoice", "invoice.bpmn")


def test_deploy_versions_are_counted_per_key(engine: Engine) -> None:
    engine.repository.deploy([_resource(INVOICE)])
    engine.repository.deploy([_resource(INVOICE)])

    result = engine.repository.deploy([_resource(SHIPPING), _resource(INVOICE)])

    assert {(d.key, d.version) for d in result.process_definitions} == {("shipping", 1), ("invoice", 3)}


def test_deploy_unchanged_with_duplicate_filtering_returns_previous_deployment(engine: Engine) -> None:
    first = engine.repository.deploy([_resource(INVOICE)], name="invoices")

    again = engine.repository.deploy([_resource(INVOICE)], name="invoices", enable_duplicate_filtering=True)

    assert again.deployment.id == first.deployment.id
    assert again.process_definitions == []
    assert engine.repository.count_deployments(DeploymentQuery()) == 1
    assert engine.repository.get_latest_process_definition("invoice").version == 1


def test_deploy_changed_with_duplicate_filtering_deploys_new_version(engine: Engine) -> None:
    engine.repository.deploy([_resource(INVOICE)], name="invoices")

    again = engine.repository.deploy([_changed_invoice()], name="invoices", enable_duplicate_filtering=True)

    assert [d.version for d in again.process_definitions] == [2]
    assert engine.repository.count_deployments(DeploymentQuery()) == 2


def test_deploy_unchanged_with_duplicate_filtering_under_other_name_deploys_again(engine: Engine) -> None:
    engine.repository.deploy([_resource(INVOICE)], name="invoices")

    again = engine.repository.deploy([_resource(INVOICE)], name="other", enable_duplicate_filtering=True)

    assert [d.version for d in again.process_definitions] == [2]


def test_deploy_one_changed_with_duplicate_filtering_redeploys_every_resource(engine: Engine) -> None:
    engine.repository.deploy([_resource(INVOICE), _resource(SHIPPING)], name="bundle")

    again = engine.repository.deploy(
        [_changed_invoice(), _resource(SHIPPING)], name="bundle", enable_duplicate_filtering=True
    )

    assert {(d.key, d.version) for d in again.process_definitions} == {("invoice", 2), ("shipping", 2)}


def test_deploy_changed_only_deploys_just_the_changed_resource(engine: Engine) -> None:
    engine.repository.deploy([_resource(INVOICE), _resource(SHIPPING)], name="bundle")

    again = engine.repository.deploy(
        [_changed_invoice(), _resource(SHIPPING)], name="bundle", deploy_changed_only=True
    )

    assert [(d.key, d.version) for d in again.process_definitions] == [("invoice", 2)]
    names = [r.name for r in engine.repository.get_deployment_resources(again.deployment.id)]
    assert names == ["invoice.bpmn"]
    assert engine.repository.get_latest_process_definition("shipping").version == 1


def test_deploy_with_parse_errors_lists_every_problem_and_writes_nothing(engine: Engine) -> None:
    with pytest.raises(ParseError) as caught:
        engine.repository.deploy(
            [_resource(INVOICE), _resource(RESOURCES / "repository" / "several_problems.bpmn")]
        )

    problems = caught.value.problems
    assert {p.main_element_id for p in problems} == {"calculate", "waitForMessage", "toNowhere"}
    assert all(p.resource == "several_problems.bpmn" for p in problems)
    assert engine.repository.count_deployments(DeploymentQuery()) == 0
    assert engine.repository.count_process_definitions(ProcessDefinitionQuery()) == 0


def test_deploy_unsupported_element_raises_parse_error_naming_the_element(engine: Engine) -> None:
    with pytest.raises(ParseError) as caught:
        engine.repository.deploy([_resource(RESOURCES / "repository" / "unsupported_element.bpmn")])

    (problem,) = caught.value.problems
    assert problem.element_ids == ("waitForMessage",)
    assert "scriptTask" in problem.message
    assert caught.value.status == 400


def test_deploy_without_resources_raises_bad_user_request(engine: Engine) -> None:
    with pytest.raises(BadUserRequestError):
        engine.repository.deploy([])


def test_query_deployments_filters_sorts_and_pages(engine: Engine, clock: SettableClock) -> None:
    ids = []
    for name in ("beta", "alpha", "gamma"):
        ids.append(engine.repository.deploy([_resource(INVOICE)], name=name).deployment.id)
        clock.advance(timedelta(minutes=1))

    by_name = engine.repository.query_deployments(DeploymentQuery(sorting=[("name", True)]))
    newest_first = engine.repository.query_deployments(
        DeploymentQuery(sorting=[("deploymentTime", False)]), Page(first_result=1, max_results=1)
    )
    named = engine.repository.query_deployments(DeploymentQuery(name_like="%a%a%"))

    assert [d.name for d in by_name] == ["alpha", "beta", "gamma"]
    assert [d.id for d in newest_first] == [ids[1]]
    assert sorted(d.name for d in named) == ["alpha", "gamma"]
    assert engine.repository.count_deployments(DeploymentQuery(name="beta")) == 1
    assert engine.repository.get_deployment(ids[0]).deployment_time == by_name[1].deployment_time


def test_query_process_definitions_latest_version_returns_one_per_key(engine: Engine) -> None:
    for _ in range(3):
        engine.repository.deploy([_resource(INVOICE)])
    engine.repository.deploy([_resource(SHIPPING)])

    latest = engine.repository.query_process_definitions(
        ProcessDefinitionQuery(latest_version=True, sorting=[("key", True)])
    )

    assert [(d.key, d.version) for d in latest] == [("invoice", 3), ("shipping", 1)]
    assert engine.repository.count_process_definitions(ProcessDefinitionQuery(key="invoice")) == 3


def test_query_process_definitions_sorted_by_version_desc_with_paging(engine: Engine) -> None:
    for _ in range(4):
        engine.repository.deploy([_resource(INVOICE)])

    page = engine.repository.query_process_definitions(
        ProcessDefinitionQuery(key="invoice", sorting=[("version", False)]),
        Page(first_result=1, max_results=2),
    )

    assert [d.version for d in page] == [3, 2]


def test_get_latest_process_definition_unknown_key_raises_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="No matching process definition with key: nope"):
        engine.repository.get_latest_process_definition("nope")


def test_delete_deployment_with_running_instances_without_cascade_is_refused(engine: Engine) -> None:
    deployed = engine.repository.deploy([_resource(INVOICE)])
    engine.runtime.start_process_instance(deployed.process_definitions[0].id)

    with pytest.raises(BadUserRequestError, match="cascade"):
        engine.repository.delete_deployment(deployed.deployment.id)

    assert engine.repository.count_deployments(DeploymentQuery()) == 1
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 1


def test_delete_deployment_with_cascade_removes_instances_tasks_and_definitions(engine: Engine) -> None:
    kept = engine.repository.deploy([_resource(SHIPPING)])
    doomed = engine.repository.deploy([_resource(INVOICE)])
    engine.runtime.start_process_instance(doomed.process_definitions[0].id)
    engine.runtime.start_process_instance(kept.process_definitions[0].id)

    engine.repository.delete_deployment(doomed.deployment.id, cascade=True)

    assert [d.id for d in engine.repository.query_deployments(DeploymentQuery())] == [kept.deployment.id]
    assert [d.key for d in engine.repository.query_process_definitions(ProcessDefinitionQuery())] == [
        "shipping"
    ]
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 1
    assert engine.tasks.count(TaskQuery()) == 0
    assert engine.external_tasks.count(ExternalTaskQuery()) == 1
    with pytest.raises(NotFoundError):
        engine.runtime.start_process_instance(doomed.process_definitions[0].id)


def test_delete_deployment_without_instances_removes_it_and_previous_version_becomes_latest(
    engine: Engine,
) -> None:
    first = engine.repository.deploy([_resource(INVOICE)])
    second = engine.repository.deploy([_resource(INVOICE)])

    engine.repository.delete_deployment(second.deployment.id)

    assert engine.repository.get_latest_process_definition("invoice").id == first.process_definitions[0].id
    with pytest.raises(NotFoundError):
        engine.repository.get_deployment(second.deployment.id)


def test_delete_deployment_unknown_id_raises_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        engine.repository.delete_deployment("no-such-deployment")
