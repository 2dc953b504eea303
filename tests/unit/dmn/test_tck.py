"""The DMN TCK (compliance levels 2 and 3, read in place from the shared corpus) as a regression gate.

``scripts/dmn_tck.py`` runs every test-case folder through the DMN engine; this test runs it the
same way and fails when fewer results pass than the figure reached (docs/dmn.md has it per folder).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.support import ROOT, require_corpus

PASSED_AT_LEAST = 1954
"""Results passing at the last count (raise it when the engine improves; never lower it)."""


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dmn_tck", ROOT / "scripts" / "dmn_tck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_tck_pass_count_does_not_regress(tmp_path: Path) -> None:
    cases = require_corpus() / "dmn-tck" / "TestCases"
    runner = _runner()
    output = tmp_path / "tck_results.csv"
    exit_code = runner.main(
        [
            str(cases / "compliance-level-2"),
            str(cases / "compliance-level-3"),
            "--quiet",
            "--output",
            str(output),
        ]
    )
    rows = runner.run([cases / "compliance-level-2"])
    level2_failures = [row for row in rows if row.status != "SUCCESS"]
    assert level2_failures == []
    lines = output.read_text(encoding="utf-8").splitlines()
    passed = sum('"SUCCESS"' in line for line in lines)
    assert passed >= PASSED_AT_LEAST, f"{passed} TCK results pass, fewer than {PASSED_AT_LEAST}"
    assert exit_code in (0, 1)


def test_tck_comparison_is_strict_about_types_and_shapes() -> None:
    runner = _runner()
    from decimal import Decimal

    assert runner.same(Decimal("2778.69354943277"), Decimal("2778.693549432766768088520383236299"))
    assert not runner.same(Decimal("1"), Decimal("1.0001"))
    assert not runner.same(Decimal("1"), Decimal("1.4"))
    assert runner.same(Decimal("0.36787944"), Decimal("0.3678794411714423215955237701614609"))
    assert not runner.same(Decimal("0.36787945"), Decimal("0.3678794411714423215955237701614609"))
    assert not runner.same("1", Decimal(1))
    assert not runner.same([Decimal(1)], [Decimal(1), Decimal(2)])
    assert not runner.same({"a": Decimal(1)}, {"a": Decimal(1), "b": None})
    assert runner.same(None, None)
    assert not runner.same(None, False)
