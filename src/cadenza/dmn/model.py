"""The DMN model: typed, frozen dataclasses built by :mod:`.parser`, read by :mod:`.compile`.

Layer: ``dmn``. One :class:`Definitions` per ``.dmn`` resource (DMN 1.1 to 1.5): the decision
requirements graph (decisions, input data, business knowledge models, decision services),
item definitions, and Camunda's extension attributes (``camunda:historyTimeToLive``,
``camunda:versionTag``). Expression texts are kept as written; they are compiled later, once per
deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Aggregation",
    "Binding",
    "BusinessKnowledgeModel",
    "Conditional",
    "Context",
    "ContextEntry",
    "Decision",
    "DecisionService",
    "DecisionTable",
    "Definitions",
    "Expression",
    "FilterExpression",
    "FunctionDefinition",
    "HitPolicy",
    "Import",
    "InformationItem",
    "InputClause",
    "InputData",
    "Invocation",
    "ItemDefinition",
    "Iterator",
    "ListExpression",
    "LiteralExpression",
    "OutputClause",
    "Relation",
    "Rule",
    "UnaryTestsCell",
]


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(StrEnum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True)
class ItemDefinition:
    """A named type: a base type reference, a structure of components, or a function type."""

    id: str
    name: str
    type_ref: str | None = None
    is_collection: bool = False
    components: tuple[ItemDefinition, ...] = ()
    allowed_values: str | None = None
    type_constraint: str | None = None
    function_parameters: tuple[InformationItem, ...] | None = None
    function_output: str | None = None


@dataclass(frozen=True)
class InformationItem:
    name: str
    type_ref: str | None = None
    id: str = ""


# ── boxed expressions ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LiteralExpression:
    id: str
    text: str
    expression_language: str | None = None
    type_ref: str | None = None


@dataclass(frozen=True)
class UnaryTestsCell:
    id: str
    text: str
    expression_language: str | None = None


@dataclass(frozen=True)
class InputClause:
    id: str
    label: str | None
    expression: LiteralExpression
    input_values: str | None = None
    input_variable: str = "cellInput"


@dataclass(frozen=True)
class OutputClause:
    id: str
    label: str | None
    name: str | None
    type_ref: str | None
    output_values: str | None = None
    default_output: LiteralExpression | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    inputs: tuple[UnaryTestsCell, ...]
    outputs: tuple[LiteralExpression, ...]
    description: str | None = None


@dataclass(frozen=True)
class DecisionTable:
    id: str
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]
    output_label: str | None = None
    type_ref: str | None = None


@dataclass(frozen=True)
class ContextEntry:
    variable: InformationItem | None
    value: Expression | None


@dataclass(frozen=True)
class Context:
    id: str
    entries: tuple[ContextEntry, ...]
    type_ref: str | None = None


@dataclass(frozen=True)
class Binding:
    parameter: InformationItem
    value: Expression | None


@dataclass(frozen=True)
class Invocation:
    id: str
    function: Expression
    bindings: tuple[Binding, ...]
    type_ref: str | None = None


@dataclass(frozen=True)
class Relation:
    id: str
    columns: tuple[InformationItem, ...]
    rows: tuple[tuple[Expression | None, ...], ...]
    type_ref: str | None = None


@dataclass(frozen=True)
class ListExpression:
    id: str
    items: tuple[Expression | None, ...]
    type_ref: str | None = None


@dataclass(frozen=True)
class FunctionDefinition:
    id: str
    kind: str
    parameters: tuple[InformationItem, ...]
    body: Expression | None
    type_ref: str | None = None


@dataclass(frozen=True)
class Conditional:
    id: str
    condition: Expression | None
    then: Expression | None
    otherwise: Expression | None
    type_ref: str | None = None


@dataclass(frozen=True)
class FilterExpression:
    id: str
    source: Expression | None
    match: Expression | None
    type_ref: str | None = None


@dataclass(frozen=True)
class Iterator:
    """A boxed ``for`` / ``some`` / ``every`` (DMN 1.4)."""

    id: str
    kind: str
    variable: str
    source: Expression | None
    body: Expression | None
    type_ref: str | None = None


Expression = (
    LiteralExpression
    | DecisionTable
    | Context
    | Invocation
    | Relation
    | ListExpression
    | FunctionDefinition
    | Conditional
    | FilterExpression
    | Iterator
)


# ── the decision requirements graph ───────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    variable: InformationItem
    expression: Expression | None
    required_decisions: tuple[str, ...] = ()
    required_inputs: tuple[str, ...] = ()
    required_knowledge: tuple[str, ...] = ()
    history_time_to_live: str | None = None
    version_tag: str | None = None


@dataclass(frozen=True)
class InputData:
    id: str
    name: str
    variable: InformationItem


@dataclass(frozen=True)
class BusinessKnowledgeModel:
    id: str
    name: str
    variable: InformationItem
    logic: FunctionDefinition | None
    required_knowledge: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionService:
    id: str
    name: str
    variable: InformationItem
    output_decisions: tuple[str, ...]
    encapsulated_decisions: tuple[str, ...]
    input_decisions: tuple[str, ...]
    input_data: tuple[str, ...]


@dataclass(frozen=True)
class Import:
    namespace: str
    name: str
    location: str | None
    import_type: str | None


@dataclass(frozen=True)
class Definitions:
    """One DMN resource. Element references (``href="#id"``) are resolved to ids; references
    into an imported model keep the import's namespace as ``namespace#id``."""

    id: str
    name: str
    namespace: str
    dmn_version: str
    expression_language: str | None
    decisions: tuple[Decision, ...]
    input_data: tuple[InputData, ...] = ()
    knowledge_models: tuple[BusinessKnowledgeModel, ...] = ()
    services: tuple[DecisionService, ...] = ()
    item_definitions: tuple[ItemDefinition, ...] = ()
    imports: tuple[Import, ...] = ()

    def decision(self, id_or_name: str) -> Decision | None:
        for decision in self.decisions:
            if decision.id == id_or_name:
                return decision
        for decision in self.decisions:
            if decision.name == id_or_name:
                return decision
        return None
