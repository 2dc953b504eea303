"""DMN 1.1–1.5: model, parser, compilation and evaluation of decisions (I/O-free).

Layer: ``dmn``, a core layer above ``bpmn``/``expr``/``feel`` (it imports the hardened XML
loader of ``cadenza.bpmn.parser``, Camunda's typed values of ``cadenza.expr`` and EL for JUEL
expressions). Deploy-time: ``parse_dmn(xml)`` then ``compile_definitions(definitions)``, both
raising :class:`DmnParseError` with every problem; run-time: ``evaluate_decision(compiled,
decision_id, variables)`` returning a :class:`DecisionResult` in Camunda's shape.
"""

from __future__ import annotations

from cadenza.dmn.compile import CompiledDecision, CompiledDefinitions, compile_definitions
from cadenza.dmn.errors import DmnEvaluationError, DmnHitPolicyError, DmnParseError
from cadenza.dmn.evaluate import DrgEvaluation, evaluate_decision
from cadenza.dmn.model import Definitions, HitPolicy
from cadenza.dmn.parser import parse_dmn
from cadenza.dmn.results import DecisionResult, camunda_value

__all__ = [
    "CompiledDecision",
    "CompiledDefinitions",
    "DecisionResult",
    "Definitions",
    "DmnEvaluationError",
    "DmnHitPolicyError",
    "DmnParseError",
    "DrgEvaluation",
    "HitPolicy",
    "camunda_value",
    "compile_definitions",
    "evaluate_decision",
    "parse_dmn",
]
