"""``/deployment``: multipart create as real clients send it, list, get, delete, resources."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy
from .helpers import BASE, DATE_FORMAT, assert_error, assert_json, resource

DEPLOYMENT_KEYS = {"links", "id", "name", "source", "deploymentTime", "tenantId"}
WITH_DEFINITIONS_KEYS = DEPLOYMENT_KEYS | {
    "deployedProcessDefinitions",
    "deployedCaseDefinitions",
    "deployedDecisionDefinitions",
    "deployedDecisionRequirementsDefinitions",
}
DEFINITION_KEYS = {
    "id",
    "key",
    "category",
    "description",
    "name",
    "version",
    "resource",
    "deploymentId",
    "diagram",
    "suspended",
    "tenantId",
    "versionTag",
    "historyTimeToLive",
    "startableInTasklist",
}


def _count(client: TestClient) -> int:
    count: int = assert_json(client.get(f"{BASE}/deployment/count"))["count"]
    return count


def test_create_returns_deployment_with_definitions(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/deployment/create",
        data={"deployment-name": "orders", "deployment-source": "Camunda Modeler"},
        files={"upload": ("external_task.bpmn", resource("external_task.bpmn"), "text/xml")},
    )
    body = assert_json(response)
    assert set(body) == WITH_DEFINITIONS_KEYS
    assert body["links"] == [
        {"method": "GET", "href": f"http://testserver{BASE}/deployment/{body['id']}", "rel": "self"}
    ]
    assert body["name"] == "orders"
    assert body["source"] == "Camunda Modeler"
    assert body["tenantId"] is None
    assert DATE_FORMAT.match(body["deploymentTime"])
    assert body["deployedCaseDefinitions"] is None
    assert body["deployedDecisionDefinitions"] is None
    assert body["deployedDecisionRequirementsDefinitions"] is None
    (definition,) = body["deployedProcessDefinitions"].values()
    assert set(definition) == DEFINITION_KEYS
    assert definition["key"] == "externalProcess"
    assert definition["version"] == 1
    assert definition["resource"] == "external_task.bpmn"
    assert definition["deploymentId"] == body["id"]
    assert body["deployedProcessDefinitions"] == {definition["id"]: definition}


def test_create_under_named_engine_links_to_named_path(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/engine/default/deployment/create",
        files={"data": ("straight.bpmn", resource("straight_through.bpmn"), "application/octet-stream")},
    )
    body = assert_json(response)
    assert body["links"][0]["href"] == f"http://testserver{BASE}/engine/default/deployment/{body['id']}"


def test_duplicate_filtering_with_python_style_boolean(client: TestClient, deploy: Deploy) -> None:
    first = deploy("external_task.bpmn", name="dup")
    again = deploy("external_task.bpmn", name="dup", **{"enable-duplicate-filtering": "True"})
    assert first["deployedProcessDefinitions"]
    assert again["deployedProcessDefinitions"] is None
    changed = deploy("external_task.bpmn", name="dup", **{"deploy-changed-only": "TRUE"})
    assert changed["deployedProcessDefinitions"] is None


def test_redeploy_without_filtering_creates_a_new_version(deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    second = deploy("external_task.bpmn")
    (definition,) = second["deployedProcessDefinitions"].values()
    assert definition["version"] == 2


def test_resource_part_without_filename_is_refused(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/deployment/create",
        files={"deployment-name": (None, b"x"), "data": (None, resource("external_task.bpmn"))},
    )
    assert_error(
        response,
        400,
        "InvalidRequestException",
        "No file name found in the deployment resource described by form parameter 'data'.",
    )
    assert _count(client) == 0


def test_no_resources_is_refused(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/deployment/create",
        files={"deployment-name": (None, b"empty")},
    )
    assert_error(
        response, 400, "InvalidRequestException", "No deployment resources contained in the form upload."
    )
    assert _count(client) == 0


def test_bad_boolean_form_field_is_refused(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/deployment/create",
        data={"enable-duplicate-filtering": "maybe"},
        files={"data": ("a.bpmn", resource("external_task.bpmn"))},
    )
    assert_error(response, 400, "InvalidRequestException")
    assert _count(client) == 0


def test_json_body_is_415(client: TestClient) -> None:
    response = client.post(f"{BASE}/deployment/create", json={"deployment-name": "x"})
    assert_error(response, 415, "NotSupportedException")


def test_unparsable_bpmn_is_a_parse_exception(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/deployment/create",
        files={"data": ("broken.bpmn", b"<definitions>not bpmn", "text/xml")},
    )
    body = assert_error(response, 400, "ParseException")
    assert body["code"] == 0
    assert set(body["details"]) == {"broken.bpmn"}
    report = body["details"]["broken.bpmn"]
    assert set(report) == {"errors", "warnings"}
    assert report["errors"]
    for error in report["errors"]:
        assert set(error) == {"message", "line", "column", "mainElementId", "elementIds"}
    assert _count(client) == 0


def test_invalid_model_names_the_elements(client: TestClient) -> None:
    xml = (
        b'<?xml version="1.0"?><bpmn:definitions '
        b'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">'
        b'<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        b'<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="missing"/></bpmn:process>'
        b"</bpmn:definitions>"
    )
    response = client.post(f"{BASE}/deployment/create", files={"data": ("bad.bpmn", xml, "text/xml")})
    body = assert_error(response, 400, "ParseException")
    (error,) = body["details"]["bad.bpmn"]["errors"]
    assert error["mainElementId"] == "f"
    assert "f" in error["elementIds"]
    assert _count(client) == 0


def test_list_get_count_and_resources(client: TestClient, deploy: Deploy) -> None:
    first = deploy("external_task.bpmn", name="alpha")
    second = deploy("user_task.bpmn", "straight_through.bpmn", name="beta")

    listed = assert_json(client.get(f"{BASE}/deployment", params={"sortBy": "name", "sortOrder": "desc"}))
    assert [d["name"] for d in listed] == ["beta", "alpha"]
    assert all(set(d) == DEPLOYMENT_KEYS and d["links"] == [] for d in listed)

    assert assert_json(client.get(f"{BASE}/deployment/count", params={"name": "alpha"})) == {"count": 1}
    paged = assert_json(
        client.get(f"{BASE}/deployment", params={"sortBy": "name", "sortOrder": "asc", "maxResults": 1})
    )
    assert [d["name"] for d in paged] == ["alpha"]

    single = assert_json(client.get(f"{BASE}/deployment/{first['id']}"))
    assert single["id"] == first["id"]
    assert set(single) == DEPLOYMENT_KEYS

    resources = assert_json(client.get(f"{BASE}/deployment/{second['id']}/resources"))
    assert sorted(r["name"] for r in resources) == ["straight_through.bpmn", "user_task.bpmn"]
    assert all(set(r) == {"id", "name", "deploymentId"} for r in resources)


def test_unknown_deployment_is_404(client: TestClient) -> None:
    assert_error(
        client.get(f"{BASE}/deployment/nope"),
        404,
        "InvalidRequestException",
        "Deployment with id 'nope' does not exist",
    )
    assert_error(client.get(f"{BASE}/deployment/nope/resources"), 404, "InvalidRequestException")
    assert_error(client.delete(f"{BASE}/deployment/nope"), 404, "InvalidRequestException")


def test_sorting_errors(client: TestClient) -> None:
    assert_error(
        client.get(f"{BASE}/deployment", params={"sortBy": "name"}),
        400,
        "InvalidRequestException",
        "Only a single sorting parameter specified. sortBy and sortOrder required",
    )
    assert_error(
        client.get(f"{BASE}/deployment", params={"sortBy": "bogus", "sortOrder": "asc"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortBy' to value 'bogus'",
    )
    assert_error(
        client.get(f"{BASE}/deployment", params={"sortBy": "name", "sortOrder": "up"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortOrder' to value 'up'",
    )


def test_query_parameter_conversion_errors(client: TestClient) -> None:
    assert_error(
        client.get(f"{BASE}/deployment", params={"after": "yesterday"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'after' to value 'yesterday'",
    )
    assert_error(
        client.get(f"{BASE}/deployment", params={"withoutTenantId": "yes please"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'withoutTenantId' to value 'yes please'",
    )
    assert_error(
        client.get(f"{BASE}/deployment", params={"maxResults": "ten"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'maxResults' to value 'ten'",
    )


def test_date_filters_accept_camunda_format(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    after = assert_json(client.get(f"{BASE}/deployment", params={"after": "2000-01-01T00:00:00.000+0000"}))
    before = assert_json(client.get(f"{BASE}/deployment", params={"before": "2000-01-01T00:00:00.000+0000"}))
    assert len(after) == 1
    assert before == []


def test_delete_with_cascade(client: TestClient, deploy: Deploy) -> None:
    deployment = deploy("external_task.bpmn")
    started = client.post(f"{BASE}/process-definition/key/externalProcess/start", json={})
    assert started.status_code == 200
    response = client.delete(f"{BASE}/deployment/{deployment['id']}", params={"cascade": "True"})
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert _count(client) == 0
    assert assert_json(client.get(f"{BASE}/process-instance/count")) == {"count": 0}


def test_get_ignores_a_json_body(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    response = client.request("GET", f"{BASE}/deployment", json={"name": "ignored"})
    assert len(assert_json(response)) == 1
