"""The DMN 1.1–1.5 XML parser: hardened loading (shared with BPMN), then the model walk.

Layer: ``dmn``. The bytes are loaded by the BPMN parser's hardened ``load_xml`` (size cap, any
DOCTYPE refused, no entities, no network, bounded depth and element count). The walk accepts
the model namespaces of DMN 1.1, 1.2, 1.3, 1.4 and 1.5 alike and Camunda's extension attributes;
problems are collected, not raised one by one, and :func:`parse_dmn` raises one
:class:`~cadenza.dmn.errors.DmnParseError` listing them all. FEEL is not compiled here
(:mod:`.compile` does that, and reports its syntax errors the same way).
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from cadenza.bpmn.parser import DEFAULT_MAX_BYTES, load_xml
from cadenza.dmn.errors import DmnParseError
from cadenza.dmn.model import (
    Aggregation,
    Binding,
    BusinessKnowledgeModel,
    Conditional,
    Context,
    ContextEntry,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    Expression,
    FilterExpression,
    FunctionDefinition,
    HitPolicy,
    Import,
    InformationItem,
    InputClause,
    InputData,
    Invocation,
    ItemDefinition,
    Iterator,
    ListExpression,
    LiteralExpression,
    OutputClause,
    Relation,
    Rule,
    UnaryTestsCell,
)
from cadenza.errors import ParseError, Problem

__all__ = ["CAMUNDA_DMN", "DMN_NAMESPACES", "parse_dmn"]

DMN_NAMESPACES: Final = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
CAMUNDA_DMN: Final = "http://camunda.org/schema/1.0/dmn"

_EXPRESSION_TAGS: Final = frozenset(
    {
        "literalExpression",
        "decisionTable",
        "context",
        "invocation",
        "relation",
        "list",
        "functionDefinition",
        "conditional",
        "filter",
        "for",
        "some",
        "every",
    }
)


def _local(element: etree._Element) -> str:
    tag: object = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _line(element: etree._Element) -> int:
    line: object = element.sourceline
    return line if isinstance(line, int) else 0


class _Walker:
    def __init__(self, root: etree._Element, namespace: str) -> None:
        self.ns = namespace
        self.problems: list[Problem] = []
        self.own_namespace = root.get("namespace") or ""
        self.decision_id = ""

    def children(self, element: etree._Element, local: str | None = None) -> list[etree._Element]:
        out = []
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or not tag.startswith("{" + self.ns + "}"):
                continue
            if local is None or _local(child) == local:
                out.append(child)
        return out

    def child(self, element: etree._Element, local: str) -> etree._Element | None:
        found = self.children(element, local)
        return found[0] if found else None

    def text_of(self, element: etree._Element | None, local: str = "text") -> str | None:
        if element is None:
            return None
        node = self.child(element, local)
        if node is None:
            return None
        return node.text or ""

    def report(self, message: str, element: etree._Element, *ids: str) -> None:
        element_ids = tuple(i for i in (self.decision_id, *ids) if i)
        self.problems.append(Problem(message, tuple(dict.fromkeys(element_ids)), _line(element)))

    def href(self, element: etree._Element) -> str | None:
        ref = element.get("href")
        if ref is None:
            return None
        namespace, _, local = ref.partition("#")
        if not local:
            return ref
        if not namespace or namespace == self.own_namespace:
            return local
        return f"{namespace}#{local}"

    def requirement_refs(self, element: etree._Element, wrapper: str, local: str) -> tuple[str, ...]:
        refs: list[str] = []
        for requirement in self.children(element, wrapper):
            for ref in self.children(requirement, local):
                target = self.href(ref)
                if target is not None and target not in refs:
                    refs.append(target)
        return tuple(refs)

    def variable(self, element: etree._Element, default_name: str) -> InformationItem:
        node = self.child(element, "variable")
        if node is None:
            return InformationItem(default_name, None)
        return InformationItem(node.get("name") or default_name, node.get("typeRef"), node.get("id") or "")

    # ── item definitions ───────────────────────────────────────────────────────────────────

    def item_definition(self, element: etree._Element) -> ItemDefinition:
        name = element.get("name") or ""
        type_ref = self.text_of(element, "typeRef")
        allowed = self.child(element, "allowedValues")
        constraint = self.child(element, "typeConstraint")
        function_item = self.child(element, "functionItem")
        parameters = None
        output = None
        if function_item is not None:
            parameters = tuple(
                InformationItem(p.get("name") or "", p.get("typeRef"))
                for p in self.children(function_item, "parameters")
            )
            output = function_item.get("outputTypeRef")
        return ItemDefinition(
            id=element.get("id") or "",
            name=name,
            type_ref=type_ref.strip() if type_ref else None,
            is_collection=element.get("isCollection") == "true",
            components=tuple(self.item_definition(c) for c in self.children(element, "itemComponent")),
            allowed_values=self.text_of(allowed),
            type_constraint=self.text_of(constraint),
            function_parameters=parameters,
            function_output=output,
        )

    # ── expressions ────────────────────────────────────────────────────────────────────────

    def expression_in(self, element: etree._Element | None) -> Expression | None:
        if element is None:
            return None
        for child in self.children(element):
            if _local(child) in _EXPRESSION_TAGS:
                return self.expression(child)
        return None

    def expression(self, element: etree._Element) -> Expression | None:
        local = _local(element)
        eid = element.get("id") or ""
        type_ref = element.get("typeRef")
        if local == "literalExpression":
            return self.literal(element)
        if local == "decisionTable":
            return self.decision_table(element)
        if local == "context":
            entries = []
            for entry in self.children(element, "contextEntry"):
                node = self.child(entry, "variable")
                variable = (
                    None if node is None else InformationItem(node.get("name") or "", node.get("typeRef"))
                )
                entries.append(ContextEntry(variable, self.expression_in(entry)))
            return Context(eid, tuple(entries), type_ref)
        if local == "invocation":
            function = self.expression_in(element)
            bindings = []
            for binding in self.children(element, "binding"):
                parameter = self.child(binding, "parameter")
                name = "" if parameter is None else parameter.get("name") or ""
                bindings.append(Binding(InformationItem(name), self.expression_in(binding)))
            if function is None:
                self.report("Invocation names no function", element, eid)
                return None
            return Invocation(eid, function, tuple(bindings), type_ref)
        if local == "relation":
            columns = tuple(
                InformationItem(c.get("name") or "", c.get("typeRef"))
                for c in self.children(element, "column")
            )
            rows = []
            for row in self.children(element, "row"):
                cells = tuple(
                    self.expression(cell) for cell in self.children(row) if _local(cell) in _EXPRESSION_TAGS
                )
                if len(cells) != len(columns):
                    self.report("Relation row has a different number of cells than columns", row, eid)
                rows.append(cells)
            return Relation(eid, columns, tuple(rows), type_ref)
        if local == "list":
            items = tuple(self.expression(c) for c in self.children(element) if _local(c) in _EXPRESSION_TAGS)
            return ListExpression(eid, items, type_ref)
        if local == "functionDefinition":
            return self.function_definition(element)
        if local == "conditional":
            return Conditional(
                eid,
                self.expression_in(self.child(element, "if")),
                self.expression_in(self.child(element, "then")),
                self.expression_in(self.child(element, "else")),
                type_ref,
            )
        if local == "filter":
            return FilterExpression(
                eid,
                self.expression_in(self.child(element, "in")),
                self.expression_in(self.child(element, "match")),
                type_ref,
            )
        if local in ("for", "some", "every"):
            body = self.child(element, "return" if local == "for" else "satisfies")
            return Iterator(
                eid,
                local,
                element.get("iteratorVariable") or "",
                self.expression_in(self.child(element, "in")),
                self.expression_in(body),
                type_ref,
            )
        return None

    def literal(self, element: etree._Element) -> LiteralExpression:
        text = self.text_of(element)
        return LiteralExpression(
            element.get("id") or "",
            text or "",
            element.get("expressionLanguage"),
            element.get("typeRef"),
        )

    def function_definition(self, element: etree._Element) -> FunctionDefinition:
        parameters = tuple(
            InformationItem(p.get("name") or "", p.get("typeRef"))
            for p in self.children(element, "formalParameter")
        )
        return FunctionDefinition(
            element.get("id") or "",
            element.get("kind") or "FEEL",
            parameters,
            self.expression_in(element),
            element.get("typeRef"),
        )

    def decision_table(self, element: etree._Element) -> DecisionTable | None:
        eid = element.get("id") or ""
        raw_policy = element.get("hitPolicy") or "UNIQUE"
        try:
            policy = HitPolicy(raw_policy)
        except ValueError:
            self.report(f"Unknown hit policy '{raw_policy}' in decision table", element, eid)
            return None
        aggregation = None
        raw_aggregation = element.get("aggregation")
        if raw_aggregation is not None:
            try:
                aggregation = Aggregation(raw_aggregation)
            except ValueError:
                self.report(f"Unknown aggregation '{raw_aggregation}' in decision table", element, eid)
                return None
            if policy is not HitPolicy.COLLECT:
                self.report(
                    f"Aggregation '{raw_aggregation}' is only allowed with hit policy COLLECT", element, eid
                )
                return None
        inputs = []
        for clause in self.children(element, "input"):
            expression_node = self.child(clause, "inputExpression")
            if expression_node is None:
                self.report("Input clause has no inputExpression", clause, clause.get("id") or "")
                continue
            inputs.append(
                InputClause(
                    clause.get("id") or "",
                    clause.get("label"),
                    self.literal(expression_node),
                    self.text_of(self.child(clause, "inputValues")),
                    clause.get(f"{{{CAMUNDA_DMN}}}inputVariable") or "cellInput",
                )
            )
        outputs = []
        for clause in self.children(element, "output"):
            default = self.child(clause, "defaultOutputEntry")
            outputs.append(
                OutputClause(
                    clause.get("id") or "",
                    clause.get("label"),
                    clause.get("name"),
                    clause.get("typeRef"),
                    self.text_of(self.child(clause, "outputValues")),
                    None if default is None else self.literal(default),
                )
            )
        if not outputs:
            self.report("Decision table has no output", element, eid)
            return None
        rules = []
        for index, rule in enumerate(self.children(element, "rule")):
            rid = rule.get("id") or f"rule{index + 1}"
            cells = tuple(
                UnaryTestsCell(e.get("id") or "", self.text_of(e) or "", e.get("expressionLanguage"))
                for e in self.children(rule, "inputEntry")
            )
            results = tuple(self.literal(e) for e in self.children(rule, "outputEntry"))
            if len(cells) != len(inputs):
                self.report(
                    f"Rule has {len(cells)} input entries but the table has {len(inputs)} inputs",
                    rule,
                    eid,
                    rid,
                )
                continue
            if len(results) != len(outputs):
                self.report(
                    f"Rule has {len(results)} output entries but the table has {len(outputs)} outputs",
                    rule,
                    eid,
                    rid,
                )
                continue
            rules.append(Rule(rid, cells, results, self.text_of(rule, "description")))
        if len(outputs) > 1 and any(not o.name for o in outputs):
            self.report("Every output of a table with several outputs needs a name", element, eid)
        return DecisionTable(
            eid, policy, aggregation, tuple(inputs), tuple(outputs), tuple(rules), element.get("outputLabel")
        )

    # ── DRG elements ───────────────────────────────────────────────────────────────────────

    def decision(self, element: etree._Element) -> Decision:
        did = element.get("id") or element.get("name") or ""
        self.decision_id = did
        name = element.get("name") or did
        expression = self.expression_in(element)
        decision = Decision(
            id=did,
            name=name,
            variable=self.variable(element, name),
            expression=expression,
            required_decisions=self.requirement_refs(element, "informationRequirement", "requiredDecision"),
            required_inputs=self.requirement_refs(element, "informationRequirement", "requiredInput"),
            required_knowledge=self.requirement_refs(element, "knowledgeRequirement", "requiredKnowledge"),
            history_time_to_live=element.get(f"{{{CAMUNDA_DMN}}}historyTimeToLive"),
            version_tag=element.get(f"{{{CAMUNDA_DMN}}}versionTag"),
        )
        self.decision_id = ""
        return decision

    def knowledge_model(self, element: etree._Element) -> BusinessKnowledgeModel:
        bid = element.get("id") or ""
        self.decision_id = bid
        name = element.get("name") or bid
        logic_node = self.child(element, "encapsulatedLogic")
        logic = None if logic_node is None else self.function_definition(logic_node)
        model = BusinessKnowledgeModel(
            bid,
            name,
            self.variable(element, name),
            logic,
            self.requirement_refs(element, "knowledgeRequirement", "requiredKnowledge"),
        )
        self.decision_id = ""
        return model

    def service(self, element: etree._Element) -> DecisionService:
        sid = element.get("id") or ""
        name = element.get("name") or sid

        def refs(local: str) -> tuple[str, ...]:
            return tuple(r for r in (self.href(e) for e in self.children(element, local)) if r is not None)

        return DecisionService(
            sid,
            name,
            self.variable(element, name),
            refs("outputDecision"),
            refs("encapsulatedDecision"),
            refs("inputDecision"),
            refs("inputData"),
        )


def parse_dmn(xml: bytes, resource_name: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> Definitions:
    """Parse one DMN resource, or raise :class:`DmnParseError` listing every problem."""
    try:
        root = load_xml(xml, max_bytes=max_bytes)
    except ParseError as error:
        problems = [
            Problem(p.message.replace("BPMN", "DMN"), p.element_ids, p.line, p.column) for p in error.problems
        ]
        raise DmnParseError(problems, resource_name) from None
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    version = DMN_NAMESPACES.get(namespace)
    if version is None or _local(root) != "definitions":
        raise DmnParseError([Problem("Resource is not a DMN 1.1-1.5 'definitions' document")], resource_name)
    walker = _Walker(root, namespace)
    decisions = tuple(walker.decision(e) for e in walker.children(root, "decision"))
    definitions = Definitions(
        id=root.get("id") or "",
        name=root.get("name") or "",
        namespace=root.get("namespace") or "",
        dmn_version=version,
        expression_language=root.get("expressionLanguage"),
        decisions=decisions,
        input_data=tuple(
            InputData(e.get("id") or "", e.get("name") or "", walker.variable(e, e.get("name") or ""))
            for e in walker.children(root, "inputData")
        ),
        knowledge_models=tuple(
            walker.knowledge_model(e) for e in walker.children(root, "businessKnowledgeModel")
        ),
        services=tuple(walker.service(e) for e in walker.children(root, "decisionService")),
        item_definitions=tuple(walker.item_definition(e) for e in walker.children(root, "itemDefinition")),
        imports=tuple(
            Import(e.get("namespace") or "", e.get("name") or "", e.get("locationURI"), e.get("importType"))
            for e in walker.children(root, "import")
        ),
    )
    _check_graph(definitions, walker.problems)
    if walker.problems:
        raise DmnParseError(walker.problems, resource_name)
    return definitions


def _check_graph(definitions: Definitions, problems: list[Problem]) -> None:
    """Duplicate ids, dangling requirements and cycles among required decisions."""
    seen: dict[str, str] = {}
    elements: list[tuple[str, str]] = [(d.id, "decision") for d in definitions.decisions]
    elements += [(i.id, "input data") for i in definitions.input_data]
    elements += [(b.id, "business knowledge model") for b in definitions.knowledge_models]
    elements += [(s.id, "decision service") for s in definitions.services]
    for element_id, kind in elements:
        if not element_id:
            problems.append(Problem(f"A {kind} has no id"))
        elif element_id in seen:
            problems.append(Problem(f"The id '{element_id}' is used twice", (element_id,)))
        seen[element_id] = kind
    decisions = {d.id: d for d in definitions.decisions}
    for decision in definitions.decisions:
        for ref in decision.required_decisions:
            if "#" not in ref and ref not in decisions:
                problems.append(Problem(f"Required decision '{ref}' does not exist", (decision.id, ref)))
        for ref in decision.required_inputs:
            if "#" not in ref and seen.get(ref) != "input data":
                problems.append(Problem(f"Required input '{ref}' does not exist", (decision.id, ref)))
        for ref in decision.required_knowledge:
            if "#" not in ref and seen.get(ref) not in ("business knowledge model", "decision service"):
                problems.append(Problem(f"Required knowledge '{ref}' does not exist", (decision.id, ref)))
    state: dict[str, int] = {}

    def visit(decision_id: str, path: list[str]) -> None:
        state[decision_id] = 1
        for ref in decisions[decision_id].required_decisions:
            if ref not in decisions:
                continue
            if state.get(ref) == 1:
                cycle = [*path[path.index(ref) :], ref] if ref in path else [decision_id, ref]
                problems.append(
                    Problem(
                        f"Required decisions form a cycle: {' -> '.join(cycle)}", tuple(dict.fromkeys(cycle))
                    )
                )
            elif ref not in state:
                visit(ref, [*path, ref])
        state[decision_id] = 2

    for decision_id in decisions:
        if decision_id not in state:
            visit(decision_id, [decision_id])
