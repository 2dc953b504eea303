"""``GET/POST /task`` and ``/task/count``: the TaskQuery criteria, sorting and paging."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .helpers import assert_error, assert_json
from .task_support import TASK, deploy_tasks, only_task, start


def _ids(response: Any) -> list[str]:
    return [t["id"] for t in assert_json(response)]


def _setup(client: TestClient) -> dict[str, dict[str, Any]]:
    """Three review tasks: a (claimed by kermit), b (delegated kermit -> gonzo), c (untouched)."""
    deploy_tasks(client, "review")
    tasks: dict[str, dict[str, Any]] = {}
    for name in ("a", "b", "c"):
        instance_id = start(
            client,
            "review",
            businessKey=f"bk-{name}",
            variables={
                "amount": {"value": {"a": 10, "b": 20, "c": 30}[name]},
                "who": {"value": name.upper()},
            },
        )
        tasks[name] = only_task(client, instance_id)
    a, b, c = (tasks[n]["id"] for n in "abc")
    client.post(f"{TASK}/{a}/claim", json={"userId": "kermit"})
    client.post(f"{TASK}/{b}/claim", json={"userId": "kermit"})
    client.post(f"{TASK}/{b}/delegate", json={"userId": "gonzo"})
    client.put(
        f"{TASK}/{c}",
        json={
            "name": "review c",
            "description": "the third",
            "priority": 10,
            "due": "2030-01-01T00:00:00.000+0000",
            "followUp": "2029-06-01T00:00:00.000+0000",
        },
    )
    client.put(f"{TASK}/{c}/localVariables/flag", json={"value": "Yes"})
    client.post(f"{TASK}/{c}/identity-links", json={"groupId": "sales", "type": "candidate"})
    return tasks


def test_candidate_queries(client: TestClient) -> None:
    t = _setup(client)
    a, b, c = (t[n]["id"] for n in "abc")
    # only unassigned tasks by default
    assert _ids(client.get(TASK, params={"candidateUser": "kermit"})) == [c]
    assert sorted(
        _ids(client.get(TASK, params={"candidateUser": "kermit", "includeAssignedTasks": "true"}))
    ) == sorted([a, b, c])
    assert _ids(client.get(TASK, params={"candidateGroup": "sales"})) == [c]
    assert _ids(client.get(TASK, params={"candidateGroups": "nobody,sales"})) == [c]
    assert _ids(client.post(TASK, json={"candidateGroups": ["management"]})) == [c]
    assert _ids(client.post(TASK, json={"withCandidateGroups": True})) == [c]
    assert len(_ids(client.post(TASK, json={"withCandidateGroups": True, "includeAssignedTasks": True}))) == 3
    assert _ids(client.post(TASK, json={"withoutCandidateGroups": True})) == []
    assert _ids(client.post(TASK, json={"withCandidateUsers": True})) == [c]
    # generic-camunda-client sends every flag as false: false means "no filter"
    assert len(_ids(client.post(TASK, json={"assigned": False, "unassigned": False, "active": False}))) == 3


def test_people_and_state_filters(client: TestClient) -> None:
    t = _setup(client)
    a, b, c = (t[n]["id"] for n in "abc")
    assert _ids(client.get(TASK, params={"assignee": "kermit"})) == [a]
    assert _ids(client.get(TASK, params={"assigneeLike": "go%"})) == [b]
    assert sorted(_ids(client.get(TASK, params={"assigneeIn": "kermit,gonzo"}))) == sorted([a, b])
    assert sorted(_ids(client.get(TASK, params={"assigneeNotIn": "kermit"}))) == sorted([b, c])
    assert _ids(client.get(TASK, params={"unassigned": "true"})) == [c]
    assert sorted(_ids(client.get(TASK, params={"assigned": "true"}))) == sorted([a, b])
    assert _ids(client.get(TASK, params={"owner": "kermit"})) == [b]
    assert sorted(_ids(client.get(TASK, params={"involvedUser": "kermit"}))) == sorted([a, b, c])
    # any identity link counts: gonzo is a candidate of every task and the assignee of b
    assert sorted(_ids(client.get(TASK, params={"involvedUser": "gonzo", "assigned": "true"}))) == sorted(
        [a, b]
    )
    assert _ids(client.get(TASK, params={"delegationState": "PENDING"})) == [b]
    assert len(_ids(client.get(TASK, params={"active": "true"}))) == 3
    assert _ids(client.get(TASK, params={"suspended": "true"})) == []
    assert len(_ids(client.get(TASK, params={"withoutTenantId": "true"}))) == 3
    assert _ids(client.get(TASK, params={"tenantIdIn": "t1"})) == []


def test_property_and_date_filters(client: TestClient) -> None:
    t = _setup(client)
    c = t["c"]["id"]
    assert _ids(client.get(TASK, params={"name": "review c"})) == [c]
    assert _ids(client.get(TASK, params={"nameLike": "%c"})) == [c]
    assert len(_ids(client.get(TASK, params={"nameNotEqual": "review c"}))) == 2
    assert len(_ids(client.get(TASK, params={"nameNotLike": "%c"}))) == 2
    assert _ids(client.get(TASK, params={"description": "the third"})) == [c]
    assert _ids(client.get(TASK, params={"descriptionLike": "%third"})) == [c]
    assert _ids(client.get(TASK, params={"priority": "10"})) == [c]
    assert _ids(client.get(TASK, params={"maxPriority": "20"})) == [c]
    assert len(_ids(client.get(TASK, params={"minPriority": "50"}))) == 2
    due = "2030-01-01T00:00:00.000+0000"
    assert _ids(client.get(TASK, params={"dueDate": due})) == [c]
    assert _ids(client.get(TASK, params={"dueBefore": "2031-01-01T00:00:00.000+0000"})) == [c]
    assert _ids(client.get(TASK, params={"dueAfter": "2029-01-01T00:00:00.000+0000"})) == [c]
    assert len(_ids(client.get(TASK, params={"withoutDueDate": "true"}))) == 2
    assert _ids(client.get(TASK, params={"followUpDate": "2029-06-01T00:00:00.000+0000"})) == [c]
    assert _ids(client.get(TASK, params={"followUpBefore": "2029-07-01T00:00:00.000+0000"})) == [c]
    assert _ids(client.get(TASK, params={"followUpAfter": "2029-05-01T00:00:00.000+0000"})) == [c]
    assert (
        len(_ids(client.get(TASK, params={"followUpBeforeOrNotExistent": "2029-05-01T00:00:00.000+0000"})))
        == 2
    )
    created = t["a"]["created"]
    assert t["a"]["id"] in _ids(client.get(TASK, params={"createdOn": created}))
    assert _ids(client.get(TASK, params={"createdAfter": "2999-01-01T00:00:00.000+0000"})) == []


def test_process_filters(client: TestClient) -> None:
    t = _setup(client)
    a, b = t["a"]["id"], t["b"]["id"]
    assert _ids(client.get(TASK, params={"processInstanceBusinessKey": "bk-a"})) == [a]
    assert sorted(_ids(client.get(TASK, params={"processInstanceBusinessKeyIn": "bk-a,bk-b"}))) == sorted(
        [a, b]
    )
    assert len(_ids(client.get(TASK, params={"processInstanceBusinessKeyLike": "bk-%"}))) == 3
    assert len(_ids(client.get(TASK, params={"processDefinitionName": "Review process"}))) == 3
    assert len(_ids(client.get(TASK, params={"processDefinitionNameLike": "Review%"}))) == 3
    assert len(_ids(client.get(TASK, params={"processDefinitionKeyIn": "review,other"}))) == 3
    assert _ids(client.get(TASK, params={"processInstanceIdIn": t["a"]["processInstanceId"]})) == [a]
    assert _ids(client.get(TASK, params={"executionId": t["b"]["executionId"]})) == [b]
    assert _ids(client.get(TASK, params={"taskDefinitionKeyLike": "review%", "assignee": "kermit"})) == [a]
    # CMMN cases and sub-tasks do not exist here: such filters match nothing
    assert _ids(client.get(TASK, params={"caseInstanceId": "x"})) == []
    assert _ids(client.get(TASK, params={"parentTaskId": "x"})) == []


def test_variable_filters(client: TestClient) -> None:
    t = _setup(client)
    a, b, c = (t[n]["id"] for n in "abc")
    numeric = {"processVariables": [{"name": "amount", "operator": "gteq", "value": 20}]}
    assert sorted(_ids(client.post(TASK, json=numeric))) == sorted([b, c])
    assert _ids(client.get(TASK, params={"processVariables": "who_neq_C,who_neq_A"})) == [b]
    assert _ids(client.get(TASK, params={"taskVariables": "flag_eq_Yes"})) == [c]
    assert _ids(client.get(TASK, params={"taskVariables": "flag_eq_yes"})) == []
    assert _ids(
        client.get(
            TASK,
            params={
                "taskVariables": "FLAG_eq_yes",
                "variableNamesIgnoreCase": "true",
                "variableValuesIgnoreCase": "true",
            },
        )
    ) == [c]
    assert _ids(
        client.post(TASK, json={"processVariables": [{"name": "who", "operator": "like", "value": "A%"}]})
    ) == [a]
    assert_error(
        client.get(TASK, params={"processVariables": "amount_is_3"}),
        400,
        "InvalidRequestException",
    )


def test_sorting_paging_and_count(client: TestClient) -> None:
    t = _setup(client)
    by_priority = _ids(client.get(TASK, params={"sortBy": "priority", "sortOrder": "asc"}))
    assert by_priority[0] == t["c"]["id"]
    by_name_ci = assert_json(client.get(TASK, params={"sortBy": "nameCaseInsensitive", "sortOrder": "desc"}))
    assert by_name_ci[0]["name"] == "review c"
    assert len(_ids(client.get(TASK, params={"sortBy": "caseInstanceId", "sortOrder": "asc"}))) == 3
    page = _ids(
        client.get(TASK, params={"sortBy": "id", "sortOrder": "asc", "firstResult": 1, "maxResults": 1})
    )
    assert page == [sorted(x["id"] for x in t.values())[1]]
    posted = _ids(
        client.post(
            TASK,
            params={"maxResults": 2},
            json={
                "sorting": [{"sortBy": "dueDate", "sortOrder": "desc"}, {"sortBy": "id", "sortOrder": "asc"}]
            },
        )
    )
    assert len(posted) == 2
    assert assert_json(client.get(f"{TASK}/count", params={"assigned": "true"})) == {"count": 2}
    assert assert_json(client.post(f"{TASK}/count", json={"delegationState": "PENDING"})) == {"count": 1}


def test_query_parameter_errors(client: TestClient) -> None:
    assert_error(
        client.get(TASK, params={"priority": "high"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'priority' to value 'high'",
    )
    assert_error(
        client.get(TASK, params={"followUpAfter": "later"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'followUpAfter' to value 'later'",
    )
    assert_error(
        client.get(TASK, params={"sortBy": "processVariable", "sortOrder": "asc"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortBy' to value 'processVariable'",
    )
    assert_error(client.post(TASK, json={"withCandidateGroups": "sometimes"}), 400, "InvalidRequestException")
    assert_error(client.get(TASK, params={"maxResults": "-1"}), 400, "InvalidRequestException")
