"""``GET /process-definition/statistics`` and ``GET /process-definition/{id}/statistics``."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cadenza.services import Engine

from .cockpit_support import complete_approval, complete_charge, deploy_order, fail_charge, start_order
from .helpers import BASE, assert_error, assert_json

STATS = f"{BASE}/process-definition/statistics"
DTO_PACKAGE = "org.camunda.bpm.engine.rest.dto.repository"


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_definition_statistics_lists_every_definition_with_its_shape(
    client: TestClient, engine: Engine
) -> None:
    definition_id = deploy_order(engine)
    body = assert_json(client.get(STATS))
    assert len(body) == 1
    stats = body[0]
    assert set(stats) == {"@class", "id", "instances", "failedJobs", "definition", "incidents"}
    assert stats["@class"] == f"{DTO_PACKAGE}.ProcessDefinitionStatisticsResultDto"
    assert stats["id"] == definition_id
    assert (stats["instances"], stats["failedJobs"], stats["incidents"]) == (0, 0, [])
    assert stats["definition"]["id"] == definition_id
    assert stats["definition"]["key"] == "order"
    assert stats["definition"]["name"] == "Order fulfilment"


def test_definition_statistics_counts_running_instances_per_version(
    client: TestClient, engine: Engine
) -> None:
    first = deploy_order(engine)
    start_order(client)
    second = deploy_order(engine)
    start_order(client)
    start_order(client)
    stats = _by_id(assert_json(client.get(STATS)))
    assert stats[first]["instances"] == 1
    assert stats[second]["instances"] == 2


def test_definition_statistics_counts_incidents_by_type_only_when_asked(
    client: TestClient, engine: Engine
) -> None:
    definition_id = deploy_order(engine)
    fail_charge(client, start_order(client))
    fail_charge(client, start_order(client))
    start_order(client)
    without = _by_id(assert_json(client.get(STATS)))[definition_id]
    assert without["incidents"] == []
    stats = _by_id(assert_json(client.get(STATS, params={"incidents": "true"})))[definition_id]
    assert stats["instances"] == 3
    assert stats["incidents"] == [{"incidentType": "failedExternalTask", "incidentCount": 2}]
    typed = _by_id(assert_json(client.get(STATS, params={"incidentsForType": "failedJob"})))
    assert typed[definition_id]["incidents"] == []
    roots = _by_id(assert_json(client.get(STATS, params={"rootIncidents": "true"})))
    assert roots[definition_id]["incidents"] == [{"incidentType": "failedExternalTask", "incidentCount": 2}]


def test_definition_statistics_refuses_two_incident_options(client: TestClient) -> None:
    response = client.get(STATS, params={"incidents": "true", "incidentsForType": "failedJob"})
    assert_error(
        response,
        400,
        "InvalidRequestException",
        "Only one of the query parameter includeIncidents or includeIncidentsForType can be set.",
    )
    assert_error(client.get(STATS, params={"failedJobs": "maybe"}), 400, "InvalidRequestException")


def test_activity_statistics_counts_active_activity_instances(client: TestClient, engine: Engine) -> None:
    definition_id = deploy_order(engine)
    first = start_order(client)
    start_order(client)
    complete_approval(client, first)
    complete_charge(client, first)  # joins, enters the sub-process: "pack"
    body = assert_json(client.get(f"{BASE}/process-definition/{definition_id}/statistics"))
    assert [set(item) for item in body] == [{"@class", "id", "instances", "failedJobs", "incidents"}] * 3
    counts = {item["id"]: item["instances"] for item in body}
    # the waiting sub-process and the joined gateway are not counted, as in Camunda
    assert counts == {"approve": 1, "charge": 1, "pack": 1}
    assert body[0]["@class"] == f"{DTO_PACKAGE}.ActivityStatisticsResultDto"


def test_activity_statistics_with_incidents(client: TestClient, engine: Engine) -> None:
    definition_id = deploy_order(engine)
    fail_charge(client, start_order(client))
    url = f"{BASE}/process-definition/{definition_id}/statistics"
    stats = _by_id(assert_json(client.get(url, params={"incidents": "true"})))
    assert stats["charge"]["instances"] == 1
    assert stats["charge"]["incidents"] == [{"incidentType": "failedExternalTask", "incidentCount": 1}]
    assert stats["approve"]["incidents"] == []
    assert _by_id(assert_json(client.get(url)))["charge"]["incidents"] == []
    typed = _by_id(assert_json(client.get(url, params={"incidentsForType": "failedExternalTask"})))
    assert typed["charge"]["incidents"][0]["incidentCount"] == 1


def test_activity_statistics_of_unknown_definition_is_empty(client: TestClient) -> None:
    # Camunda runs the statistics query without checking the definition: an empty list
    assert assert_json(client.get(f"{BASE}/process-definition/nope:1:x/statistics")) == []


def test_statistics_also_under_the_named_engine(client: TestClient, engine: Engine) -> None:
    deploy_order(engine)
    assert len(assert_json(client.get(f"{BASE}/engine/default/process-definition/statistics"))) == 1
