"""The DMN errors: a resource that is not a usable DMN model, and a failed evaluation.

Layer: ``dmn``. :class:`DmnParseError` lists every problem found (each naming the decision and
element ids involved), so deployment can answer one 400 with all of them. :class:`DmnEvaluationError`
is what evaluating a decision raises: Camunda's hit-policy violations (``DMN-03001``,
``DMN-03002``...), type conversion failures of outputs, and exhausted FEEL budgets.
"""

from __future__ import annotations

from cadenza.errors import EngineError, Problem, ProcessEngineError

__all__ = ["DmnEvaluationError", "DmnHitPolicyError", "DmnParseError"]


class DmnParseError(EngineError):
    """A DMN resource could not be parsed or compiled (Camunda ``DmnTransformException``): 400."""

    camunda_type = "DmnTransformException"
    status = 400

    def __init__(self, problems: list[Problem], resource: str = "") -> None:
        self.problems = [
            p if p.resource or not resource else Problem(p.message, p.element_ids, p.line, p.column, resource)
            for p in problems
        ]
        self.resource = resource
        summary = "\n".join(
            f"* {p.message}"
            + (f" | {', '.join(p.element_ids)}" if p.element_ids else "")
            + (f" | line {p.line}" if p.line else "")
            for p in self.problems
        )
        where = f" '{resource}'" if resource else ""
        super().__init__(f"DMN-02004 Unable to transform DMN resource{where}:\n{summary}")


class DmnEvaluationError(ProcessEngineError):
    """Evaluating a decision failed (Camunda ``DmnEvaluationException``).

    ``decision_id`` names the decision; ``rule_ids`` the rules involved, when there are any.
    """

    camunda_type = "DmnEvaluationException"

    def __init__(self, message: str, *, decision_id: str = "", rule_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.rule_ids = rule_ids


class DmnHitPolicyError(DmnEvaluationError):
    """The matching rules break the decision table's hit policy (Camunda ``DmnHitPolicyException``)."""

    camunda_type = "DmnHitPolicyException"
