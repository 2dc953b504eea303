"""Compiling a parsed DMN model once: every FEEL/JUEL text and boxed expression to closures.

Layer: ``dmn``. :func:`compile_definitions` turns :class:`~cadenza.dmn.model.Definitions` into a
:class:`CompiledDefinitions` (what a deployment keeps): each decision's logic as a closure over
an :class:`~cadenza.feel.Env`, decision tables as :class:`~cadenza.dmn.decision_table.TableRunner`,
business knowledge models as function bodies, item definitions as FEEL types. FEEL syntax
errors, unsupported expression languages and unsupported constructs are collected as problems
naming the decision and the element (rule, entry), and raised together as one
:class:`~cadenza.dmn.errors.DmnParseError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from cadenza.dmn import model as m
from cadenza.dmn.decision_table import CellTest, OutputSpec, RuleSpec, TableRunner
from cadenza.dmn.errors import DmnParseError
from cadenza.dmn.juel import JuelError, compile_juel, compile_juel_test
from cadenza.dmn.names import imported_names, model_names
from cadenza.dmn.typesys import build_types, resolve_type_ref
from cadenza.errors import Problem
from cadenza.feel import (
    DEFAULT_LIMITS,
    Budget,
    Env,
    FeelEvaluationError,
    FeelSyntaxError,
    FeelType,
    KnownNames,
    Limits,
    compile_expression,
    compile_unary_tests,
    known_names,
)
from cadenza.feel.compiler import make_function
from cadenza.feel.values import Function, Range

__all__ = ["CompiledDecision", "CompiledDefinitions", "compile_definitions"]

Eval = Callable[[Env], object]

_FEEL_LANGUAGES: Final = frozenset({"feel", "feel-scala", "feel-juel", ""})
_JUEL_LANGUAGES: Final = frozenset({"juel"})


def _language(text: str | None) -> str:
    if text is None:
        return ""
    lowered = text.strip().lower()
    if "omg.org/spec/feel" in lowered or ("omg.org/spec/dmn" in lowered and lowered.endswith("/feel/")):
        return "feel"
    return lowered


@dataclass
class CompiledDecision:
    id: str
    name: str
    variable: str
    feel_type: FeelType | None
    type_ref: str | None
    required_decisions: tuple[str, ...]
    required_inputs: tuple[str, ...]
    required_knowledge: tuple[str, ...]
    kind: str
    run: Eval | None
    table: TableRunner | None = None
    result_name: str = ""
    history_time_to_live: str | None = None
    version_tag: str | None = None


@dataclass
class CompiledKnowledge:
    id: str
    name: str
    parameters: tuple[str, ...]
    parameter_types: tuple[FeelType | None, ...]
    body: Eval | None
    required_knowledge: tuple[str, ...]
    feel_type: FeelType | None


@dataclass
class CompiledDefinitions:
    """A DMN resource ready to evaluate (immutable once built; shared by evaluations)."""

    definitions: m.Definitions
    decisions: dict[str, CompiledDecision]
    knowledge: dict[str, CompiledKnowledge]
    services: dict[str, m.DecisionService]
    input_data: dict[str, tuple[str, FeelType | None]]
    types: dict[str, FeelType]
    limits: Limits
    names: KnownNames = field(repr=False, default_factory=KnownNames)
    imports: dict[str, CompiledDefinitions] = field(default_factory=dict)
    """Imported models by import name (``myimport`` in ``myimport.Say Hello``)."""

    def import_name(self, namespace: str) -> str | None:
        return next((e.name for e in self.definitions.imports if e.namespace == namespace), None)

    def find_decision(self, id_or_name: str) -> CompiledDecision | None:
        found = self.decisions.get(id_or_name)
        if found is not None:
            return found
        return next((d for d in self.decisions.values() if d.name == id_or_name), None)


class _Compiler:
    def __init__(
        self,
        definitions: m.Definitions,
        limits: Limits,
        extra_names: Iterable[str],
        strict: bool,
        imports: Mapping[str, CompiledDefinitions],
    ) -> None:
        self.strict = strict
        self.definitions = definitions
        self.limits = limits
        self.problems: list[Problem] = []
        self.names = known_names([*model_names(definitions), *extra_names])
        imported_types = {
            f"{name}.{type_name}": feel_type
            for name, model in imports.items()
            for type_name, feel_type in model.types.items()
        }
        self.types = build_types(definitions.item_definitions, self.names, imported_types)
        self.default_language = _language(definitions.expression_language)
        self.owner = ""

    def problem(self, message: str, *element_ids: str) -> None:
        ids = tuple(dict.fromkeys(i for i in (self.owner, *element_ids) if i))
        self.problems.append(Problem(message, ids))

    def type_of(self, type_ref: str | None) -> FeelType | None:
        return resolve_type_ref(type_ref, self.types)

    # ── texts ──────────────────────────────────────────────────────────────────────────────

    def feel(self, text: str, where: str, element_id: str, language: str | None = None) -> Eval | None:
        lang = _language(language) if language is not None else self.default_language
        if lang in _JUEL_LANGUAGES:
            try:
                return compile_juel(text)
            except JuelError as error:
                return self.syntax_error(f"JUEL syntax error in {where}: {error}", element_id)
        if lang not in _FEEL_LANGUAGES:
            self.problem(f"Expression language '{language}' of {where} is not supported", element_id)
            return None
        try:
            return compile_expression(text, names=self.names, types=self.types, limits=self.limits).run
        except FeelSyntaxError as error:
            return self.syntax_error(f"FEEL syntax error in {where}: {error}", element_id)

    def tests(
        self, text: str, where: str, element_id: str, language: str | None, input_variable: str
    ) -> CellTest | None:
        lang = _language(language) if language is not None else self.default_language
        if lang in _JUEL_LANGUAGES:
            try:
                return CellTest(compile_juel_test(text, input_variable))
            except JuelError as error:
                return self._failing_test(f"JUEL syntax error in {where}: {error}", element_id)
        if lang not in _FEEL_LANGUAGES:
            self.problem(f"Expression language '{language}' of {where} is not supported", element_id)
            return None
        try:
            compiled = compile_unary_tests(text, names=self.names, types=self.types, limits=self.limits)
        except FeelSyntaxError as error:
            return self._failing_test(f"FEEL syntax error in {where}: {error}", element_id)
        if compiled.is_any:
            return None
        matches = compiled.matches
        if input_variable and input_variable != "?" and input_variable in text:

            def with_input(value: object, env: Env) -> bool:
                return matches(value, env.child({input_variable: value}))

            return CellTest(with_input)
        return CellTest(matches, compiled.literals, compiled.interval)

    def syntax_error(self, message: str, element_id: str) -> Eval | None:
        """Strict: a problem (deployment fails). Lenient: the expression fails when evaluated."""
        if self.strict:
            self.problem(message, element_id)
            return None
        where = f"{message} ({', '.join(i for i in (self.owner, element_id) if i)})"

        def fail(env: Env) -> object:
            raise FeelEvaluationError(where)

        return fail

    def _failing_test(self, message: str, element_id: str) -> CellTest | None:
        fail = self.syntax_error(message, element_id)
        if fail is None:
            return None
        return CellTest(lambda value, env: bool(fail(env)))

    # ── boxed expressions ──────────────────────────────────────────────────────────────────

    def expression(self, expr: m.Expression | None, where: str) -> Eval | None:
        if expr is None:
            return _null
        if isinstance(expr, m.LiteralExpression):
            if not expr.text.strip():
                return _null
            return self.coerced(self.feel(expr.text, where, expr.id, expr.expression_language), expr.type_ref)
        if isinstance(expr, m.DecisionTable):
            table = self.table(expr)
            if table is None:
                return None
            return lambda env: table.run(env, raise_errors=False).value
        if isinstance(expr, m.Context):
            return self.context(expr, where)
        if isinstance(expr, m.Invocation):
            return self.invocation(expr, where)
        if isinstance(expr, m.ListExpression):
            items = [self.expression(item, where) for item in expr.items]
            if any(item is None for item in items):
                return None
            return lambda env: [item(env) for item in items]  # type: ignore[misc]
        if isinstance(expr, m.Relation):
            return self.relation(expr, where)
        if isinstance(expr, m.FunctionDefinition):
            return self.function(expr, where)
        if isinstance(expr, m.Conditional):
            parts = [self.expression(p, where) for p in (expr.condition, expr.then, expr.otherwise)]
            if any(p is None for p in parts):
                return None
            condition, then, otherwise = parts

            def conditional(env: Env) -> object:
                test = condition(env)  # type: ignore[misc]
                if test is not None and type(test) is not bool:
                    return None  # a boxed condition must be a boolean
                return then(env) if test is True else otherwise(env)  # type: ignore[misc]

            return conditional
        if isinstance(expr, m.FilterExpression):
            return self.filter(expr, where)
        return self.iterator(expr, where)

    def coerced(self, run: Eval | None, type_ref: str | None) -> Eval | None:
        feel_type = self.type_of(type_ref)
        if run is None or feel_type is None:
            return run
        return lambda env: feel_type.coerce(run(env))

    def context(self, expr: m.Context, where: str) -> Eval | None:
        entries: list[tuple[str | None, Eval, FeelType | None]] = []
        for entry in expr.entries:
            value = self.expression(entry.value, where)
            if value is None:
                return None
            name = None if entry.variable is None else entry.variable.name
            entries.append(
                (name, value, None if entry.variable is None else self.type_of(entry.variable.type_ref))
            )

        def run(env: Env) -> object:
            result: dict[str, object] = {}
            scope = env.child(result)
            for name, value, feel_type in entries:
                computed = value(scope)
                if feel_type is not None:
                    computed = feel_type.coerce(computed)
                if name is None:
                    return computed
                result[name] = computed
            return result

        return run

    def invocation(self, expr: m.Invocation, where: str) -> Eval | None:
        function = self.expression(expr.function, where)
        bindings = [(b.parameter.name, self.expression(b.value, where)) for b in expr.bindings]
        if function is None or any(value is None for _, value in bindings):
            return None
        from cadenza.feel.runtime import invoke_named

        def run(env: Env) -> object:
            target = function(env)
            if isinstance(target, Function) and target.scope_call is not None and not target.parameters:
                return target.scope_call({name: value(env) for name, value in bindings})  # type: ignore[misc]
            return invoke_named(target, {name: value(env) for name, value in bindings}, env)  # type: ignore[misc]

        return run

    def relation(self, expr: m.Relation, where: str) -> Eval | None:
        names = [column.name for column in expr.columns]
        rows = [[self.expression(cell, where) for cell in row] for row in expr.rows]
        if any(cell is None for row in rows for cell in row):
            return None
        return lambda env: [
            {name: cell(env) for name, cell in zip(names, row, strict=False)}  # type: ignore[misc]
            for row in rows
        ]

    def function(self, expr: m.FunctionDefinition, where: str) -> Eval | None:
        if expr.kind.upper() != "FEEL":
            self.problem(f"Function kind '{expr.kind}' of {where} is not supported by Cadenza", expr.id)
            return None
        body = self.expression(expr.body, where)
        if body is None:
            return None
        parameters = tuple(p.name for p in expr.parameters)
        types = tuple(self.type_of(p.type_ref) for p in expr.parameters)
        return lambda env: make_function("function", parameters, types, body, env)

    def filter(self, expr: m.FilterExpression, where: str) -> Eval | None:
        source = self.expression(expr.source, where)
        match = self.expression(expr.match, where)
        if source is None or match is None:
            return None

        def run(env: Env) -> object:
            items = source(env)
            if items is None:
                return None
            if type(items) is not list:
                items = [items]
            selected = []
            for item in items:
                env.budget.spend()
                scope = dict(item) if type(item) is dict else {}
                scope["item"] = item
                keep = match(env.child(scope))
                if keep is not None and type(keep) is not bool:
                    return None  # a boxed filter's match must be a boolean
                if keep is True:
                    selected.append(item)
            return selected

        return run

    def iterator(self, expr: m.Iterator, where: str) -> Eval | None:
        source = self.expression(expr.source, where)
        body = self.expression(expr.body, where)
        if source is None or body is None:
            return None
        variable, kind = expr.variable, expr.kind

        def run(env: Env) -> object:
            items = source(env)
            if items is None:
                return None
            if type(items) is Range:
                items = _range_numbers(items, env)
            if type(items) is not list:
                items = [items]
            results = []
            for item in items:
                env.budget.spend()
                result = body(env.child({variable: item}))
                if kind != "for" and result is not None and type(result) is not bool:
                    return None  # some/every need boolean conditions
                if kind == "some" and result is True:
                    return True
                if kind == "every" and result is not True:
                    return False
                results.append(result)
            return results if kind == "for" else kind == "every"

        return run

    # ── decision tables ────────────────────────────────────────────────────────────────────

    def table(self, table: m.DecisionTable) -> TableRunner | None:
        before = len(self.problems)
        inputs: list[Eval] = []
        for index, clause in enumerate(table.inputs):
            where = f"input expression {index + 1} ('{clause.label or clause.id}')"
            run = self.feel(clause.expression.text, where, clause.id, clause.expression.expression_language)
            inputs.append(run or _null)
        outputs: list[OutputSpec] = []
        for index, output in enumerate(table.outputs):
            name = (
                output.name
                or output.label
                or (self.owner_name if len(table.outputs) == 1 else f"output{index}")
            )
            priorities = self.output_values(output)
            default = None
            if output.default_output is not None and output.default_output.text.strip():
                default = self.feel(output.default_output.text, f"default output of '{name}'", output.id)
            outputs.append(
                OutputSpec(name, output.type_ref, self.type_of(output.type_ref), priorities, default)
            )
        rules: list[RuleSpec] = []
        for rule in table.rules:
            tests: list[tuple[int, CellTest]] = []
            for index, (cell, clause) in enumerate(zip(rule.inputs, table.inputs, strict=True)):
                where = f"input entry {index + 1} of rule '{rule.id}'"
                matcher = self.tests(
                    cell.text, where, rule.id, cell.expression_language, clause.input_variable
                )
                if matcher is not None:
                    tests.append((index, matcher))
            results: list[Eval | None] = []
            for index, entry in enumerate(rule.outputs):
                if not entry.text.strip():
                    results.append(None)
                    continue
                where = f"output entry {index + 1} of rule '{rule.id}'"
                results.append(self.feel(entry.text, where, rule.id, entry.expression_language) or _null)
            rules.append(RuleSpec(rule.id, tuple(tests), tuple(results)))
        if len(self.problems) > before:
            return None
        return TableRunner(
            decision_id=self.owner,
            hit_policy=table.hit_policy,
            aggregation=table.aggregation,
            inputs=tuple(inputs),
            rules=tuple(rules),
            outputs=tuple(outputs),
        )

    owner_name = ""

    def output_values(self, clause: m.OutputClause) -> tuple[object, ...] | None:
        if not clause.output_values or not clause.output_values.strip():
            return None
        run = self.feel(
            "[" + clause.output_values + "]", f"output values of '{clause.name or clause.id}'", clause.id
        )
        if run is None:
            return None
        try:
            values = run(Env({}, None, Budget(self.limits)))
        except Exception:
            return None
        return tuple(values) if isinstance(values, list) else None

    # ── DRG elements ───────────────────────────────────────────────────────────────────────

    def decision(self, decision: m.Decision) -> CompiledDecision:
        self.owner = decision.id
        self.owner_name = decision.variable.name
        expr = decision.expression
        table = None
        run: Eval | None
        kind = type(expr).__name__ if expr is not None else "None"
        result_name = decision.variable.name
        if isinstance(expr, m.DecisionTable):
            table = self.table(expr)
            run = None
        else:
            run = self.expression(expr, f"decision '{decision.id}'")
            if isinstance(expr, m.LiteralExpression):
                result_name = decision.variable.name
        self.owner = ""
        return CompiledDecision(
            id=decision.id,
            name=decision.name,
            variable=decision.variable.name,
            feel_type=self.type_of(decision.variable.type_ref),
            type_ref=decision.variable.type_ref,
            required_decisions=decision.required_decisions,
            required_inputs=decision.required_inputs,
            required_knowledge=decision.required_knowledge,
            kind=kind,
            run=run,
            table=table,
            result_name=result_name,
            history_time_to_live=decision.history_time_to_live,
            version_tag=decision.version_tag,
        )

    def knowledge(self, bkm: m.BusinessKnowledgeModel) -> CompiledKnowledge:
        self.owner = bkm.id
        self.owner_name = bkm.variable.name
        logic = bkm.logic
        body: Eval | None = _null
        parameters: tuple[str, ...] = ()
        types: tuple[FeelType | None, ...] = ()
        if logic is not None:
            if logic.kind.upper() != "FEEL":
                self.problem(f"Function kind '{logic.kind}' is not supported by Cadenza", bkm.id)
            else:
                body = self.expression(logic.body, f"business knowledge model '{bkm.id}'")
                parameters = tuple(p.name for p in logic.parameters)
                types = tuple(self.type_of(p.type_ref) for p in logic.parameters)
        self.owner = ""
        return CompiledKnowledge(
            bkm.id,
            bkm.variable.name,
            parameters,
            types,
            body,
            bkm.required_knowledge,
            self.type_of(bkm.variable.type_ref),
        )


def _null(env: Env) -> object:
    return None


def _range_numbers(value: Range, env: Env) -> list[object]:
    low, high = value.start, value.end
    if type(low) is not Decimal or type(high) is not Decimal:
        return []
    first = int(low) if value.start_included else int(low) + 1
    last = int(high) if value.end_included else int(high) - 1
    env.budget.spend(max(0, last - first + 1))
    return [Decimal(n) for n in range(first, last + 1)]


def compile_definitions(
    definitions: m.Definitions,
    *,
    resource_name: str = "",
    limits: Limits = DEFAULT_LIMITS,
    extra_names: Iterable[str] = (),
    strict: bool = True,
    imported: Mapping[str, CompiledDefinitions] | None = None,
) -> CompiledDefinitions:
    """Compile every decision, knowledge model and type of a model; raise DmnParseError if any fails.

    ``strict=False`` (the TCK runner's mode) keeps a FEEL or JUEL syntax error out of the
    problems and makes the expression raise ``FeelEvaluationError`` when it is evaluated, as the
    DMN specification treats an invalid expression (its decision's value becomes null).

    ``imported`` holds the compiled models this one imports, by namespace; their elements are
    then known as ``importName.elementName`` (DMN 1.5 §6.3.3).
    """
    imports = {
        entry.name: imported[entry.namespace]
        for entry in definitions.imports
        if imported is not None and entry.namespace in imported
    }
    compiler = _Compiler(definitions, limits, [*extra_names, *imported_names(imports)], strict, imports)
    decisions = {d.id: compiler.decision(d) for d in definitions.decisions}
    knowledge = {b.id: compiler.knowledge(b) for b in definitions.knowledge_models}
    if compiler.problems:
        raise DmnParseError(compiler.problems, resource_name)
    input_data = {
        data.id: (data.variable.name or data.name, compiler.type_of(data.variable.type_ref))
        for data in definitions.input_data
    }
    return CompiledDefinitions(
        definitions=definitions,
        decisions=decisions,
        knowledge=knowledge,
        services={s.id: s for s in definitions.services},
        input_data=input_data,
        types=compiler.types,
        limits=limits,
        names=compiler.names,
        imports=imports,
    )
