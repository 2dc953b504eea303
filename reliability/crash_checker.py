"""Crash safety, Jepsen style (reliability.md R6): a workload of real HTTP clients against
``cadenza run`` nodes while a nemesis ``kill -9``s them, then a check from the database and
the clients' operation logs that nothing acknowledged was lost.

Workload: starters start instances of ``start -> external task -> end`` (one business key per
attempt, never retried); workers fetch-and-lock (5 s locks), complete, or now and then report a
failure (retries 3, retry timeout 0, a unique error message) so the task comes back. Clients
spread calls over the nodes and fail over when one is down. Every call is logged to the
client's JSONL file as ``invoke`` then ``ok`` / ``fail`` / ``info`` (outcome unknown: the
connection broke after the request was sent).

Nemesis: ``--kills`` times, at a random moment, ``kill -9`` a random node and restart it on the
same port a moment later. Then the starters finish, the workers drain until no work is left,
and the checker proves:

* lost starts 0: every acknowledged (2xx) start has a history row with an end time;
* lost completions 0: every acknowledged complete's task is gone and its instance ended;
* lost failures 0: after every acknowledged failure the task was delivered again carrying that
  failure's message (or a later failure's);
* duplicated 0: no task completed twice (two 2xx completes), no business key started twice;
* overlapping locks 0: no task delivered to a second worker while the first's lock was
  certainly still valid and not given back;
* unexpected 0: no instance in the database that no client tried to start;
* stuck 0: no execution, external task or incident left after the drain;
* SQLite: ``PRAGMA integrity_check`` says ``ok``.

    .venv/bin/python reliability/crash_checker.py                # PostgreSQL (2 nodes) and SQLite
    .venv/bin/python reliability/crash_checker.py --only postgresql --instances 2000 --kills 8
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reliability.servers import Node, kill_node, start_node, stop_node  # noqa: E402

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOPIC = "crash"
LOCK_MS = 5_000
MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="crash">
  <process id="crash" isExecutable="true" camunda:historyTimeToLive="P1D">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <serviceTask id="work" camunda:type="external" camunda:topic="{TOPIC}" />
    <sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
""".encode()


class OpLog:
    """One client's JSONL history; ``record`` returns the entry (with a monotonic ``ts``)."""

    def __init__(self, path: Path, client: str) -> None:
        self.path = path
        self.client = client
        self.entries: list[dict[str, Any]] = []
        self._file = path.open("w")

    def record(self, op: str, phase: str, **fields: Any) -> dict[str, Any]:
        entry = {"ts": time.monotonic(), "client": self.client, "op": op, "phase": phase, **fields}
        self.entries.append(entry)
        self._file.write(json.dumps(entry) + "\n")
        return entry

    def close(self) -> None:
        self._file.close()


class Cluster:
    """The nodes, their restarts, and a failing-over HTTP call."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.kills = 0
        self._turn = itertools.count()

    def call(
        self, client: httpx.Client, method: str, path: str, **kwargs: Any
    ) -> tuple[str, httpx.Response | None]:
        """("sent", response) / ("unknown", None) if the connection broke after sending /
        ("unsent", None) if no node took the connection."""
        for _ in range(len(self.nodes) * 20):
            node = self.nodes[next(self._turn) % len(self.nodes)]
            try:
                return "sent", client.request(method, node.base_url + path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                time.sleep(0.05)  # not sent: this node is down, try the next
            except httpx.HTTPError:
                return "unknown", None
        return "unsent", None


@dataclass
class Workload:
    instances: int
    starters: int
    workers: int
    kills: int
    fail_rate: float = 0.2
    seed: int = 8


@dataclass
class Verdict:
    label: str
    figures: dict[str, int] = field(default_factory=dict)
    problems: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def line(self) -> str:
        bad = {k: len(v) for k, v in self.problems.items()}
        verdict = "PASS" if self.ok else "FAIL"
        return f"{self.label}: {verdict} {json.dumps(self.figures)} problems {json.dumps(bad)}"


def _starter(cluster: Cluster, log: OpLog, count: int, pace: float, stop: threading.Event) -> None:
    with httpx.Client(timeout=10) as client:
        for number in range(count):
            if stop.is_set():
                return
            key = f"{log.client}-{number}"
            log.record("start", "invoke", business_key=key)
            how, response = cluster.call(
                client, "POST", "/process-definition/key/crash/start", json={"businessKey": key}
            )
            if how == "sent" and response is not None and response.status_code == 200:
                log.record("start", "ok", business_key=key, instance=response.json()["id"])
            elif how == "unsent" or (response is not None and 400 <= response.status_code < 500):
                log.record("start", "fail", business_key=key, status=response and response.status_code)
            else:
                log.record("start", "info", business_key=key, status=response and response.status_code)
            time.sleep(pace)


def _report(
    cluster: Cluster, client: httpx.Client, log: OpLog, op: str, task: dict[str, Any], body: dict[str, Any]
) -> None:
    """complete/failure with one retry when the outcome is unknown (the worker cannot tell)."""
    for _ in range(2):
        log.record(op, "invoke", task=task["id"], instance=task["processInstanceId"], **_extra(body))
        how, response = cluster.call(client, "POST", f"/external-task/{task['id']}/{op}", json=body)
        if how == "sent" and response is not None and response.status_code == 204:
            log.record(op, "ok", task=task["id"], instance=task["processInstanceId"], **_extra(body))
            return
        if how == "unsent" or (response is not None and 400 <= response.status_code < 500):
            log.record(op, "fail", task=task["id"], status=response and response.status_code)
            return
        log.record(op, "info", task=task["id"], status=response and response.status_code, **_extra(body))


def _extra(body: dict[str, Any]) -> dict[str, Any]:
    return {"message": body["errorMessage"]} if "errorMessage" in body else {}


def _worker(cluster: Cluster, log: OpLog, rng: random.Random, stop: threading.Event) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            request = {
                "workerId": log.client,
                "maxTasks": 3,
                "topics": [{"topicName": TOPIC, "lockDuration": LOCK_MS}],
            }
            log.record("fetch", "invoke")
            how, response = cluster.call(client, "POST", "/external-task/fetchAndLock", json=request)
            if how != "sent" or response is None or response.status_code != 200:
                log.record(
                    "fetch", "info" if how == "unknown" else "fail", status=response and response.status_code
                )
                time.sleep(0.05)
                continue
            tasks = response.json()
            log.record(
                "fetch",
                "ok",
                tasks=[
                    {"id": t["id"], "instance": t["processInstanceId"], "message": t["errorMessage"]}
                    for t in tasks
                ],
            )
            if not tasks:
                time.sleep(0.05)
            for task in tasks:
                if rng.random() < cluster_fail_rate(log):
                    body = {
                        "workerId": log.client,
                        "errorMessage": f"failed-{uuid.uuid4().hex[:12]}",
                        "retries": 3,
                        "retryTimeout": 0,
                    }
                    _report(cluster, client, log, "failure", task, body)
                else:
                    _report(cluster, client, log, "complete", task, {"workerId": log.client})


_FAIL_RATE: dict[str, float] = {}


def cluster_fail_rate(log: OpLog) -> float:
    return _FAIL_RATE.get(log.client, 0.0)


def _nemesis(cluster: Cluster, kills: int, rng: random.Random, stop: threading.Event, events: OpLog) -> None:
    for _ in range(kills):
        if stop.wait(rng.uniform(1.5, 4.0)):
            return
        index = rng.randrange(len(cluster.nodes))
        node = cluster.nodes[index]
        events.record("kill", "ok", port=node.port)
        kill_node(node)
        cluster.kills += 1
        time.sleep(rng.uniform(0.3, 1.5))
        cluster.nodes[index] = start_node(node.database_url, node.log, port=node.port)
        events.record("restart", "ok", port=node.port)


def run(label: str, database_url: str, node_count: int, workload: Workload, work: Path) -> Verdict:
    rng = random.Random(workload.seed)
    nodes = [start_node(database_url, work / f"node-{n}.log") for n in range(node_count)]
    cluster = Cluster(nodes)
    response = httpx.post(
        f"{nodes[0].base_url}/deployment/create", files={"data": ("crash.bpmn", MODEL)}, timeout=30
    )
    response.raise_for_status()
    stop_starting, stop_working, stop_nemesis = threading.Event(), threading.Event(), threading.Event()
    logs: list[OpLog] = []
    threads: list[threading.Thread] = []
    per_starter = workload.instances // workload.starters
    for number in range(workload.starters):
        log = OpLog(work / f"starter-{number}.jsonl", f"starter-{number}")
        logs.append(log)
        threads.append(
            threading.Thread(target=_starter, args=(cluster, log, per_starter, 0.02, stop_starting))
        )
    workers: list[threading.Thread] = []
    for number in range(workload.workers):
        log = OpLog(work / f"worker-{number}.jsonl", f"worker-{number}")
        _FAIL_RATE[log.client] = workload.fail_rate
        logs.append(log)
        workers.append(
            threading.Thread(target=_worker, args=(cluster, log, random.Random(number), stop_working))
        )
    events = OpLog(work / "nemesis.jsonl", "nemesis")
    logs.append(events)
    nemesis = threading.Thread(target=_nemesis, args=(cluster, workload.kills, rng, stop_nemesis, events))
    began = time.monotonic()
    for thread in [*threads, *workers, nemesis]:
        thread.start()
    for thread in threads:
        thread.join()
    nemesis.join()
    # drain: stop failing tasks, keep working until no work is left (or give up)
    for client in _FAIL_RATE:
        _FAIL_RATE[client] = 0.0
    engine = sa.create_engine(database_url)
    deadline = time.monotonic() + 3 * LOCK_MS / 1000 + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            left = connection.execute(sa.text("select count(*) from external_task")).scalar_one()
        if left == 0:
            break
        time.sleep(0.5)
    stop_working.set()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - began
    for node in cluster.nodes:
        stop_node(node)
    for log in logs:
        log.close()
    verdict = check(label, engine, [e for log in logs for e in log.entries], database_url)
    verdict.figures["kills"] = cluster.kills
    verdict.figures["seconds"] = round(elapsed)
    engine.dispose()
    return verdict


def check(label: str, engine: sa.Engine, history: list[dict[str, Any]], database_url: str) -> Verdict:
    verdict = Verdict(label)
    p = verdict.problems
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select id, business_key, end_time, state from historic_process_instance")
        ).all()
        executions = connection.execute(sa.text("select count(*) from execution")).scalar_one()
        tasks_left = {r[0] for r in connection.execute(sa.text("select id from external_task")).all()}
        incidents = connection.execute(sa.text("select count(*) from incident")).scalar_one()
        integrity = (
            connection.execute(sa.text("PRAGMA integrity_check")).scalar_one()
            if database_url.startswith("sqlite")
            else "ok"
        )
    by_id = {r[0]: r for r in rows}
    keys = Counter(r[1] for r in rows)
    starts = [e for e in history if e["op"] == "start"]
    attempted = {e["business_key"] for e in starts if e["phase"] == "invoke"}
    acked = {e["business_key"]: e["instance"] for e in starts if e["phase"] == "ok"}
    unknown = {e["business_key"] for e in starts if e["phase"] == "info"}
    p["lost starts"] = [k for k, i in acked.items() if i not in by_id or by_id[i][2] is None]
    p["unexpected instances"] = [r[0] for r in rows if r[1] not in attempted]
    p["duplicated starts"] = [k for k, n in keys.items() if n > 1]
    p["unfinished instances"] = [r[0] for r in rows if r[2] is None]
    p["stuck executions"] = [executions] if executions else []
    p["tasks left"] = sorted(tasks_left)
    p["incidents"] = [incidents] if incidents else []
    p["integrity"] = [] if integrity == "ok" else [integrity]

    completes = [e for e in history if e["op"] == "complete" and e["phase"] == "ok"]
    per_task = Counter(e["task"] for e in completes)
    p["duplicated completions"] = [t for t, n in per_task.items() if n > 1]
    p["lost completions"] = [
        e["task"]
        for e in completes
        if e["task"] in tasks_left or by_id.get(e["instance"], (0, 0, None))[2] is None
    ]

    deliveries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    invoked: dict[str, float] = {}
    for e in sorted(history, key=lambda e: e["ts"]):
        if e["op"] == "fetch" and e["phase"] == "invoke":
            invoked[e["client"]] = e["ts"]
        if e["op"] == "fetch" and e["phase"] == "ok":
            for t in e["tasks"]:
                deliveries[t["id"]].append(
                    {
                        "client": e["client"],
                        "invoke": invoked[e["client"]],
                        "ok": e["ts"],
                        "message": t["message"],
                    }
                )
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in history:
        if e["op"] in ("complete", "failure") and e["phase"] == "invoke":
            reports[e["task"]].append(e)
    failures = [e for e in history if e["op"] == "failure" and e["phase"] == "ok"]
    invoked_at = {e["message"]: e["ts"] for e in history if e["op"] == "failure" and e["phase"] == "invoke"}
    lost_failures = []
    for f in failures:
        # proof that the failure was stored: a later delivery of the task carries its unique
        # message (or that of a failure reported after it)
        since = invoked_at[f["message"]]
        later = {r["message"] for r in reports[f["task"]] if r["op"] == "failure" and r["ts"] >= since}
        if not any(d["message"] in later for d in deliveries[f["task"]] if d["ok"] > since):
            lost_failures.append(f["task"])
    p["lost failures"] = lost_failures

    overlaps = []
    lock_s = LOCK_MS / 1000
    for task_id, items in deliveries.items():
        for first, second in itertools.pairwise(items):
            given_back = any(
                r["client"] == first["client"] and first["invoke"] < r["ts"] < second["ok"]
                for r in reports[task_id]
            )
            if not given_back and second["ok"] < first["invoke"] + lock_s:
                overlaps.append(task_id)
    p["overlapping locks"] = overlaps

    verdict.figures = {
        "starts attempted": len(attempted),
        "starts acked": len(acked),
        "starts unknown": len(unknown),
        "recovered (unknown but present)": sum(1 for k in unknown if keys.get(k)),
        "instances ended": sum(1 for r in rows if r[2] is not None),
        "deliveries": sum(len(v) for v in deliveries.values()),
        "redeliveries": sum(len(v) - 1 for v in deliveries.values()),
        "completions acked": len(completes),
        "failures acked": len(failures),
        "unknown outcomes": sum(1 for e in history if e["phase"] == "info"),
    }
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["postgresql", "sqlite"], default=None)
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cadenza-crash-"))
    print(f"crash_checker: logs in {work}")
    verdicts: list[Verdict] = []
    workload = Workload(args.instances, starters=2, workers=args.workers, kills=args.kills)
    if args.only in (None, "postgresql"):
        name = f"cadenza_crash_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(args.postgres_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(args.postgres_admin_url).set(database=name).render_as_string(hide_password=False)
        (work / "postgresql").mkdir()
        try:
            verdicts.append(run("postgresql, 2 nodes", url, 2, workload, work / "postgresql"))
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if args.only in (None, "sqlite"):
        (work / "sqlite").mkdir()
        url = f"sqlite:///{work / 'sqlite' / 'cadenza.db'}"
        verdicts.append(run("sqlite, 1 node", url, 1, workload, work / "sqlite"))
    for verdict in verdicts:
        print(verdict.line())
        for name, items in verdict.problems.items():
            if items:
                print(f"    {name}: {items[:10]}")
    return 0 if all(v.ok for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
