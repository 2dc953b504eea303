"""Engine throughput: process instances per second through the embedded API.

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/engine_throughput.py              # table on stdout
    .venv/bin/python benchmarks/engine_throughput.py --markdown   # table for RESULTS.md
    .venv/bin/python benchmarks/engine_throughput.py --profile linear.prof

Three models, all made of none events, tasks and gateways:

* ``external``: start -> external task (topic ``work``) -> end. One instance costs a start
  transaction, its share of a fetch-and-lock transaction and a complete transaction. Measured
  twice: ``max_tasks=1`` (start, fetch one, complete one: three transactions per instance) and
  ``max_tasks=50`` (start 50, fetch the 50 in one call, complete each).
* ``linear``: start -> 10 none tasks -> end, run to completion in one transaction per instance.
* ``parallel``: start -> parallel fork -> 10 none tasks -> parallel join -> end, run to
  completion in one transaction per instance.

Backends: SQLite in a temporary directory with ``synchronous=FULL`` (durable) and ``NORMAL``,
and PostgreSQL in a fresh database that the script creates and drops (skipped with a message
when the server does not answer). Single thread, after a warm-up. The same models run on
SpiffWorkflow (in memory, ``BpmnParser`` + ``BpmnWorkflow`` + ``do_engine_steps()``; the
external task is a ``userTask`` there, completed with ``task.run()``) so the Cadenza/Spiff
ratio is printed next to each figure. SpiffWorkflow keeps nothing on disk: the ratio compares
a durable engine with an in-memory interpreter and is meant as a yardstick, not a race.

``--profile FILE`` runs only the linear model on SQLite FULL under cProfile, writes the pstats
to FILE and prints the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa

from cadenza.config import EngineConfig
from cadenza.services import Engine, FetchTopic, ProcessInstanceQuery

DEFAULT_PG_URL = os.environ.get(
    "CADENZA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STEPS = 10
TOPIC = "work"
WORKER = "bench-worker"
LOCK_MS = 600_000

# ── models ─────────────────────────────────────────────────────────────────────────────────────

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"\n'
    '                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"\n'
    '                  id="Definitions_{key}" targetNamespace="http://cadenza.dev/benchmarks">\n'
    '  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">\n'
)
_FOOTER = "  </bpmn:process>\n</bpmn:definitions>\n"


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'    <bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />\n'


def _node(tag: str, node_id: str, incoming: list[str], outgoing: list[str], attrs: str = "") -> str:
    refs = "".join(f"      <bpmn:incoming>{f}</bpmn:incoming>\n" for f in incoming)
    refs += "".join(f"      <bpmn:outgoing>{f}</bpmn:outgoing>\n" for f in outgoing)
    return f'    <bpmn:{tag} id="{node_id}"{attrs}>\n{refs}    </bpmn:{tag}>\n'


def external_model(*, spiff: bool = False) -> bytes:
    """start -> external task -> end; for SpiffWorkflow the wait state is a userTask."""
    key = "benchExternal"
    if spiff:
        work = _node("userTask", "work", ["f1"], ["f2"])
    else:
        attrs = f' camunda:type="external" camunda:topic="{TOPIC}"'
        work = _node("serviceTask", "work", ["f1"], ["f2"], attrs)
    body = (
        _node("startEvent", "start", [], ["f1"])
        + _flow("f1", "start", "work")
        + work
        + _flow("f2", "work", "end")
        + _node("endEvent", "end", ["f2"], [])
    )
    return (_HEADER.format(key=key) + body + _FOOTER).encode()


def linear_model() -> bytes:
    """start -> task1 -> ... -> task10 -> end."""
    key = "benchLinear"
    nodes = ["start", *(f"task{i}" for i in range(1, STEPS + 1)), "end"]
    body = ""
    for index, node in enumerate(nodes):
        incoming = [f"f{index}"] if index > 0 else []
        outgoing = [f"f{index + 1}"] if index < len(nodes) - 1 else []
        tag = "startEvent" if node == "start" else "endEvent" if node == "end" else "task"
        body += _node(tag, node, incoming, outgoing)
        if outgoing:
            body += _flow(outgoing[0], node, nodes[index + 1])
    return (_HEADER.format(key=key) + body + _FOOTER).encode()


def parallel_model() -> bytes:
    """start -> fork -> 10 tasks in parallel -> join -> end."""
    key = "benchParallel"
    branches = range(1, STEPS + 1)
    body = _node("startEvent", "start", [], ["toFork"]) + _flow("toFork", "start", "fork")
    body += _node("parallelGateway", "fork", ["toFork"], [f"out{i}" for i in branches])
    for i in branches:
        body += _flow(f"out{i}", "fork", f"task{i}")
        body += _node("task", f"task{i}", [f"out{i}"], [f"in{i}"])
        body += _flow(f"in{i}", f"task{i}", "join")
    body += _node("parallelGateway", "join", [f"in{i}" for i in branches], ["toEnd"])
    body += _flow("toEnd", "join", "end") + _node("endEvent", "end", ["toEnd"], [])
    return (_HEADER.format(key=key) + body + _FOOTER).encode()


MODELS = {
    "external": ("benchExternal", external_model),
    "linear": ("benchLinear", linear_model),
    "parallel": ("benchParallel", parallel_model),
}

# ── measurements ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Measurement:
    scenario: str
    backend: str
    instances: int
    seconds: float
    transactions: float
    """write transactions per instance"""
    latencies: list[float] = field(default_factory=list)
    """seconds per instance, when one instance is one call"""

    @property
    def rate(self) -> float:
        return self.instances / self.seconds


@dataclass(frozen=True)
class Scenario:
    name: str
    model: str
    label: str
    batch: int = 0
    """external-task scenarios: fetch_and_lock max_tasks"""


SCENARIOS = [
    Scenario("linear", "linear", f"linear {STEPS} tasks"),
    Scenario("parallel", "parallel", f"parallel {STEPS} branches"),
    Scenario("external-1", "external", "external, fetch 1", batch=1),
    Scenario("external-50", "external", "external, fetch 50", batch=50),
]


@contextmanager
def _collected() -> Iterator[None]:
    """Collect before a timed loop so garbage from the previous run is not billed to it."""
    gc.collect()
    yield


def _run_to_end(engine: Engine, definition_id: str, count: int, latencies: list[float] | None) -> None:
    start = engine.runtime.start_process_instance
    clock = time.perf_counter
    for _ in range(count):
        t0 = clock()
        started = start(definition_id)
        if latencies is not None:
            latencies.append(clock() - t0)
        if not started.instance.ended:
            raise RuntimeError(f"instance {started.instance.id} of {definition_id} did not end")


def _run_external(engine: Engine, definition_id: str, count: int, batch: int) -> None:
    topics = [FetchTopic(TOPIC, LOCK_MS, variables=[])]
    done = 0
    while done < count:
        size = min(batch, count - done)
        for _ in range(size):
            engine.runtime.start_process_instance(definition_id)
        locked = engine.external_tasks.fetch_and_lock(WORKER, size, topics)
        if len(locked) != size:
            raise RuntimeError(f"fetched {len(locked)} external tasks, expected {size}")
        for item in locked:
            engine.external_tasks.complete(item.task.id, WORKER)
        done += size


def measure_cadenza(
    engine: Engine, definitions: dict[str, str], scenario: Scenario, backend: str, n: int, warmup: int
) -> Measurement:
    definition_id = definitions[scenario.model]
    if scenario.batch:

        def run(count: int, _latencies: list[float] | None) -> None:
            _run_external(engine, definition_id, count, scenario.batch)

        transactions = 2 + 1 / scenario.batch
    else:

        def run(count: int, latencies: list[float] | None) -> None:
            _run_to_end(engine, definition_id, count, latencies)

        transactions = 1.0
    run(warmup, None)
    latencies: list[float] = []
    with _collected():
        t0 = time.perf_counter()
        run(n, None if scenario.batch else latencies)
        seconds = time.perf_counter() - t0
    left = engine.runtime.count_process_instances(ProcessInstanceQuery(process_definition_id=definition_id))
    if left:
        raise RuntimeError(f"{left} instances of {definition_id} did not end")
    return Measurement(scenario.name, backend, n, seconds, transactions, latencies)


def _deploy_all(engine: Engine) -> dict[str, str]:
    result = engine.repository.deploy([(f"{name}.bpmn", build()) for name, (_, build) in MODELS.items()])
    by_key = {d.key: d.id for d in result.process_definitions}
    return {name: by_key[key] for name, (key, _) in MODELS.items()}


# ── backends ───────────────────────────────────────────────────────────────────────────────────


@contextmanager
def sqlite_engine(directory: Path, synchronous: str) -> Iterator[Engine]:
    path = directory / f"cadenza-{synchronous.lower()}-{uuid.uuid4().hex[:8]}.db"
    engine = Engine(EngineConfig(database_url=f"sqlite:///{path}", sqlite_synchronous=synchronous))
    try:
        yield engine
    finally:
        engine.close()


def postgres_problem(admin_url: str) -> str | None:
    try:
        probe = sa.create_engine(admin_url, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        probe.dispose()
    except Exception as error:  # any failure to connect: skip PostgreSQL
        return f"PostgreSQL not reachable at {admin_url}: {type(error).__name__}: {error}".splitlines()[0]
    return None


@contextmanager
def postgres_engine(admin_url: str) -> Iterator[Engine]:
    """An engine on a fresh database, dropped afterwards."""
    name = f"cadenza_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine: Engine | None = None
    try:
        engine = Engine(EngineConfig(database_url=url))
        yield engine
    finally:
        if engine is not None:
            engine.close()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version(admin_url: str) -> str:
    try:
        probe = sa.create_engine(admin_url, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            version = str(connection.execute(sa.text("SHOW server_version")).scalar_one())
        probe.dispose()
    except Exception:  # reported as unknown; the run itself prints why PostgreSQL was skipped
        return "unreachable"
    return version


# ── SpiffWorkflow ──────────────────────────────────────────────────────────────────────────────


class Spiff:
    """The same models on SpiffWorkflow 3.x, in memory."""

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
        from SpiffWorkflow.bpmn.parser.util import full_tag
        from SpiffWorkflow.bpmn.specs.defaults import NoneTask
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        class PassThroughTask(NoneTask):  # type: ignore[misc]
            """Spiff makes ``bpmn:task`` a manual task that waits for a user; Camunda (and
            Cadenza) pass through it. Same semantics on both sides: not manual."""

            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, **kwargs)
                self.manual = False

        class Parser(BpmnParser):  # type: ignore[misc]
            OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
                full_tag("task"): (TaskParser, PassThroughTask)
            }

        self._workflow = BpmnWorkflow
        self._ready = TaskState.READY
        parser = Parser()
        parser.add_bpmn_str(external_model(spiff=True), "external.bpmn")
        parser.add_bpmn_str(linear_model(), "linear.bpmn")
        parser.add_bpmn_str(parallel_model(), "parallel.bpmn")
        self.specs = {name: parser.get_spec(key) for name, (key, _) in MODELS.items()}

    def run_to_end(self, model: str, count: int) -> None:
        spec = self.specs[model]
        for _ in range(count):
            workflow = self._workflow(spec)
            workflow.do_engine_steps()
            if not workflow.is_completed():
                raise RuntimeError(f"SpiffWorkflow {model} did not complete")

    def run_external(self, count: int) -> None:
        spec = self.specs["external"]
        for _ in range(count):
            workflow = self._workflow(spec)
            workflow.do_engine_steps()
            waiting = workflow.get_tasks(state=self._ready, manual=True)
            if len(waiting) != 1:
                raise RuntimeError(f"SpiffWorkflow external: {len(waiting)} ready manual tasks")
            waiting[0].run()
            workflow.do_engine_steps()
            if not workflow.is_completed():
                raise RuntimeError("SpiffWorkflow external did not complete")

    def measure(self, model: str, n: int, warmup: int) -> Measurement:
        def run(count: int) -> None:
            if model == "external":
                self.run_external(count)
            else:
                self.run_to_end(model, count)

        run(warmup)
        with _collected():
            t0 = time.perf_counter()
            run(n)
            seconds = time.perf_counter() - t0
        return Measurement(model, "spiff (memory)", n, seconds, 0.0)


# ── machine and output ─────────────────────────────────────────────────────────────────────────


def filesystem(path: Path) -> str:
    """The filesystem type under ``path`` (fsync on tmpfs is free: FULL would mean nothing)."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and str(path.resolve()).startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], f"{parts[2]} ({parts[0]} on {parts[1]})"
    except OSError:
        pass
    return kind


def machine(pg_version: str, tmpdir: Path) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    try:
        root = Path(__file__).resolve().parent.parent
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit = f"{head} (src has uncommitted changes)" if dirty else head
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cadenza commit": commit,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cpus (nproc)": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite dir": f"{tmpdir}: {filesystem(tmpdir)}",
        "postgresql": pg_version,
        "sqlalchemy": version("sqlalchemy"),
        "psycopg": version("psycopg"),
        "spiffworkflow": version("SpiffWorkflow"),
    }


HEADERS = ["model", "backend", "N", "tx/inst", "inst/s", "ms/inst", "p50 ms", "p99 ms", "Spiff/s", "×Spiff"]


def rows(results: list[Measurement], spiff: dict[str, Measurement]) -> list[list[str]]:
    labels = {s.name: (s.label, s.model) for s in SCENARIOS}
    out = []
    for m in results:
        label, model = labels[m.scenario]
        reference = spiff.get(model)
        p50 = p99 = "–"
        if len(m.latencies) >= 100:
            ordered = sorted(m.latencies)
            p50 = f"{statistics.median(ordered) * 1000:.2f}"
            p99 = f"{ordered[int(len(ordered) * 0.99) - 1] * 1000:.2f}"
        out.append(
            [
                label,
                m.backend,
                str(m.instances),
                f"{m.transactions:g}",
                f"{m.rate:,.0f}",
                f"{1000 * m.seconds / m.instances:.2f}",
                p50,
                p99,
                f"{reference.rate:,.0f}" if reference else "–",
                f"{m.rate / reference.rate:.2f}" if reference else "–",
            ]
        )
    return out


def print_table(table: list[list[str]], info: dict[str, str], markdown: bool) -> None:
    if markdown:
        for key, value in info.items():
            print(f"- {key}: {value}")
        print()
        print("| " + " | ".join(HEADERS) + " |")
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(HEADERS))) + "|")
        for row in table:
            print("| " + " | ".join(row) + " |")
        return
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(HEADERS)]
        print("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True)))
        for row in table:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        return
    rich_table = Table(title=f"Cadenza engine throughput ({info['date']})")
    for i, header in enumerate(HEADERS):
        rich_table.add_column(header, justify="left" if i < 2 else "right")
    for row in table:
        rich_table.add_row(*row)
    console = Console()
    console.width = max(console.width, 132)
    console.print(rich_table)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ── main ───────────────────────────────────────────────────────────────────────────────────────


@contextmanager
def _timing(owner: object, name: str, totals: dict[str, float], bucket: str) -> Iterator[None]:
    """Replace ``owner.name`` by a wrapper adding its wall time to ``totals[bucket]``."""
    original = getattr(owner, name)
    clock = time.perf_counter

    def timed(*args: object, **kwargs: object) -> object:
        t0 = clock()
        try:
            return original(*args, **kwargs)
        finally:
            totals[bucket] += clock() - t0

    own = name in vars(owner)  # else inherited or a class attribute seen through an instance
    totals.setdefault(bucket, 0.0)
    setattr(owner, name, timed)
    try:
        yield
    finally:
        if own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


COMMIT = "COMMIT (sqlite3 commit: WAL append + fsync)"
LOAD = "load instance graph (SELECTs)"
FLUSH = "unit-of-work flush (INSERT/UPDATE/DELETE)"
AGENDA = "agenda (the BPMN steps, in memory)"
REST = "rest (service layer, SQLAlchemy connection/txn)"
DRIVER = "sqlite3 cursor.execute, all statements"
BUCKETS = [
    # (label, parent): parent None = a top-level share, DRIVER cuts across the others
    (COMMIT, None),
    (LOAD, None),
    (FLUSH, None),
    (AGENDA, None),
    ("uuid4 ids", AGENDA),
    ("definition cache lookups", AGENDA),
    (REST, None),
    ("pool checkout (Engine.connect)", REST),
    ("BEGIN IMMEDIATE (via exec_driver_sql)", REST),
    ("pool return (Connection.close: reset)", REST),
    (DRIVER, "across"),
]


def breakdown(engine: Engine, n: int, run: Callable[[], None]) -> tuple[float, dict[str, float]]:
    """Where the wall time of ``run()`` goes, measured without a profiler: a few hot entry points
    are wrapped (about 0.3 µs per wrapped call, which inflates the small buckets slightly:
    ids and definition lookups are called 13 and 23 times per linear instance). ``rest`` is
    the wall time outside the top-level buckets."""
    from cadenza.engine import context
    from cadenza.store.deployments import DefinitionCache
    from cadenza.store.unit_of_work import SqlUnitOfWork

    sql_engine = engine.store.engine
    totals: dict[str, float] = {}
    label = [name for name, _ in BUCKETS]
    with (
        _timing(sql_engine.dialect, "do_commit", totals, COMMIT),
        _timing(SqlUnitOfWork, "load_graph", totals, LOAD),
        _timing(SqlUnitOfWork, "flush", totals, FLUSH),
        _timing(context.CommandContext, "run_agenda", totals, AGENDA),
        _timing(context, "new_id", totals, label[4]),
        _timing(DefinitionCache, "deployed_process", totals, label[5]),
        _timing(sql_engine, "connect", totals, label[7]),
        _timing(sa.Connection, "exec_driver_sql", totals, label[8]),
        _timing(sa.Connection, "close", totals, label[9]),
        _timing(sql_engine.dialect, "do_execute", totals, DRIVER),
    ):
        gc.collect()
        t0 = time.perf_counter()
        run()
        seconds = time.perf_counter() - t0
    top = sum(totals[name] for name, parent in BUCKETS if parent is None and name != REST)
    totals[REST] = seconds - top
    return seconds, totals


def print_breakdown(title: str, n: int, seconds: float, totals: dict[str, float]) -> None:
    print(f"── wall-time breakdown, {title}: {n / seconds:,.0f} /s ──")
    for label, parent in BUCKETS:
        spent = totals[label]
        name = label if parent is None else f"  of which {label}" if parent != "across" else f"({label})"
        print(f"{name:<56} {1e6 * spent / n:7.1f} µs/op {100 * spent / seconds:5.1f} %")
    print()


def profile(n: int, warmup: int, out: Path, top: int, tmpdir: Path | None) -> None:
    """Wall-time breakdowns (linear start on SQLite FULL and NORMAL, external-task complete on
    FULL), then cProfile of the linear model on SQLite FULL."""
    for synchronous in ("FULL", "NORMAL"):
        with (
            tempfile.TemporaryDirectory(prefix="cadenza-bench-", dir=tmpdir) as tmp,
            sqlite_engine(Path(tmp), synchronous) as engine,
        ):
            definitions = _deploy_all(engine)
            linear = definitions["linear"]
            _run_to_end(engine, linear, warmup, None)
            seconds, totals = breakdown(engine, n, partial(_run_to_end, engine, linear, n, None))
        print_breakdown(f"linear instances, SQLite {synchronous}", n, seconds, totals)

    with (
        tempfile.TemporaryDirectory(prefix="cadenza-bench-", dir=tmpdir) as tmp,
        sqlite_engine(Path(tmp), "FULL") as engine,
    ):
        definitions = _deploy_all(engine)
        _run_external(engine, definitions["external"], warmup, 50)
        for _ in range(n):
            engine.runtime.start_process_instance(definitions["external"])
        topics = [FetchTopic(TOPIC, LOCK_MS, variables=[])]
        locked = engine.external_tasks.fetch_and_lock(WORKER, n, topics)

        def complete_all() -> None:
            for item in locked:
                engine.external_tasks.complete(item.task.id, WORKER)

        seconds, totals = breakdown(engine, len(locked), complete_all)
    print_breakdown("external task complete, SQLite FULL", len(locked), seconds, totals)

    with (
        tempfile.TemporaryDirectory(prefix="cadenza-bench-", dir=tmpdir) as tmp,
        sqlite_engine(Path(tmp), "FULL") as engine,
    ):
        definitions = _deploy_all(engine)
        _run_to_end(engine, definitions["linear"], warmup, None)
        profiler = cProfile.Profile()
        gc.collect()
        t0 = time.perf_counter()
        profiler.enable()
        _run_to_end(engine, definitions["linear"], n, None)
        profiler.disable()
        seconds = time.perf_counter() - t0
    profiler.dump_stats(out)
    print(f"── cProfile, linear, SQLite FULL: {n / seconds:,.0f} inst/s under the profiler ──")
    for key in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(key).print_stats(top)
        print(f"── top {top} by {key} ──")
        print(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=3000, help="timed instances per scenario (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="untimed instances first (default 300)")
    parser.add_argument("--spiff-n", type=int, default=0, help="instances for SpiffWorkflow (default: -n)")
    parser.add_argument(
        "--backends",
        default="sqlite-full,sqlite-normal,postgresql",
        help="comma-separated subset of sqlite-full, sqlite-normal, postgresql",
    )
    parser.add_argument("--scenarios", default=",".join(s.name for s in SCENARIOS), help="comma-separated")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server (a database is created)")
    parser.add_argument(
        "--tmpdir", type=Path, help="where the SQLite files go (default: the system temp dir)"
    )
    parser.add_argument("--no-spiff", action="store_true", help="skip the SpiffWorkflow comparison")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--profile", type=Path, help="profile the linear model on SQLite FULL instead")
    parser.add_argument("--top", type=int, default=40, help="--profile: functions to print")
    args = parser.parse_args(argv)

    if args.profile:
        profile(args.n, args.warmup, args.profile, args.top, args.tmpdir)
        return 0

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    scenarios = [s for s in SCENARIOS if s.name in wanted]
    unknown = set(backends) - {"sqlite-full", "sqlite-normal", "postgresql"} or wanted - {
        s.name for s in SCENARIOS
    }
    if unknown:
        parser.error(f"unknown backend or scenario: {', '.join(sorted(unknown))}")

    pg_problem = postgres_problem(args.pg_url) if "postgresql" in backends else None
    tmpdir = Path(args.tmpdir or tempfile.gettempdir())
    info = machine(postgres_version(args.pg_url) if pg_problem is None else "unreachable", tmpdir)
    log(" · ".join(f"{k}: {v}" for k, v in info.items()))

    spiff_results: dict[str, Measurement] = {}
    if not args.no_spiff:
        try:
            spiff = Spiff()
        except ImportError:
            log("SpiffWorkflow not installed (pip install SpiffWorkflow): comparison skipped")
        else:
            for model in dict.fromkeys(s.model for s in scenarios):
                m = spiff.measure(model, args.spiff_n or args.n, args.warmup)
                spiff_results[model] = m
                log(f"spiff {model}: {m.rate:,.0f} inst/s")

    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="cadenza-bench-", dir=tmpdir) as tmp:
        directory = Path(tmp)
        engines: dict[str, Callable[[], AbstractContextManager[Engine]]] = {
            "sqlite-full": lambda: sqlite_engine(directory, "FULL"),
            "sqlite-normal": lambda: sqlite_engine(directory, "NORMAL"),
            "postgresql": lambda: postgres_engine(args.pg_url),
        }
        for backend in backends:
            if backend == "postgresql" and pg_problem is not None:
                log(f"skipping postgresql: {pg_problem}")
                continue
            for scenario in scenarios:
                # a fresh database per scenario: tables do not grow across scenarios
                with engines[backend]() as engine:
                    definitions = _deploy_all(engine)
                    m = measure_cadenza(engine, definitions, scenario, backend, args.n, args.warmup)
                results.append(m)
                log(f"{backend} {scenario.name}: {m.rate:,.0f} inst/s ({m.seconds:.1f} s)")

    info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if max(float(info["load average at start"].split()[0]), os.getloadavg()[0]) > 0.5:
        log("warning: the machine was not idle (load average above 0.5): figures are low and noisy")
    print_table(rows(results, spiff_results), info, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
