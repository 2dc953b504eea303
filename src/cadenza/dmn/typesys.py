"""DMN item definitions as FEEL types (``typeRef`` resolution and type constraints).

Layer: ``dmn``. Each ``itemDefinition`` becomes a :class:`~cadenza.feel.FeelType`: a base type
(``typeRef``), a structure (``itemComponent`` → ``context<...>``), a collection (``isCollection``
→ ``list<...>``) or a function type, constrained by ``allowedValues`` / ``typeConstraint`` (unary
tests). Camunda's type names (``integer``, ``long``, ``double``) stand for FEEL ``number``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cadenza.dmn.model import ItemDefinition
from cadenza.feel import (
    Budget,
    Env,
    FeelSyntaxError,
    FeelType,
    KnownNames,
    TypeSyntaxError,
    compile_unary_tests,
    parse_type,
)

__all__ = ["build_types", "resolve_type_ref"]


def _strip_prefix(type_ref: str) -> str:
    if type_ref.startswith("feel:"):
        return type_ref
    return type_ref


def resolve_type_ref(type_ref: str | None, types: Mapping[str, FeelType]) -> FeelType | None:
    """The type a ``typeRef`` names, or None for an absent or unknown one (no check then)."""
    if not type_ref:
        return None
    text = _strip_prefix(type_ref.strip())
    try:
        return parse_type(text, types)
    except TypeSyntaxError:
        return None


def _constraint(text: str | None, names: KnownNames) -> Callable[[object], bool] | None:
    if not text or not text.strip():
        return None
    try:
        tests = compile_unary_tests(text, names=names)
    except FeelSyntaxError:
        return None
    env = Env({}, None, Budget())

    def check(value: object) -> bool:
        return tests.matches(value, env)

    return check


def build_types(
    definitions: tuple[ItemDefinition, ...],
    names: KnownNames,
    imported: Mapping[str, FeelType] | None = None,
) -> dict[str, FeelType]:
    """Every item definition as a FEEL type, by name (forward references allowed)."""
    types: dict[str, FeelType] = dict(imported or {})
    pending = {item.name: item for item in definitions}
    building: set[str] = set()

    def build(item: ItemDefinition) -> FeelType:
        if item.name in types and item.name not in pending:
            return types[item.name]
        if item.name in building:
            return FeelType("Any", name=item.name)
        building.add(item.name)
        result = shape(item)
        if result.name != item.name:
            result = FeelType("named", base=result, name=item.name)
        building.discard(item.name)
        pending.pop(item.name, None)
        types[item.name] = result
        return result

    def shape(item: ItemDefinition) -> FeelType:
        element: FeelType
        if item.components:
            fields = {component.name: shape(component) for component in item.components}
            element = FeelType("context", fields=fields, name=item.name)
        elif item.function_parameters is not None:
            element = FeelType("function", name=item.name)
        else:
            element = reference(item.type_ref)
        constraint = _constraint(item.type_constraint or item.allowed_values, names)
        if constraint is not None:
            element = FeelType("named", base=element, constraint=constraint, name=item.name)
        return FeelType("list", element=element, name=item.name) if item.is_collection else element

    def reference(type_ref: str | None) -> FeelType:
        if not type_ref:
            return FeelType("Any")
        local = type_ref.split(":", 1)[1] if type_ref.startswith("feel:") else type_ref
        if local in pending:
            return build(pending[local])
        resolved = resolve_type_ref(type_ref, types)
        return resolved if resolved is not None else FeelType("Any")

    for item in definitions:
        if item.name in pending:
            build(item)
    return types
