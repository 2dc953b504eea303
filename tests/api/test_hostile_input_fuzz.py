"""CI-sized runs of the hostile-input generators in ``reliability/`` (the long runs are
``reliability/fuzz_api.py`` and ``reliability/malformed_bpmn.py``) against a real
``cadenza run`` process on SQLite: 0 server errors from schemathesis over Cadenza's own OpenAPI
and over the official Camunda operations Cadenza serves; a few hundred mutated corpus models
each refused with a 4xx or deployed and startable, never a 500 or a hang."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reliability.fuzz_api import OFFICIAL_SPEC, PREFIX, fuzz_schema, official_subset
from reliability.malformed_bpmn import run_mutations
from reliability.servers import Node, start_node, stop_node
from tests.support import require_corpus

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    folder = tmp_path_factory.mktemp("fuzz")
    server = start_node(f"sqlite:///{folder / 'fuzz.db'}", folder / "server.log", synchronous="NORMAL")
    yield server
    stop_node(server)


def test_schemathesis_own_spec_finds_no_server_error(node: Node) -> None:
    own = httpx.get(f"{node.base_url}/openapi.json", timeout=30).json()
    origin = node.base_url.removesuffix(PREFIX)

    report = fuzz_schema("own", {**own, "servers": [{"url": origin}]}, origin, max_examples=3)

    print(f"\n{report.summary()}")
    assert report.operations >= 100
    assert report.server_errors == []


def test_schemathesis_official_spec_finds_no_server_error(node: Node) -> None:
    require_corpus()
    own = httpx.get(f"{node.base_url}/openapi.json", timeout=30).json()
    spec = official_subset(own, json.loads(Path(OFFICIAL_SPEC).read_text()), node.base_url)

    report = fuzz_schema("official", spec, node.base_url, max_examples=3)

    print(f"\n{report.summary()}")
    assert report.operations >= 100
    assert report.server_errors == []


def test_mutated_corpus_models_are_refused_or_startable(node: Node) -> None:
    require_corpus()

    outcome = run_mutations(node.base_url, 300, seed=15, timeout=30)

    print(f"\n{outcome.summary()}")
    assert outcome.cases == 300
    assert sum(outcome.refused.values()) > 100 and outcome.accepted > 10
    assert outcome.failures == []
    assert outcome.slowest < 10
