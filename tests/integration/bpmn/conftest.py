"""Fixtures for the ported Camunda BPMN tests."""

from __future__ import annotations

import pytest
from tests.integration.bpmn._support import DefinitionsWithLookup

from cadenza.engine.behaviors.call_activity import CalledProcessSource
from cadenza.services import Engine


@pytest.fixture(autouse=True)
def _definition_lookup(engine: Engine) -> None:
    """Give call activities their definition lookup if the store does not provide it yet."""
    if not isinstance(engine.store.definitions, CalledProcessSource):
        engine.store.definitions = DefinitionsWithLookup(engine)  # type: ignore[assignment]
