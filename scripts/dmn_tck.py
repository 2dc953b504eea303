#!/usr/bin/env python3
"""Run the DMN TCK (dmn-tck/tck test-case folders) through Cadenza's DMN engine.

    python scripts/dmn_tck.py DIR... [--output tck_results.csv]

Every folder under each DIR that holds ``*.dmn`` models and ``*-test-NN.xml`` files is one test
case folder. Each model is parsed and compiled as a deployment would (``parse_dmn``,
``compile_definitions``), each ``testCase`` evaluated through ``DrgEvaluation`` (the code
``evaluate_decision`` uses, in the DMN specification's error mode: an error makes a decision's
value null), and each ``resultNode`` compared with its expected value. The results go to
``tck_results.csv`` in the TCK's format, one row per result node:

    "folder","test case id","result node","SUCCESS|FAILURE|ERROR|IGNORED","detail"

IGNORED is written only for what Cadenza explicitly does not support (docs/dmn.md lists it): a
model whose compilation reports a construct "not supported by Cadenza" (Java/PMML functions).
The last line printed is ``N passed, M failed`` (M counts failures and errors).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from cadenza.dmn import (  # noqa: E402
    CompiledDefinitions,
    Definitions,
    DmnEvaluationError,
    DmnParseError,
    DrgEvaluation,
    compile_definitions,
    parse_dmn,
)
from cadenza.feel import FeelError, feel_equals, render  # noqa: E402
from cadenza.feel.temporal import parse_date, parse_date_time, parse_duration, parse_time  # noqa: E402
from cadenza.feel.values import DECIMAL  # noqa: E402

TC = "{http://www.omg.org/spec/DMN/20160719/testcase}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
UNSUPPORTED = "not supported by Cadenza"
TOLERANCE = Decimal("1e-10")


@dataclass(frozen=True)
class Row:
    folder: str
    test: str
    node: str
    status: str
    detail: str = ""


# ── expected values ───────────────────────────────────────────────────────────────────────────


def _scalar(element: etree._Element) -> object:
    if element.get(f"{XSI}nil") == "true":
        return None
    text = element.text or ""
    kind = (element.get(f"{XSI}type") or "").split(":")[-1]
    if kind in ("decimal", "integer", "int", "long", "double", "float", "short"):
        return DECIMAL.create_decimal(text.strip())
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return parse_date(text.strip())
    if kind == "time":
        return parse_time(text.strip())
    if kind == "dateTime":
        return parse_date_time(text.strip())
    if kind in ("duration", "dayTimeDuration", "yearMonthDuration"):
        return parse_duration(text.strip())
    return text


def parse_value(element: etree._Element) -> object:
    """A TCK ``valueType`` element (value, components or list) as a FEEL value."""
    if element.get(f"{XSI}nil") == "true":
        return None
    value = element.find(f"{TC}value")
    if value is not None:
        return _scalar(value)
    listed = element.find(f"{TC}list")
    if listed is not None:
        if listed.get(f"{XSI}nil") == "true":
            return None
        return [parse_value(item) for item in listed.findall(f"{TC}item")]
    components = element.findall(f"{TC}component")
    if components:
        return {c.get("name") or "": parse_value(c) for c in components}
    return None


def _close(expected: Decimal, actual: Decimal) -> bool:
    """Several expected numbers were computed in binary floating point, or rounded: equal
    within a relative 1e-10, or equal when rounded to the expected value's last digit if that
    value has at least 8 significant digits."""
    if abs(expected - actual) <= TOLERANCE * max(Decimal(1), abs(expected)):
        return True
    exponent = expected.as_tuple().exponent
    if len(expected.as_tuple().digits) < 8 or not isinstance(exponent, int):
        return False
    return actual.quantize(Decimal(1).scaleb(exponent)) == expected


def same(expected: object, actual: object) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        return expected == actual or _close(expected, actual)
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(actual) == set(expected)
            and all(same(expected[key], actual[key]) for key in expected)
        )
    return type(expected) is type(actual) and feel_equals(expected, actual) is True


# ── running ───────────────────────────────────────────────────────────────────────────────────


def _folders(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_dir() and any(path.glob("*.dmn")) and any(path.glob("*-test-*.xml")):
            yield path
    if any(directory.glob("*.dmn")) and any(directory.glob("*-test-*.xml")):
        yield directory


def _compile_folder(folder: Path) -> tuple[dict[str, CompiledDefinitions], dict[str, str]]:
    """Every model of the folder, imported models compiled before the models importing them."""
    compiled: dict[str, CompiledDefinitions] = {}
    failures: dict[str, str] = {}
    parsed: dict[str, Definitions] = {}
    for model in sorted(folder.glob("*.dmn")):
        try:
            parsed[model.name] = parse_dmn(model.read_bytes(), model.name)
        except DmnParseError as error:
            failures[model.name] = " | ".join(p.message for p in error.problems)
    by_namespace: dict[str, CompiledDefinitions] = {}
    pending = dict(parsed)
    while pending:
        ready = [
            name
            for name, definitions in pending.items()
            if all(
                i.namespace in by_namespace or i.namespace not in _namespaces(parsed)
                for i in definitions.imports
            )
        ]
        if not ready:
            failures.update({name: "imports form a cycle" for name in pending})
            break
        for name in ready:
            definitions = pending.pop(name)
            try:
                model = compile_definitions(
                    definitions, resource_name=name, strict=False, imported=by_namespace
                )
            except DmnParseError as error:
                failures[name] = " | ".join(p.message for p in error.problems)
                continue
            compiled[name] = model
            by_namespace[definitions.namespace] = model
    return compiled, failures


def _namespaces(parsed: Mapping[str, Definitions]) -> set[str]:
    return {definitions.namespace for definitions in parsed.values()}


def _evaluate(
    compiled: CompiledDefinitions,
    case: etree._Element,
    inputs: Mapping[str, object],
    node: etree._Element,
    namespaced: Mapping[str, Mapping[str, object]],
) -> object:
    evaluation = DrgEvaluation(compiled, inputs, errors="null", feel_values=True, namespaced=namespaced)
    name = node.get("name") or ""
    kind = case.get("type") or "decision"
    if kind == "decisionService":
        service_name = case.get("invocableName") or name
        service = next(
            (s for s in compiled.services.values() if service_name in (s.name, s.id)),
            None,
        )
        if service is None:
            raise KeyError(f"no decision service '{service_name}'")
        service_inputs = {key: value for key, value in inputs.items()}
        result = evaluation.evaluate_service(service.id, service_inputs)
        if kind == "decisionService" and node.get("name") != service_name and isinstance(result, dict):
            return result.get(name)
        return result
    decision = compiled.find_decision(name)
    if decision is None:
        decision = next((d for d in compiled.decisions.values() if d.variable == name), None)
    if decision is None:
        raise KeyError(f"no decision named '{name}'")
    return evaluation.decision(decision.id).value


def run_folder(folder: Path, label: str) -> list[Row]:
    rows: list[Row] = []
    compiled, failures = _compile_folder(folder)
    for test_file in sorted(folder.glob("*-test-*.xml")):
        tree = etree.parse(str(test_file), etree.XMLParser(resolve_entities=False, no_network=True))
        root = tree.getroot()
        model_name = root.findtext(f"{TC}modelName") or ""
        for case in root.findall(f"{TC}testCase"):
            case_id = case.get("id") or ""
            nodes = case.findall(f"{TC}resultNode")
            model = compiled.get(model_name) or (
                next(iter(compiled.values())) if len(compiled) == 1 else None
            )
            if model is None:
                problem = failures.get(model_name) or next(iter(failures.values()), "model not found")
                status = "IGNORED" if UNSUPPORTED in problem else "ERROR"
                rows.extend(Row(label, case_id, n.get("name") or "", status, problem[:300]) for n in nodes)
                continue
            inputs: dict[str, object] = {}
            namespaced: dict[str, dict[str, object]] = {}
            for input_node in case.findall(f"{TC}inputNode"):
                namespace = input_node.get("namespace")
                target = (
                    inputs
                    if namespace in (None, model.definitions.namespace)
                    else namespaced.setdefault(namespace or "", {})
                )
                target[input_node.get("name") or ""] = parse_value(input_node)
            for node in nodes:
                rows.append(_check(label, case, case_id, node, model, inputs, namespaced))
    return rows


def _check(
    label: str,
    case: etree._Element,
    case_id: str,
    node: etree._Element,
    model: CompiledDefinitions,
    inputs: Mapping[str, object],
    namespaced: Mapping[str, Mapping[str, object]],
) -> Row:
    name = node.get("name") or ""
    expected_element = node.find(f"{TC}expected")
    expected = None if expected_element is None else parse_value(expected_element)
    try:
        actual = _evaluate(model, case, inputs, node, namespaced)
    except (DmnEvaluationError, FeelError) as error:
        if expected is None:
            return Row(label, case_id, name, "SUCCESS")
        return Row(label, case_id, name, "ERROR", str(error)[:300])
    except (KeyError, RecursionError) as error:
        return Row(label, case_id, name, "ERROR", str(error)[:300])
    if same(expected, actual):
        return Row(label, case_id, name, "SUCCESS")
    return Row(
        label,
        case_id,
        name,
        "FAILURE",
        f"expected {render(expected, nested=True)} but was {render(actual, nested=True)}"[:300],
    )


def run(directories: list[Path]) -> list[Row]:
    rows: list[Row] = []
    for directory in directories:
        base = directory.parent
        for folder in _folders(directory):
            rows.extend(run_folder(folder, folder.relative_to(base).as_posix()))
    return rows


def summary(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Counts per folder: SUCCESS, FAILURE, ERROR, IGNORED."""
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = out.setdefault(row.folder, {"SUCCESS": 0, "FAILURE": 0, "ERROR": 0, "IGNORED": 0})
        counts[row.status] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, default=Path("tck_results.csv"))
    parser.add_argument("--quiet", action="store_true", help="print only the totals")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = run(args.directories)
    with args.output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        for row in rows:
            writer.writerow([row.folder, row.test, row.node, row.status, row.detail])
    if not args.quiet:
        for folder, counts in summary(rows).items():
            total = sum(counts.values())
            print(
                f"{folder}: {counts['SUCCESS']}/{total}"
                + "".join(
                    f" {key.lower()} {value}" for key, value in counts.items() if key != "SUCCESS" and value
                )
            )
    passed = sum(row.status == "SUCCESS" for row in rows)
    failed = sum(row.status in ("FAILURE", "ERROR") for row in rows)
    ignored = sum(row.status == "IGNORED" for row in rows)
    print(f"{len(rows)} results, {ignored} ignored, {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
