"""Hostile input against the REST API (reliability.md R10): schemathesis over Cadenza's own
OpenAPI (``/engine-rest/openapi.json``) and over the operations of the official Camunda spec
(``../shared/corpus/openapi/camunda-rest-7.x.json``) that Cadenza serves. The check is
``not_a_server_error``: every 5xx is a bug unless it is a documented Camunda 500 (an engine
failure while continuing a process), which is reported separately.

Two generators run per spec: schemathesis' Python API (hypothesis strategies per operation,
``--max-examples`` each) and the ``st run`` command line (its examples, coverage and fuzzing
phases; the coverage phase is the one that tries boundary values).

    .venv/bin/python reliability/fuzz_api.py                      # SQLite server, 25 examples/op
    .venv/bin/python reliability/fuzz_api.py --max-examples 100 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reliability.servers import Node, start_node, stop_node  # noqa: E402

OFFICIAL_SPEC = ROOT.parent / "shared" / "corpus" / "openapi" / "camunda-rest-7.x.json"
PREFIX = "/engine-rest"
# Camunda answers an engine failure while a process continues with 500 by design; on start it
# wraps it as RestException "Cannot instantiate process definition <id>: <cause>"
# (ProcessDefinitionResourceImpl#startProcessInstance). An unexpected Python exception (the
# "see the server log" body) is never one of these.
DOCUMENTED_500 = {
    "RestException": ("Cannot instantiate process definition",),
    "ProcessEngineException": (
        "Unknown property used in expression",
        "Error while evaluating expression",
        # POST /signal: "500 if a single execution is specified and no such execution exists
        # or has not subscribed to the signal" (the official spec's response text)
        "Cannot find execution with id",
    ),
}
UNEXPECTED = "An unexpected error occurred"


@dataclass
class FuzzReport:
    label: str
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[dict[str, Any]] = field(default_factory=list)
    documented_500: int = 0
    operations: int = 0

    def summary(self) -> str:
        return (
            f"{self.label}: {self.operations} operations, {self.requests} requests, "
            f"5xx bugs {len(self.server_errors)}, documented 500s {self.documented_500}, "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def served_operations(own_spec: dict[str, Any]) -> set[tuple[str, str]]:
    """(path template without /engine-rest, method) of every operation Cadenza serves."""
    return {
        (_template(path.removeprefix(PREFIX)), method.lower())
        for path, item in own_spec["paths"].items()
        for method in item
        if method.lower() in {"get", "post", "put", "delete", "patch", "head", "options"}
    }


def official_subset(own_spec: dict[str, Any], official: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The official spec cut down to the operations Cadenza serves, pointed at ``base_url``."""
    served = served_operations(own_spec)
    paths: dict[str, Any] = {}
    for path, item in official["paths"].items():
        kept = {m: op for m, op in item.items() if (_template(path), m.lower()) in served}
        if kept:
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
            paths[path] = kept
    return {**official, "paths": paths, "servers": [{"url": base_url}]}


def is_documented_500(status: int, body: str) -> bool:
    if status != 500:
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    if not isinstance(parsed, dict):
        return False
    message = str(parsed.get("message", ""))
    prefixes = DOCUMENTED_500.get(str(parsed.get("type")), ())
    return UNEXPECTED not in message and any(message.startswith(prefix) for prefix in prefixes)


def fuzz_schema(
    label: str,
    spec: dict[str, Any],
    base_url: str,
    *,
    max_examples: int,
    timeout: float = 30,
    progress: Callable[[str], None] | None = None,
) -> FuzzReport:
    """Every operation of ``spec`` with ``max_examples`` generated cases, sent to ``base_url``."""
    schema = schemathesis.openapi.from_dict(spec)
    report = FuzzReport(label)
    for result in schema.get_all_operations():
        _fuzz_operation(result.ok(), report, base_url, max_examples, timeout)
        if progress is not None:
            progress(f"  {report.operations} operations, {report.requests} requests so far")
    return report


def _fuzz_operation(
    operation: Any, report: FuzzReport, base_url: str, max_examples: int, timeout: float
) -> None:
    report.operations += 1

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            response = case.call(base_url=base_url, timeout=timeout)
        except Exception as error:  # a hang or a dropped connection is a finding too
            report.server_errors.append(
                {"operation": operation.label, "error": f"{type(error).__name__}: {error}"}
            )
            return
        report.requests += 1
        report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            if is_documented_500(response.status_code, response.text):
                report.documented_500 += 1
            else:
                report.server_errors.append(
                    {
                        "operation": operation.label,
                        "status": response.status_code,
                        "body": response.text[:300],
                        "curl": case.as_curl_command(),
                    }
                )

    run()


def run_cli(label: str, location: str, base_url: str, max_examples: int) -> tuple[int, int, str]:
    """``st run`` with not_a_server_error; returns (cases generated, undocumented 5xx, their bodies)."""
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        location,
        "--url",
        base_url,
        "-c",
        "not_a_server_error",
        "--phases",
        "examples,coverage,fuzzing",
        "-n",
        str(max_examples),
        "--workers",
        "2",
        "--warnings",
        "off",
        "--no-color",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    generated = re.search(r"(\d+) generated", output)
    # one example body per unique failure; documented Camunda 500s do not count
    bodies = re.findall(r"^\s+`(\{.*\})`$", output, re.MULTILINE)
    bugs = [body for body in bodies if not is_documented_500(500, body)]
    return (
        int(generated.group(1)) if generated else 0,
        len(bugs),
        "\n".join(bugs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--no-cli", action="store_true", help="skip the st run command-line pass")
    parser.add_argument("--report", type=Path, default=None, help="write the findings as JSON here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cadenza-fuzz-"))
    url = args.database_url or f"sqlite:///{work / 'fuzz.db'}"
    node: Node = start_node(url, work / "server.log")
    began = time.monotonic()
    try:
        own = httpx.get(f"{node.base_url}/openapi.json", timeout=30).json()
        origin = node.base_url.removesuffix(PREFIX)
        official = official_subset(own, json.loads(OFFICIAL_SPEC.read_text()), node.base_url)
        official_file = work / "official-subset.json"
        official_file.write_text(json.dumps(official))
        reports = [
            fuzz_schema(
                "own spec", {**own, "servers": [{"url": origin}]}, origin, max_examples=args.max_examples
            ),
            fuzz_schema(
                "official spec (served operations)", official, node.base_url, max_examples=args.max_examples
            ),
        ]
        cli: list[tuple[str, int, int, str]] = []
        if not args.no_cli:
            cli.append(
                (
                    "st run own spec",
                    *run_cli("own", f"{node.base_url}/openapi.json", origin, args.max_examples),
                )
            )
            cli.append(
                (
                    "st run official",
                    *run_cli("official", str(official_file), node.base_url, args.max_examples),
                )
            )
    finally:
        stop_node(node)
    bugs = sum(len(r.server_errors) for r in reports) + sum(c[2] for c in cli)
    print(f"fuzz_api: database {url.split(':')[0]}, {time.monotonic() - began:.0f}s, server log {node.log}")
    for report in reports:
        print(report.summary())
        for error in report.server_errors[:20]:
            print("   ", json.dumps(error))
    for label, generated, failures, tail in cli:
        print(f"{label}: {generated} cases, 5xx failures {failures}")
        if tail:
            print(tail)
    total = sum(r.requests for r in reports) + sum(c[1] for c in cli)
    print(f"TOTAL requests {total}, server errors (bugs) {bugs}")
    if args.report is not None:
        args.report.write_text(
            json.dumps(
                {
                    "requests": total,
                    "server_errors": bugs,
                    "reports": [
                        {
                            "label": r.label,
                            "requests": r.requests,
                            "operations": r.operations,
                            "errors": r.server_errors,
                            "documented_500": r.documented_500,
                        }
                        for r in reports
                    ],
                    "cli": [{"label": c[0], "cases": c[1], "failures": c[2]} for c in cli],
                },
                indent=2,
            )
        )
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
