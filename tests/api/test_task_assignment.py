"""``/task/{id}``: claim, unclaim, assignee, delegate, resolve, identity links and PUT."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .helpers import DATE_FORMAT, assert_error, assert_json
from .task_support import TASK, deploy_tasks, get_task, only_task, review_task, start, variables_of

MISSING = "Cannot find task with id nope: task is null"


def test_claim_sets_assignee_and_marks_the_task_updated(client: TestClient) -> None:
    _, task = review_task(client)
    assert task["assignee"] is None
    assert task["lastUpdated"] is None
    assert task["taskState"] == "Created"

    assert client.post(f"{TASK}/{task['id']}/claim", json={"userId": "kermit"}).status_code == 204
    claimed = get_task(client, task["id"])
    assert claimed["assignee"] == "kermit"
    assert DATE_FORMAT.match(claimed["lastUpdated"])
    assert claimed["taskState"] == "Updated"

    # the same user again: nothing to do
    assert client.post(f"{TASK}/{task['id']}/claim", json={"userId": "kermit"}).status_code == 204
    assert get_task(client, task["id"])["assignee"] == "kermit"


def test_claim_of_a_task_claimed_by_someone_else_is_refused(client: TestClient) -> None:
    _, task = review_task(client)
    client.post(f"{TASK}/{task['id']}/claim", json={"userId": "kermit"})
    before = get_task(client, task["id"])
    body = assert_error(
        client.post(f"{TASK}/{task['id']}/claim", json={"userId": "gonzo"}),
        400,
        "TaskAlreadyClaimedException",
        f"Task '{task['id']}' is already claimed by someone else.",
    )
    assert body["code"] == 0
    assert get_task(client, task["id"]) == before


def test_claim_errors(client: TestClient) -> None:
    _, task = review_task(client)
    assert_error(
        client.post(f"{TASK}/nope/claim", json={"userId": "kermit"}), 404, "NullValueException", MISSING
    )
    assert_error(
        client.post(f"{TASK}/{task['id']}/claim", json={"userId": 5}),
        400,
        "InvalidRequestException",
        "Invalid value for 'userId': Input should be a valid string",
    )
    assert_error(
        client.post(f"{TASK}/{task['id']}/claim", json={"userId": "x" * 256}),
        400,
        "BadUserRequestException",
        "userId is longer than 255 characters",
    )
    assert get_task(client, task["id"]) == task


def test_claim_without_user_unclaims_as_camunda_does(client: TestClient) -> None:
    _, task = review_task(client)
    client.post(f"{TASK}/{task['id']}/claim", json={"userId": "kermit"})
    assert client.post(f"{TASK}/{task['id']}/claim", json={}).status_code == 204
    assert get_task(client, task["id"])["assignee"] is None


def test_unclaim_and_set_assignee(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    assert client.post(f"{url}/assignee", json={"userId": "fozzie"}).status_code == 204
    assert get_task(client, task["id"])["assignee"] == "fozzie"
    # assignee overrides whoever has the task, unlike claim
    assert client.post(f"{url}/assignee", json={"userId": "gonzo"}).status_code == 204
    assert get_task(client, task["id"])["assignee"] == "gonzo"
    assert client.post(f"{url}/unclaim").status_code == 204
    assert get_task(client, task["id"])["assignee"] is None
    assert client.post(f"{url}/assignee", json={"userId": "gonzo"}).status_code == 204
    assert client.post(f"{url}/assignee", json={"userId": None}).status_code == 204
    assert get_task(client, task["id"])["assignee"] is None


def test_unclaim_and_assignee_of_a_missing_task_are_404(client: TestClient) -> None:
    assert_error(client.post(f"{TASK}/nope/unclaim"), 404, "NotFoundException", MISSING)
    assert_error(
        client.post(f"{TASK}/nope/assignee", json={"userId": "x"}), 404, "NotFoundException", MISSING
    )
    assert_error(client.post(f"{TASK}/nope/assignee", json=[]), 400, "InvalidRequestException")


def test_delegate_then_resolve(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.post(f"{url}/claim", json={"userId": "kermit"})
    assert client.post(f"{url}/delegate", json={"userId": "gonzo"}).status_code == 204
    delegated = get_task(client, task["id"])
    assert (delegated["owner"], delegated["assignee"], delegated["delegationState"]) == (
        "kermit",
        "gonzo",
        "PENDING",
    )

    # a delegated task goes back to its owner, it cannot be completed
    body = assert_error(
        client.post(f"{url}/complete", json={}),
        400,
        "RestException",
        f"Cannot complete task {task['id']}: A delegated task cannot be completed, but should be "
        "resolved instead.",
    )
    assert body["code"] == 0
    assert get_task(client, task["id"]) == delegated

    resolved = client.post(
        f"{url}/resolve", json={"variables": {"verdict": {"value": "ok", "type": "String"}}}
    )
    assert resolved.status_code == 204
    after = get_task(client, task["id"])
    assert (after["owner"], after["assignee"], after["delegationState"]) == ("kermit", "kermit", "RESOLVED")
    assert variables_of(client, instance_id) == {"verdict": "ok"}
    assert client.post(f"{url}/complete", json={}).status_code == 204


def test_delegate_keeps_an_existing_owner(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.post(f"{url}/identity-links", json={"userId": "piggy", "type": "owner"})
    client.post(f"{url}/claim", json={"userId": "kermit"})
    client.post(f"{url}/delegate", json={"userId": "gonzo"})
    delegated = get_task(client, task["id"])
    assert (delegated["owner"], delegated["assignee"]) == ("piggy", "gonzo")


def test_delegate_and_resolve_errors(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    assert_error(
        client.post(f"{TASK}/nope/delegate", json={"userId": "x"}), 404, "NullValueException", MISSING
    )
    assert_error(client.post(f"{url}/delegate", json={}), 400, "NullValueException", "userId is null")
    assert_error(client.post(f"{TASK}/nope/resolve", json={}), 404, "NullValueException", MISSING)
    body = assert_error(
        client.post(f"{url}/resolve", json={"variables": {"v": {"value": 1, "type": "Nope"}}}),
        400,
        "RestException",
        f"Cannot resolve task {task['id']}: Unsupported value type 'Nope'",
    )
    assert body["code"] is None
    assert get_task(client, task["id"]) == task


def test_identity_links(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}/identity-links"
    links = assert_json(client.get(url))
    assert sorted((link["type"], link["userId"] or "", link["groupId"] or "") for link in links) == [
        ("candidate", "", "management"),
        ("candidate", "gonzo", ""),
        ("candidate", "kermit", ""),
    ]
    assert all(set(link) == {"userId", "groupId", "type"} for link in links)

    assert client.post(url, json={"groupId": "sales", "type": "candidate"}).status_code == 204
    assert client.post(url, json={"groupId": "sales", "type": "candidate"}).status_code == 204  # once
    assert client.post(url, json={"userId": "fozzie", "type": "assignee"}).status_code == 204
    assert client.post(url, json={"userId": "piggy", "type": "owner"}).status_code == 204
    links = assert_json(client.get(url))
    assert [link for link in links if link["groupId"] == "sales"] == [
        {"userId": None, "groupId": "sales", "type": "candidate"}
    ]
    assert links[-2:] == [
        {"userId": "fozzie", "groupId": None, "type": "assignee"},
        {"userId": "piggy", "groupId": None, "type": "owner"},
    ]
    current = get_task(client, task["id"])
    assert (current["assignee"], current["owner"]) == ("fozzie", "piggy")
    assert assert_json(client.get(url, params={"type": "owner"})) == [
        {"userId": "piggy", "groupId": None, "type": "owner"}
    ]
    found = assert_json(client.get(TASK, params={"candidateGroup": "sales", "includeAssignedTasks": "true"}))
    assert [t["id"] for t in found] == [task["id"]]

    delete = f"{url}/delete"
    assert client.post(delete, json={"userId": "kermit", "type": "candidate"}).status_code == 204
    assert client.post(delete, json={"userId": "fozzie", "type": "assignee"}).status_code == 204
    assert client.post(delete, json={"userId": "nobody", "type": "candidate"}).status_code == 204
    links = assert_json(client.get(url))
    assert ("candidate", "kermit") not in [(link["type"], link["userId"]) for link in links]
    assert get_task(client, task["id"])["assignee"] is None


def test_identity_link_errors(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}/identity-links"
    before = assert_json(client.get(url))
    for path in (url, f"{url}/delete"):
        assert_error(
            client.post(path, json={"userId": "a", "groupId": "b", "type": "candidate"}),
            400,
            "InvalidRequestException",
            "Identity Link requires userId or groupId, but not both.",
        )
        assert_error(
            client.post(path, json={"type": "candidate"}),
            400,
            "InvalidRequestException",
            "Identity Link requires userId or groupId.",
        )
        assert_error(
            client.post(path, json={"userId": "a"}),
            400,
            "BadUserRequestException",
            "type is required when adding a new task identity link",
        )
        assert_error(
            client.post(path, json={"groupId": "g", "type": "assignee"}),
            400,
            "BadUserRequestException",
            "Incompatible usage: cannot use ASSIGNEE together with a groupId",
        )
        assert_error(
            client.post(path, json={"userId": "a", "type": "watcher"}),
            400,
            "BadUserRequestException",
            "Unsupported identity link type 'watcher'; use candidate, assignee or owner",
        )
    assert_error(client.get(f"{TASK}/nope/identity-links"), 404, "NullValueException", MISSING)
    assert_error(
        client.post(f"{TASK}/nope/identity-links", json={"userId": "a", "type": "candidate"}),
        404,
        "NullValueException",
        MISSING,
    )
    assert assert_json(client.get(url)) == before
    assert get_task(client, task["id"]) == task


def test_put_task_replaces_its_properties(client: TestClient) -> None:
    _, task = review_task(client)
    body = {
        "name": "Check twice",
        "description": "carefully",
        "priority": 7,
        "assignee": "kermit",
        "owner": "piggy",
        "delegationState": "resolved",
        "due": "2030-01-02T03:04:05.678+0000",
        "followUp": "2030-01-01T00:00:00.000+0100",
        "parentTaskId": None,
        "id": "ignored",
        "taskDefinitionKey": "ignored",
    }
    assert client.put(f"{TASK}/{task['id']}", json=body).status_code == 204
    updated = get_task(client, task["id"])
    assert updated["name"] == "Check twice"
    assert updated["description"] == "carefully"
    assert updated["priority"] == 7
    assert (updated["assignee"], updated["owner"]) == ("kermit", "piggy")
    assert updated["delegationState"] == "RESOLVED"
    assert updated["due"] == "2030-01-02T03:04:05.678+0000"
    assert updated["followUp"] == "2029-12-31T23:00:00.000+0000"
    assert updated["taskDefinitionKey"] == "reviewTask"
    assert updated["taskState"] == "Updated"

    # Camunda replaces every property: absent ones become null (the priority 0)
    assert client.put(f"{TASK}/{task['id']}", json={"name": "Only name"}).status_code == 204
    replaced = get_task(client, task["id"])
    assert (replaced["name"], replaced["priority"], replaced["assignee"], replaced["due"]) == (
        "Only name",
        0,
        None,
        None,
    )
    assert replaced["delegationState"] is None


def test_put_task_errors(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    assert_error(
        client.put(f"{TASK}/nope", json={"name": "x"}),
        404,
        "InvalidRequestException",
        "No matching task with id nope",
    )
    assert_error(
        client.put(url, json={"delegationState": "DONE"}),
        400,
        "InvalidRequestException",
        "Valid values for property 'delegationState' are 'PENDING' or 'RESOLVED', but was 'DONE'",
    )
    assert_error(
        client.put(url, json={"due": "soon"}),
        400,
        "InvalidRequestException",
        "Invalid value for 'due': expected a date, got 'soon'",
    )
    assert_error(client.put(url, json={"priority": 1.5}), 400, "InvalidRequestException")
    assert_error(client.put(url, json={"priority": 2**31}), 400, "BadUserRequestException")
    assert_error(
        client.put(url, json={"tenantId": "other"}),
        400,
        "BadUserRequestException",
        f"Cannot change tenantId of Task '{task['id']}'. Current tenant id 'None', Tried to set tenant id "
        "'other'.",
    )
    assert get_task(client, task["id"]) == task


def test_assignment_from_an_expression_and_candidate_queries(client: TestClient) -> None:
    deploy_tasks(client, "single_step")
    instance_id = start(client, "single_step", variables={"worker": {"value": "rowlf", "type": "String"}})
    task = only_task(client, instance_id)
    assert task["assignee"] == "rowlf"
    assert task["name"] is None
