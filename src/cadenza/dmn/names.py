"""The names a DMN model declares, for the FEEL tokenizer (names may contain spaces).

Layer: ``dmn``. FEEL resolves names against the scope (DMN 1.5 §10.3.1.2); the tokenizer needs
every multi-word name a model can bring into scope: decisions, input data, knowledge models,
services, context entries, parameters, relation columns, item components, and the qualified
names of imported models (``myimport.Say Hello``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from cadenza.dmn import model as m

if TYPE_CHECKING:
    from cadenza.dmn.compile import CompiledDefinitions

__all__ = ["imported_names", "model_names"]


def model_names(definitions: m.Definitions) -> set[str]:
    names: set[str] = set()

    def expression(expr: m.Expression | None) -> None:
        if expr is None:
            return
        if isinstance(expr, m.Context):
            for entry in expr.entries:
                if entry.variable is not None:
                    names.add(entry.variable.name)
                expression(entry.value)
        elif isinstance(expr, m.FunctionDefinition):
            names.update(p.name for p in expr.parameters)
            expression(expr.body)
        elif isinstance(expr, m.Invocation):
            names.update(b.parameter.name for b in expr.bindings)
            expression(expr.function)
            for binding in expr.bindings:
                expression(binding.value)
        elif isinstance(expr, m.Relation):
            names.update(c.name for c in expr.columns)
        elif isinstance(expr, m.DecisionTable):
            names.update(o.name for o in expr.outputs if o.name)
        elif isinstance(expr, m.Iterator):
            names.add(expr.variable)
            expression(expr.source)
            expression(expr.body)
        elif isinstance(expr, m.ListExpression):
            for item in expr.items:
                expression(item)
        elif isinstance(expr, m.Conditional):
            for part in (expr.condition, expr.then, expr.otherwise):
                expression(part)
        elif isinstance(expr, m.FilterExpression):
            expression(expr.source)
            expression(expr.match)

    def item(definition: m.ItemDefinition) -> None:
        names.add(definition.name)
        for component in definition.components:
            item(component)

    for decision in definitions.decisions:
        names.update((decision.name, decision.variable.name))
        expression(decision.expression)
    for data in definitions.input_data:
        names.update((data.name, data.variable.name))
    for bkm in definitions.knowledge_models:
        names.update((bkm.name, bkm.variable.name))
        expression(bkm.logic)
    for service in definitions.services:
        names.update((service.name, service.variable.name))
    for definition in definitions.item_definitions:
        item(definition)
    for imported in definitions.imports:
        names.add(imported.name)
    return {name for name in names if name}


def imported_names(imports: Mapping[str, CompiledDefinitions]) -> Iterator[str]:
    """``importName.elementName`` for every decision, input, knowledge model and service."""
    for name, model in imports.items():
        definitions = model.definitions
        yield name
        elements: list[m.Decision | m.InputData | m.BusinessKnowledgeModel | m.DecisionService] = [
            *definitions.decisions,
            *definitions.input_data,
            *definitions.knowledge_models,
            *definitions.services,
        ]
        for element in elements:
            yield f"{name}.{element.name}"
