"""The decision requirements graph across models: imports, qualified names, namespaced inputs."""

from __future__ import annotations

from tests.support import RESOURCES

from cadenza.dmn import DrgEvaluation, compile_definitions, evaluate_decision, parse_dmn


def _load(name: str) -> bytes:
    return (RESOURCES / "dmn" / name).read_bytes()


def test_imported_decisions_and_knowledge_are_reached_by_qualified_names() -> None:
    greetings = compile_definitions(parse_dmn(_load("imported_greetings.dmn")))
    letters = compile_definitions(
        parse_dmn(_load("importing_letters.dmn")), imported={"http://cadenza.test/greetings": greetings}
    )
    evaluation = DrgEvaluation(
        letters, {}, namespaced={"http://cadenza.test/greetings": {"Person name": "Ann"}}
    )
    outcome = evaluation.decision("letter")
    assert outcome.value == "Hello, Ann; Hello, Sir"
    assert outcome.result.required["http://cadenza.test/greetings#greet"].value == "Hello, Ann"


def test_the_imported_model_alone() -> None:
    greetings = compile_definitions(parse_dmn(_load("imported_greetings.dmn")))
    assert evaluate_decision(greetings, "greet", {"Person name": "Bob"}).value == "Hello, Bob"
