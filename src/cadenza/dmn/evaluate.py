"""Evaluating decisions: the requirements graph, knowledge models, services, and Camunda results.

Layer: ``dmn``. :func:`evaluate_decision` evaluates one decision of a compiled model with the
caller's variables. Required decisions are evaluated first, depth first and once each; their
results are bound under the decision's variable name (DMN) and, as Camunda does, a single
result's output names are bound as variables too (when that shadows no other name). Business
knowledge models and decision services are bound as FEEL functions. One :class:`~cadenza.feel.Budget`
bounds the whole evaluation.

``errors="raise"`` (Camunda's behaviour, the default) turns a hit-policy violation or an output
that cannot be typed into a :class:`~cadenza.dmn.errors.DmnEvaluationError`; ``errors="null"``
gives that decision the value null instead, as the DMN specification does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cadenza.dmn.compile import CompiledDecision, CompiledDefinitions
from cadenza.dmn.decision_table import TableOutcome
from cadenza.dmn.errors import DmnEvaluationError
from cadenza.dmn.results import DecisionResult, camunda_value
from cadenza.errors import ExpressionError
from cadenza.expr.values import TypedValue, expression_value
from cadenza.feel import Budget, Env, FeelEvaluationError, Function, to_feel
from cadenza.feel.compiler import make_function

__all__ = ["DrgEvaluation", "evaluate_decision"]

ErrorMode = Literal["raise", "null"]


@dataclass
class _Outcome:
    value: object
    result: DecisionResult


def _feel_variables(variables: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in variables.items():
        if isinstance(value, TypedValue):
            value = expression_value(value)
        out[name] = to_feel(value)
    return out


class DrgEvaluation:
    """One evaluation of a compiled model: caches decision outcomes, shares one budget."""

    def __init__(
        self,
        compiled: CompiledDefinitions,
        variables: Mapping[str, object],
        *,
        errors: ErrorMode = "raise",
        budget: Budget | None = None,
        feel_values: bool = False,
        namespaced: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        self.compiled = compiled
        self.variables = dict(variables) if feel_values else _feel_variables(variables)
        self.namespaced = (
            {
                namespace: dict(values) if feel_values else _feel_variables(values)
                for namespace, values in namespaced.items()
            }
            if namespaced
            else {}
        )
        self.imported: dict[str, DrgEvaluation] = {}
        self.errors = errors
        self.budget = budget or Budget(compiled.limits)
        self.outcomes: dict[str, _Outcome] = {}
        self.active: set[str] = set()

    # ── scopes ─────────────────────────────────────────────────────────────────────────────

    def _imported(self, namespace: str) -> tuple[str, DrgEvaluation] | None:
        """The evaluation of an imported model (its inputs come from ``namespaced``)."""
        name = self.compiled.import_name(namespace)
        if name is None or name not in self.compiled.imports:
            return None
        evaluation = self.imported.get(namespace)
        if evaluation is None:
            model = self.compiled.imports[name]
            evaluation = DrgEvaluation(
                model,
                self.namespaced.get(model.definitions.namespace, {}),
                errors=self.errors,
                budget=self.budget,
                feel_values=True,
                namespaced=self.namespaced,
            )
            self.imported[namespace] = evaluation
        return name, evaluation

    def _bind_imported(self, ref: str, kind: str, scope: dict[str, object]) -> DecisionResult | None:
        """Bind an element of an imported model (``namespace#id``) as ``importName.element``."""
        namespace, _, element_id = ref.partition("#")
        found = self._imported(namespace)
        if found is None:
            raise DmnEvaluationError(f"'{ref}' is not in an imported model", decision_id=ref)
        name, evaluation = found
        current = scope.get(name)
        context: dict[str, object] = dict(current) if isinstance(current, dict) else {}
        result = None
        if kind == "decision":
            outcome = evaluation.decision(element_id)
            context[evaluation.compiled.decisions[element_id].variable] = outcome.value
            result = outcome.result
        elif kind == "input":
            bound = evaluation._input_value(element_id)
            if bound is not None:
                context[bound[0]] = bound[1]
        else:
            evaluation._bind_knowledge(element_id, context)
        scope[name] = context
        return result

    def _input_value(self, data_id: str) -> tuple[str, object] | None:
        entry = self.compiled.input_data.get(data_id)
        if entry is None:
            return None
        name, feel_type = entry
        value = self.variables.get(name)
        if feel_type is not None and value is not None:
            value = feel_type.coerce(value)
        return name, value

    def knowledge_function(self, knowledge_id: str) -> Function | None:
        bkm = self.compiled.knowledge.get(knowledge_id)
        if bkm is not None:
            scope: dict[str, object] = {}
            env = Env(scope, None, self.budget)
            for ref in bkm.required_knowledge:
                self._bind_knowledge(ref, scope)
            body = bkm.body
            if body is None:
                return None
            function = make_function(bkm.name, bkm.parameters, bkm.parameter_types, body, env)
            if not bkm.parameters:
                function.scope_call = lambda bound: body(env.child(bound))
            scope.setdefault(bkm.name, function)
            return function
        service = self.compiled.services.get(knowledge_id)
        if service is not None:
            return self._service_function(knowledge_id)
        return None

    def _bind_knowledge(self, ref: str, scope: dict[str, object]) -> None:
        function = self.knowledge_function(ref)
        if function is None:
            return
        bkm = self.compiled.knowledge.get(ref)
        name = bkm.name if bkm is not None else self.compiled.services[ref].variable.name
        scope[name] = function

    def _service_function(self, service_id: str) -> Function:
        service = self.compiled.services[service_id]
        decision_inputs = [
            self.compiled.decisions[d].variable
            for d in service.input_decisions
            if d in self.compiled.decisions
        ]
        data_inputs = [
            self.compiled.input_data[i][0] for i in service.input_data if i in self.compiled.input_data
        ]
        parameters = tuple(decision_inputs + data_inputs)

        def call(args: list[object]) -> object:
            if len(args) > len(parameters):
                return None
            bound = dict(zip(parameters, args, strict=False))
            return self.evaluate_service(service_id, bound)

        return Function(service.variable.name, parameters, call)

    def evaluate_service(self, service_id: str, inputs: Mapping[str, object]) -> object:
        """Evaluate a decision service with FEEL inputs bound by name (input data and decisions)."""
        service = self.compiled.services[service_id]
        inner = DrgEvaluation(
            self.compiled, dict(inputs), errors=self.errors, budget=self.budget, feel_values=True
        )
        for decision_id in service.input_decisions:
            decision = self.compiled.decisions.get(decision_id)
            if decision is not None:
                value = inputs.get(decision.variable)
                inner.outcomes[decision_id] = _Outcome(
                    value, DecisionResult(decision.id, decision.name, value, ())
                )
        values = {}
        for decision_id in service.output_decisions:
            decision = self.compiled.decisions.get(decision_id)
            if decision is None:
                return None
            values[decision.variable] = inner.decision(decision_id).value
        if len(values) == 1:
            return next(iter(values.values()))
        return values

    # ── decisions ──────────────────────────────────────────────────────────────────────────

    def decision(self, decision_id: str) -> _Outcome:
        cached = self.outcomes.get(decision_id)
        if cached is not None:
            return cached
        decision = self.compiled.decisions.get(decision_id)
        if decision is None:
            raise DmnEvaluationError(f"Decision '{decision_id}' is not in the model", decision_id=decision_id)
        if decision_id in self.active:
            raise DmnEvaluationError(f"Decision '{decision_id}' requires itself", decision_id=decision_id)
        self.active.add(decision_id)
        try:
            outcome = self._evaluate(decision)
        finally:
            self.active.discard(decision_id)
        self.outcomes[decision_id] = outcome
        return outcome

    def _scope(self, decision: CompiledDecision) -> tuple[dict[str, object], dict[str, DecisionResult]]:
        scope = dict(self.variables)
        required: dict[str, DecisionResult] = {}
        taken = set(scope)
        for ref in decision.required_inputs:
            if "#" in ref:
                self._bind_imported(ref, "input", scope)
                continue
            bound = self._input_value(ref)
            if bound is not None:
                scope[bound[0]] = bound[1]
        local = [ref for ref in decision.required_decisions if "#" not in ref]
        for ref in decision.required_decisions:
            if "#" in ref:
                imported = self._bind_imported(ref, "decision", scope)
                if imported is not None:
                    required[ref] = imported
        for ref in local:
            outcome = self.decision(ref)
            required[ref] = outcome.result
            other = self.compiled.decisions[ref]
            scope[other.variable] = outcome.value
            taken.add(other.variable)
        for ref in local:
            result = self.outcomes[ref].result
            if len(result.result_list) == 1:
                for name in result.result_list[0]:
                    if name not in taken and name not in scope:
                        scope[name] = _entry_value(self.outcomes[ref], name)
        for ref in decision.required_knowledge:
            if "#" in ref:
                self._bind_imported(ref, "knowledge", scope)
            else:
                self._bind_knowledge(ref, scope)
        return scope, required

    def _evaluate(self, decision: CompiledDecision) -> _Outcome:
        scope, required = self._scope(decision)
        env = Env(scope, None, self.budget)
        try:
            if decision.table is not None:
                outcome = decision.table.run(env, raise_errors=self.errors == "raise")
                return self._table_result(decision, outcome, required)
            value = None if decision.run is None else decision.run(env)
        except FeelEvaluationError as error:
            raise DmnEvaluationError(
                f"Evaluation of decision '{decision.id}' stopped: {error}", decision_id=decision.id
            ) from None
        except ExpressionError as error:
            raise DmnEvaluationError(
                f"Evaluation of decision '{decision.id}' failed: {error.message}", decision_id=decision.id
            ) from None
        except RecursionError:
            raise DmnEvaluationError(
                f"Evaluation of decision '{decision.id}' nested too deeply", decision_id=decision.id
            ) from None
        if decision.feel_type is not None:
            value = decision.feel_type.coerce(value)
        try:
            typed = camunda_value(value, decision.type_ref)
        except DmnEvaluationError:
            typed = camunda_value(None)
        entries = ({decision.result_name: typed},) if decision.run is not None else ()
        return _Outcome(value, DecisionResult(decision.id, decision.name, value, entries, required=required))

    def _table_result(
        self, decision: CompiledDecision, outcome: TableOutcome, required: dict[str, DecisionResult]
    ) -> _Outcome:
        table = decision.table
        assert table is not None
        value = outcome.value
        if decision.feel_type is not None and value is not None:
            value = decision.feel_type.coerce(value)
        types = table.output_types
        rule_ids: tuple[str, ...] = ()
        try:
            if outcome.collect is not None:
                name = outcome.collect[0]
                rows: tuple[Mapping[str, TypedValue], ...] = (
                    ({name: outcome.camunda_collect},) if outcome.camunda_collect is not None else ()
                )
                collect = None if outcome.camunda_collect is None else (name, outcome.camunda_collect)
            else:
                typed: list[Mapping[str, TypedValue]] = []
                for rule_id, row in zip(outcome.matched_rule_ids, outcome.rows, strict=False):
                    rule_ids = (rule_id,)
                    typed.append({key: camunda_value(item, types.get(key)) for key, item in row.items()})
                rows = tuple(typed)
                collect = None
        except DmnEvaluationError as error:
            if self.errors == "raise":
                where = f"decision '{decision.id}'" + (f", rule '{rule_ids[0]}'" if rule_ids else "")
                raise DmnEvaluationError(
                    f"{error.message} ({where})", decision_id=decision.id, rule_ids=rule_ids
                ) from None
            rows, collect = (), None
        result = DecisionResult(
            decision.id, decision.name, value, rows, outcome.matched_rule_ids, collect, required
        )
        return _Outcome(value, result)


def _entry_value(outcome: _Outcome, name: str) -> object:
    value = outcome.value
    if isinstance(value, dict) and name in value:
        return value[name]
    if isinstance(value, list) and len(value) == 1:
        only = value[0]
        return only[name] if isinstance(only, dict) and name in only else only
    return value


def evaluate_decision(
    compiled: CompiledDefinitions,
    decision_id_or_key: str,
    variables: Mapping[str, object] | None = None,
    *,
    errors: ErrorMode = "raise",
) -> DecisionResult:
    """Evaluate a decision (by id, which Camunda calls the key, or by name) with variables.

    ``variables`` hold plain Python values or :class:`~cadenza.expr.values.TypedValue` s.

    Raises:
        DmnEvaluationError: no such decision, a hit policy violated, an output that does not
            fit its type, an evaluation that exceeded its budget.
    """
    decision = compiled.find_decision(decision_id_or_key)
    if decision is None:
        raise DmnEvaluationError(
            f"No decision with id or name '{decision_id_or_key}' in the model", decision_id=decision_id_or_key
        )
    try:
        evaluation = DrgEvaluation(compiled, variables or {}, errors=errors)
    except RecursionError:
        raise DmnEvaluationError(
            f"The variables of decision '{decision.id}' nest too deeply", decision_id=decision.id
        ) from None
    return evaluation.decision(decision.id).result
