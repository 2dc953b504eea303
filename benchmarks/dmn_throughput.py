"""DMN throughput: evaluations per second of a 50-rule, 5-input decision table.

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/dmn_throughput.py              # table on stdout
    .venv/bin/python benchmarks/dmn_throughput.py --markdown   # table for RESULTS.md

The table (generated, deterministic) has five inputs: ``age`` and ``income`` (numbers tested
with ranges and comparisons), ``category`` (a string tested against lists of literals),
``score`` (a number) and ``member`` (a boolean), and 50 rules, a quarter of the cells ``-``.
Two hit policies: FIRST (evaluation stops at the first matching rule) and RULE ORDER (every
rule is tested, every match collected). Each evaluation goes through the public API,
``evaluate_decision(compiled, "eligibility", variables)``: Python values in, FEEL conversion,
rule matching, output entries, Camunda's typed result out. The model is parsed and compiled
once, outside the measurement, as a deployment does.

Beside it, the same 50 rules written as plain Python ``if`` statements run on the same inputs
in the same process, so the ratio (Cadenza time / plain Python time) is the figure that does
not depend on the machine. Before timing, both are checked to give the same answers on every
input.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cadenza.dmn import compile_definitions, evaluate_decision, parse_dmn

CATEGORIES = ("gold", "silver", "bronze", "none", "staff")


@dataclass(frozen=True)
class RuleSpec:
    age: tuple[int, int] | None
    income: int | None
    categories: tuple[str, ...] | None
    score: int | None
    member: bool | None
    result: str


def make_rules(count: int = 50, seed: int = 7) -> list[RuleSpec]:
    rng = random.Random(seed)
    rules: list[RuleSpec] = []
    for index in range(count):
        low = rng.randrange(18, 70)
        rules.append(
            RuleSpec(
                age=None if rng.random() < 0.25 else (low, low + rng.randrange(3, 15)),
                income=None if rng.random() < 0.25 else rng.randrange(1000, 9000, 500),
                categories=None if rng.random() < 0.25 else tuple(rng.sample(CATEGORIES, 2)),
                score=None if rng.random() < 0.25 else rng.randrange(300, 800, 50),
                member=None if rng.random() < 0.25 else rng.random() < 0.5,
                result=f"offer-{index + 1}",
            )
        )
    return rules


def make_dmn(rules: list[RuleSpec], hit_policy: str) -> bytes:
    def cells(rule: RuleSpec) -> list[str]:
        return [
            "-" if rule.age is None else f"[{rule.age[0]}..{rule.age[1]}]",
            "-" if rule.income is None else f"&gt; {rule.income}",
            "-" if rule.categories is None else ",".join(f'"{c}"' for c in rule.categories),
            "-" if rule.score is None else f"&lt; {rule.score}",
            "-" if rule.member is None else ("true" if rule.member else "false"),
        ]

    inputs = "".join(
        f'<input id="in_{name}"><inputExpression typeRef="{kind}"><text>{name}</text>'
        "</inputExpression></input>"
        for name, kind in (
            ("age", "number"),
            ("income", "number"),
            ("category", "string"),
            ("score", "number"),
            ("member", "boolean"),
        )
    )
    body = "".join(
        f'<rule id="r{index + 1}">'
        + "".join(f"<inputEntry><text>{cell}</text></inputEntry>" for cell in cells(rule))
        + f'<outputEntry><text>"{rule.result}"</text></outputEntry></rule>'
        for index, rule in enumerate(rules)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="bench" name="bench" '
        'namespace="http://cadenza.test/bench">'
        f'<decision id="eligibility" name="Eligibility"><decisionTable id="table" hitPolicy="{hit_policy}">'
        f'{inputs}<output id="out" name="offer" typeRef="string"/>{body}</decisionTable></decision>'
        "</definitions>"
    ).encode()


PLAIN_MODULE = Path(__file__).with_name("dmn_rules_plain.py")


def plain_source(rules: list[RuleSpec]) -> str:
    """The rules as hand-written Python ifs (``benchmarks/dmn_rules_plain.py``, generated)."""

    def decide(name: str, collect: bool) -> list[str]:
        lines = [
            "",
            "",
            f"def {name}(v: dict[str, Any]) -> {'list[str]' if collect else 'str | None'}:",
            '    age, income, category = v["age"], v["income"], v["category"]',
            '    score, member = v["score"], v["member"]',
        ]
        if collect:
            lines.append("    out: list[str] = []")
        for rule in rules:
            tests = []
            if rule.age is not None:
                tests.append(f"age is not None and {rule.age[0]} <= age <= {rule.age[1]}")
            if rule.income is not None:
                tests.append(f"income is not None and income > {rule.income}")
            if rule.categories is not None:
                tests.append(f"category in {rule.categories!r}")
            if rule.score is not None:
                tests.append(f"score is not None and score < {rule.score}")
            if rule.member is not None:
                tests.append(f"member is {rule.member}")
            condition = " and ".join(tests) or "True"
            action = f"out.append({rule.result!r})" if collect else f"return {rule.result!r}"
            lines += [f"    if {condition}:", f"        {action}"]
        lines.append("    return out" if collect else "    return None")
        return lines

    header = [
        '"""The benchmark\'s 50 rules as plain Python ifs (generated by dmn_throughput.py --write-plain)."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
    ]
    return "\n".join(header + decide("first", False) + decide("rule_order", True)) + "\n"


def make_inputs(count: int, seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return [
        {
            "age": rng.randrange(16, 90),
            "income": rng.randrange(0, 12000),
            "category": rng.choice(CATEGORIES),
            "score": rng.randrange(200, 900),
            "member": rng.random() < 0.5,
        }
        for _ in range(count)
    ]


def timed(
    function: Callable[[dict[str, object]], object], inputs: list[dict[str, object]], rounds: int
) -> float:
    """Best of ``rounds`` passes over the inputs, in evaluations per second."""
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for variables in inputs:
            function(variables)
        elapsed = time.perf_counter() - started
        best = max(best, len(inputs) / elapsed)
    return best


@dataclass
class Row:
    policy: str
    cadenza: float
    plain: float
    matched: float

    @property
    def ratio(self) -> float:
        return self.plain / self.cadenza


def measure(policy: str, rules: list[RuleSpec], inputs: list[dict[str, object]], rounds: int) -> Row:
    compiled = compile_definitions(parse_dmn(make_dmn(rules, policy)))
    collect = policy != "FIRST"
    import dmn_rules_plain

    plain: Callable[[dict[str, object]], object] = (
        dmn_rules_plain.rule_order if collect else dmn_rules_plain.first
    )

    def cadenza(variables: dict[str, object]) -> object:
        return evaluate_decision(compiled, "eligibility", variables)

    matched = 0
    for variables in inputs:
        result = evaluate_decision(compiled, "eligibility", variables)
        expected = plain(variables)
        values = [entry["offer"].value for entry in result.result_list]
        wanted = expected if collect else ([] if expected is None else [expected])
        if values != wanted:
            raise SystemExit(f"mismatch for {variables}: cadenza {values}, python {wanted}")
        matched += len(values)
    timed(cadenza, inputs[:500], 1)  # warm-up
    return Row(policy, timed(cadenza, inputs, rounds), timed(plain, inputs, rounds), matched / len(inputs))


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description="DMN decision table throughput")
    parser.add_argument("-n", type=int, default=20_000, help="evaluations per pass")
    parser.add_argument("--rounds", type=int, default=3, help="passes; the best one counts")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--write-plain", action="store_true", help=f"regenerate {PLAIN_MODULE.name}")
    args = parser.parse_args()
    rules = make_rules()
    if args.write_plain:
        PLAIN_MODULE.write_text(plain_source(rules), encoding="utf-8")
        return
    sys.path.insert(0, str(PLAIN_MODULE.parent))
    inputs = make_inputs(args.n)
    rows = [measure(policy, rules, inputs, args.rounds) for policy in ("FIRST", "RULE ORDER")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load {load:.2f}; 50 rules x 5 inputs, "
        f"N={args.n}, best of {args.rounds}"
    )
    if args.markdown:
        print("\n| hit policy | matches/eval | Cadenza eval/s | µs/eval | plain Python eval/s | ×slower |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows:
            print(
                f"| {row.policy} | {row.matched:.2f} | {row.cadenza:,.0f} | {1e6 / row.cadenza:.1f} "
                f"| {row.plain:,.0f} | {row.ratio:.1f} |"
            )
        return
    for row in rows:
        print(
            f"{row.policy:<11} {row.cadenza:>10,.0f} eval/s ({1e6 / row.cadenza:6.1f} µs)   "
            f"plain Python {row.plain:>12,.0f} eval/s   ratio {row.ratio:5.1f}x   "
            f"{row.matched:.2f} matches/eval"
        )


if __name__ == "__main__":
    sys.exit(main())
