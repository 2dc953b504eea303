"""Demo data for the Cockpit, made over the REST API of a running server (e2e tests and
``scripts/screenshots.py``): the ``order`` model, instances in every state, one incident each
on two of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ORDER_BPMN = Path(__file__).resolve().parent.parent / "resources" / "cockpit" / "order.bpmn"


@dataclass
class Demo:
    definition_id: str
    instances: dict[str, str] = field(default_factory=dict)
    """business key -> process instance id"""
    incidents: list[str] = field(default_factory=list)


def deploy(client: httpx.Client) -> str:
    files = {"data": ("order.bpmn", ORDER_BPMN.read_bytes(), "application/octet-stream")}
    response = client.post("/deployment/create", data={"deployment-name": "cockpit-demo"}, files=files)
    response.raise_for_status()
    definitions = response.json()["deployedProcessDefinitions"]
    definition_id: str = next(iter(definitions))
    return definition_id


def start(client: httpx.Client, business_key: str, **variables: dict[str, Any]) -> str:
    body = {"businessKey": business_key, "variables": variables}
    response = client.post("/process-definition/key/order/start", json=body)
    response.raise_for_status()
    instance_id: str = response.json()["id"]
    return instance_id


def charge_task(client: httpx.Client, instance_id: str) -> str:
    response = client.get("/external-task", params={"processInstanceId": instance_id})
    response.raise_for_status()
    task_id: str = response.json()[0]["id"]
    return task_id


def fail_charge(client: httpx.Client, instance_id: str, message: str) -> None:
    """Lock the instance's charge task as a worker would, then report a failure with no retries
    left: an incident."""
    task_id = charge_task(client, instance_id)
    client.post(f"/external-task/{task_id}/lock", json={"workerId": "demo-worker", "lockDuration": 60_000})
    body = {
        "workerId": "demo-worker",
        "errorMessage": message,
        "errorDetails": f"PaymentError: {message}\n  at charge(card.py:42)\n  at worker(main.py:7)",
        "retries": 0,
        "retryTimeout": 0,
    }
    response = client.post(f"/external-task/{task_id}/failure", json=body)
    response.raise_for_status()


def complete_charge(client: httpx.Client, instance_id: str) -> None:
    task_id = charge_task(client, instance_id)
    client.post(f"/external-task/{task_id}/lock", json={"workerId": "demo-worker", "lockDuration": 60_000})
    client.post(f"/external-task/{task_id}/complete", json={"workerId": "demo-worker"}).raise_for_status()


def complete_approval(client: httpx.Client, instance_id: str) -> None:
    tasks = client.get("/task", params={"processInstanceId": instance_id, "taskDefinitionKey": "approve"})
    task_id = tasks.json()[0]["id"]
    client.post(f"/task/{task_id}/claim", json={"userId": "demo"}).raise_for_status()
    body = {"variables": {"approved": {"value": True, "type": "Boolean"}}}
    client.post(f"/task/{task_id}/complete", json=body).raise_for_status()


def seed(base_url: str) -> Demo:
    """Deploy and start the demo instances on the server at ``base_url`` (…/engine-rest)."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        demo = Demo(deploy(client))
        customers = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]
        for number, customer in enumerate(customers, start=1001):
            key = f"order-{number}"
            demo.instances[key] = start(
                client,
                key,
                customer={"value": customer, "type": "String"},
                amount={"value": 40.5 * (number - 1000), "type": "Double"},
                items={"value": number - 998, "type": "Integer"},
                address={"value": '{"city": "Zürich", "zip": "8001"}', "type": "Json"},
            )
        fail_charge(client, demo.instances["order-1002"], "Card declined: insufficient funds")
        fail_charge(client, demo.instances["order-1004"], "Payment gateway timeout")
        complete_approval(client, demo.instances["order-1005"])
        complete_charge(client, demo.instances["order-1005"])
        incidents = client.get("/incident").json()
        demo.incidents = [incident["id"] for incident in incidents]
        return demo
