"""Models nobody here wrote, run end to end over HTTP on SQLite and PostgreSQL.

Each scenario deploys a model from the shared corpus (read in place), starts it through
``/process-definition/key/{key}/start`` and then works it like users and workers would: every
round it lists the instance's user tasks and external tasks over REST, checks which activities
wait (the expected rounds were read off each model's diagram), and completes them all
(``/task/{id}/complete``, ``/external-task/fetchAndLock`` + ``/complete``). At the end the
instance must have ended, or must still wait where the model says.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support import require_corpus

from cadenza.api import create_app
from cadenza.services import Engine

BASE = "/engine-rest"


@dataclass(frozen=True)
class Scenario:
    path: str
    key: str
    rounds: list[list[str]]
    """activity ids waiting in each round, sorted"""
    variables: dict[str, Any] = field(default_factory=dict)
    """start variables, as Camunda variable DTOs"""
    ends: bool = True


def _int(value: int) -> dict[str, Any]:
    return {"value": value, "type": "Integer"}


ENGINE = "bpmn/engine-tests"
SCENARIOS = [
    Scenario(
        f"{ENGINE}/api/externaltask/oneExternalTaskProcess.bpmn20.xml",
        "oneExternalTaskProcess",
        [["externalTask"]],
    ),
    Scenario(
        f"{ENGINE}/api/externaltask/parallelExternalTaskProcess.bpmn20.xml",
        "parallelExternalTaskProcess",
        [["externalTask1", "externalTask2", "externalTask3"]],
    ),
    Scenario(
        f"{ENGINE}/api/externaltask/ExternalTaskSupportTest.sendTask.bpmn20.xml",
        "oneExternalTaskProcess",
        [["externalTask"]],
    ),
    Scenario(
        f"{ENGINE}/api/externaltask/ExternalTaskSupportTest.businessRuleTask.bpmn20.xml",
        "oneExternalTaskProcess",
        [["externalTask"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/event/end/TerminateEndEventTest.testProcessTerminate.bpmn",
        "terminateEndEventExample",
        [["preNormalTerminateTask", "preTerminateTask"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/event/end/TerminateEndEventTest.testTerminateInSubProcess.bpmn",
        "terminateEndEventExample",
        [["preNormalEnd"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/event/end/TerminateEndEventTest.subProcessTerminate.bpmn",
        "terminateEndEventSubprocessExample",
        [],
    ),
    *[
        Scenario(
            f"{ENGINE}/bpmn/gateway/ExclusiveGatewayTest.testDivergingExclusiveGateway.bpmn20.xml",
            "exclusiveGwDiverging",
            [[f"theTask{choice}"]],
            {"input": _int(choice)},
        )
        for choice in (1, 2, 3)
    ],
    Scenario(
        f"{ENGINE}/bpmn/gateway/ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml",
        "exclusiveGwDefaultSequenceFlow",
        [["theTask2"]],
        {"input": _int(5)},
    ),
    Scenario(
        f"{ENGINE}/bpmn/gateway/ParallelGatewayTest.testForkJoin.bpmn20.xml",
        "forkJoin",
        [["receivePayment", "shipOrder"], ["archiveOrder"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/gateway/ParallelGatewayTest.testNestedForkJoin.bpmn20.xml",
        "nestedForkJoin",
        [["Task_0"], ["Task_A", "Task_B"], ["Task_B1", "Task_B2"], ["Task_C"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/gateway/ParallelGatewayTest.testUnbalancedForkJoin.bpmn20.xml",
        "UnbalancedForkJoin",
        [["task1", "task2", "task3"], ["task4"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/gateway/ParallelGatewayTest.testSplitMergeNoWaitstates.bpmn20.xml",
        "forkJoinNoWaitStates",
        [],
    ),
    Scenario(
        f"{ENGINE}/bpmn/gateway/ParallelGatewayTest.testUnstructuredConcurrencyTwoJoins.bpmn20.xml",
        "unstructuredConcurrencyTwoJoins",
        [],
    ),
    Scenario(
        f"{ENGINE}/bpmn/sequenceflow/SequenceFlowTest.testTakeAllOutgoingFlowsFromNonScopeTask.bpmn20.xml",
        "testProcess",
        [["task1"], ["task2", "task3"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/subprocess/SubProcessTest.testSimpleSubProcess.bpmn20.xml",
        "simpleSubProcess",
        [["subProcessTask"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/subprocess/SubProcessTest.testNestedSimpleSubProcess.bpmn20.xml",
        "nestedSimpleSubProcess",
        [["innerSubProcessTask"], ["afterSubProcessTask"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/subprocess/SubProcessTest.testSimpleParallelSubProcess.bpmn20.xml",
        "simpleParallelSubProcess",
        [["task1", "task2"], ["taskAfterSubProcess"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/subprocess/SubProcessTest.testTwoSubProcessInParallel.bpmn20.xml",
        "twoSubProcessInParallel",
        [["subProcessATask", "subProcessBTask"], ["taskAfterSubProcessA", "taskAfterSubProcessB"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/subprocess/SubProcessTest.testSimpleAutomaticSubProcess.bpmn20.xml",
        "simpleSubProcessAutomatic",
        [],
    ),
    Scenario(
        f"{ENGINE}/bpmn/usertask/UserTaskTest.testSimpleProcess.bpmn20.xml",
        "financialReport",
        [["writeReportTask"], ["verifyReportTask"]],
    ),
    Scenario(
        f"{ENGINE}/bpmn/usertask/TaskCandidateTest.testMixedCandidateUserAndGroup.bpmn20.xml",
        "mixedCandidateUserAndGroupExample",
        [["theTask"]],
    ),
    Scenario(f"{ENGINE}/bpmn/parallel/ParallelTest.testParallel.bpmn20.xml", "myProc", [["userTask1"]]),
    Scenario(
        "bpmn/camunda-bpm-examples/usertask__task-form-embedded__loanApproval.bpmn",
        "embeddedFormsQuickstart",
        [["UserTask_1"]],
    ),
    Scenario(
        "bpmn/camunda-bpm-examples/wildfly__jackson-annotations__waitingState.bpmn",
        "waitingProcess",
        [["Task_0xibf8v"]],
    ),
    Scenario(
        "bpmn/camunda-bpm-examples/removed-since/clients__java__dataformat__dataformat-demo.bpmn",
        "DataformatDemoProcess",
        [["Task_1vjuj1c"], ["Task_03zh96w"], ["Task_1p179ep"]],
        {"dataFormat": {"value": "xml", "type": "String"}},
    ),
    Scenario(
        "bpmn/camunda-bpm-examples/migration__migrate-on-deployment__exampleProcess.bpmn",
        "exampleProcess",
        # camunda:initiator without an authenticated user sets the variable to null
        [["UserTask_14494ua"]],
    ),
    Scenario("bpmn/miwg/camunda-modeler-18.6.1-export/A.4.0-export.bpmn", "Process_0elb8rq", []),
    Scenario("bpmn/miwg/camunda-modeler-18.6.1-export/A.4.1-export.bpmn", "Process_0h42ymn", []),
]


@pytest.fixture
def http(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as client:
        yield client


def _waiting(http: TestClient, instance_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tasks = http.get(f"{BASE}/task", params={"processInstanceId": instance_id})
    external = http.get(f"{BASE}/external-task", params={"processInstanceId": instance_id})
    assert tasks.status_code == 200 and external.status_code == 200
    return tasks.json(), external.json()


def _work_round(http: TestClient, tasks: list[dict[str, Any]], external: list[dict[str, Any]]) -> None:
    for task in tasks:
        done = http.post(f"{BASE}/task/{task['id']}/complete", json={"variables": {}})
        if done.status_code == 404:
            # an earlier completion this round ended its scope (e.g. a terminate end event)
            assert http.get(f"{BASE}/task/{task['id']}").status_code == 404
            continue
        assert done.status_code == 204, done.text
    topics = sorted({t["topicName"] for t in external})
    if topics:
        fetched = http.post(
            f"{BASE}/external-task/fetchAndLock",
            json={
                "workerId": "corpus-worker",
                "maxTasks": 100,
                "topics": [{"topicName": topic, "lockDuration": 10_000} for topic in topics],
            },
        )
        assert fetched.status_code == 200, fetched.text
        mine = {t["id"] for t in external}
        for task in fetched.json():
            assert task["id"] in mine
            done = http.post(
                f"{BASE}/external-task/{task['id']}/complete", json={"workerId": "corpus-worker"}
            )
            assert done.status_code == 204, done.text


@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=lambda s: f"{s.path.rsplit('/', 1)[-1]}-{s.variables or ''}"
)
def test_corpus_model_runs_to_its_expected_states_over_http(http: TestClient, scenario: Scenario) -> None:
    model = (require_corpus() / scenario.path).read_bytes()
    deployed = http.post(
        f"{BASE}/deployment/create",
        data={"deployment-name": "corpus"},
        files={"data": (scenario.path.rsplit("/", 1)[-1], model, "application/octet-stream")},
    )
    assert deployed.status_code == 200, deployed.text
    started = http.post(
        f"{BASE}/process-definition/key/{scenario.key}/start",
        json={"businessKey": "corpus", "variables": scenario.variables},
    )
    assert started.status_code == 200, started.text
    instance_id = started.json()["id"]

    seen: list[list[str]] = []
    for _ in range(len(scenario.rounds) + 1):
        tasks, external = _waiting(http, instance_id)
        if not tasks and not external:
            break
        seen.append(sorted([t["taskDefinitionKey"] for t in tasks] + [t["activityId"] for t in external]))
        _work_round(http, tasks, external)
    assert seen == scenario.rounds

    found = http.get(f"{BASE}/process-instance/{instance_id}")
    if scenario.ends:
        assert found.status_code == 404, "the instance should have ended"
        assert started.json()["ended"] is (not scenario.rounds)
    else:
        assert found.status_code == 200
