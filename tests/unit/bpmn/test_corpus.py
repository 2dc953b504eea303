"""Every BPMN file of the shared corpus parses or fails with ParseError, never anything else.

Also lists the corpus models that parse cleanly with at least one executable process: the
engine team picks end-to-end scenarios from that list (``-s`` shows it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cadenza.bpmn import parse_bpmn
from cadenza.errors import ParseError

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
INTERNAL = "Internal error while parsing the resource (a Cadenza bug)"


def corpus_files() -> list[Path]:
    root = CORPUS / "bpmn"
    if not root.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"corpus missing at {root}")
        pytest.skip("../shared corpus not available")
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and (path.name.endswith(".bpmn") or path.name.endswith(".bpmn20.xml"))
    )


def test_corpus_parses_or_raises_parse_error() -> None:
    files = corpus_files()
    assert files
    clean: list[str] = []
    for path in files:
        try:
            definitions = parse_bpmn(path.read_bytes(), path.name)
        except ParseError as error:
            assert error.problems, path
            internal = [p for p in error.problems if p.message == INTERNAL]
            assert not internal, f"{path}: {error.__cause__!r}"
            continue
        if definitions.processes:
            clean.append(path.relative_to(CORPUS / "bpmn").as_posix())
    print(f"\n{len(clean)} corpus models parse cleanly with an executable process:")
    print("\n".join(sorted(clean)))
    # The engine team needs at least 20 of them for end-to-end tests.
    assert len(clean) >= 20
