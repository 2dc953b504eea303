"""FEEL types: the type language of ``instance of``, typed parameters and DMN ``typeRef``s.

Layer: ``feel``. A :class:`FeelType` answers ``conforms(value)`` (DMN 1.5 §10.3.2.9.1, type
conformance) and ``coerce(value)`` (§10.3.2.9.4: a singleton list stands for its element where
a non-list is expected, a value that does not conform becomes null). Named types that a DMN
model defines (``itemDefinition``) come in through the ``named`` table given to :func:`parse_type`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from cadenza.feel.values import Function, Range, YearsMonths

__all__ = ["ANY", "FeelType", "TypeSyntaxError", "parse_type"]


class TypeSyntaxError(Exception):
    pass


@dataclass(eq=False)
class FeelType:
    """A FEEL type. ``kind`` is a built-in type name, ``list``, ``context``, ``range``,
    ``function``, or ``named`` (a model type: ``base`` plus optional ``constraint``)."""

    kind: str
    element: FeelType | None = None
    fields: dict[str, FeelType] = field(default_factory=dict)
    parameters: tuple[FeelType, ...] = ()
    result: FeelType | None = None
    constraint: Callable[[object], bool] | None = None
    base: FeelType | None = None
    name: str = ""

    def conforms(self, value: object, *, constraints: bool = True) -> bool:
        """Whether ``value`` is of this type (``constraints=False``: ignore allowed values, as
        ``instance of`` does)."""
        kind = self.kind
        if value is None:
            return kind == "Null"
        if kind == "Any":
            return True
        if kind == "named":
            assert self.base is not None
            if not self.base.conforms(value, constraints=constraints):
                return False
            return not constraints or self.constraint is None or self.constraint(value)
        checker = _BASIC.get(kind)
        if checker is not None:
            return checker(value)
        if kind == "list":
            if type(value) is not list:
                return False
            element = self.element or ANY
            return all(item is None or element.conforms(item) for item in value)
        if kind == "context":
            if type(value) is not dict:
                return False
            assert isinstance(value, dict)
            return all(
                name in value and (value[name] is None or entry.conforms(value[name]))
                for name, entry in self.fields.items()
            )
        if kind == "range":
            if type(value) is not Range:
                return False
            assert isinstance(value, Range)
            element = self.element or ANY
            return all(point is None or element.conforms(point) for point in (value.start, value.end))
        if kind == "function":
            return type(value) is Function
        return False

    def coerce(self, value: object) -> object:
        """The value as this type expects it, or None when it does not conform."""
        if value is None or self.kind == "Any":
            return value
        if self.conforms(value):
            return value
        if type(value) is list and len(value) == 1 and not self._is_list():
            return self.coerce(value[0])
        if self._is_list() and type(value) is not list:
            listed = [value]
            if self.conforms(listed):
                return listed
        return None

    def _is_list(self) -> bool:
        if self.kind == "named":
            return self.base is not None and self.base._is_list()
        return self.kind == "list"

    def __repr__(self) -> str:
        return f"FeelType({self.name or self.kind})"


def _is_date(value: object) -> bool:
    return type(value) is date


_BASIC: Final[dict[str, Callable[[object], bool]]] = {
    "Null": lambda value: value is None,
    "number": lambda value: type(value) is Decimal,
    "string": lambda value: type(value) is str,
    "boolean": lambda value: type(value) is bool,
    "date": _is_date,
    "time": lambda value: type(value) is time,
    "date and time": lambda value: type(value) is datetime,
    "days and time duration": lambda value: type(value) is timedelta,
    "years and months duration": lambda value: type(value) is YearsMonths,
    "dayTimeDuration": lambda value: type(value) is timedelta,
    "yearMonthDuration": lambda value: type(value) is YearsMonths,
    "dateTime": lambda value: type(value) is datetime,
}

ANY: Final = FeelType("Any")

_ALIASES: Final = {
    "feel:number": "number",
    "feel:string": "string",
    "feel:boolean": "boolean",
    "feel:date": "date",
    "feel:time": "time",
    "feel:date and time": "date and time",
    "feel:dateTime": "date and time",
    "feel:dayTimeDuration": "days and time duration",
    "feel:yearMonthDuration": "years and months duration",
    "feel:days and time duration": "days and time duration",
    "feel:years and months duration": "years and months duration",
    "feel:context": "context",
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "duration": "days and time duration",
    "Any": "Any",
    "integer": "number",
    "long": "number",
    "double": "number",
    "decimal": "number",
    "int": "number",
}


class _TypeParser:
    def __init__(self, text: str, named: Mapping[str, FeelType]) -> None:
        self.text = text
        self.position = 0
        self.named = named

    def skip(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def accept(self, symbol: str) -> bool:
        self.skip()
        if self.text.startswith(symbol, self.position):
            self.position += len(symbol)
            return True
        return False

    def word(self) -> str:
        self.skip()
        start = self.position
        text = self.text
        while self.position < len(text) and text[self.position] not in "<>,:()":
            if text.startswith("->", self.position):
                break
            self.position += 1
        return " ".join(text[start : self.position].split())

    def parse(self) -> FeelType:
        name = self.word()
        if not name:
            raise TypeSyntaxError(f"a type name is expected in {self.text!r}")
        if name in ("list", "range") and self.accept("<"):
            element = self.parse()
            if not self.accept(">"):
                raise TypeSyntaxError(f"'>' is expected in {self.text!r}")
            return FeelType(name, element=element, name=f"{name}<>")
        if name == "context" and self.accept("<"):
            fields: dict[str, FeelType] = {}
            while True:
                key = self.word()
                if not key or not self.accept(":"):
                    raise TypeSyntaxError(f"'name: type' is expected in {self.text!r}")
                fields[key] = self.parse()
                if self.accept(">"):
                    break
                if not self.accept(","):
                    raise TypeSyntaxError(f"',' or '>' is expected in {self.text!r}")
            return FeelType("context", fields=fields, name="context<>")
        if name == "function" and self.accept("<"):
            parameters: list[FeelType] = []
            if not self.accept(">"):
                while True:
                    parameters.append(self.parse())
                    if self.accept(">"):
                        break
                    if not self.accept(","):
                        raise TypeSyntaxError(f"',' or '>' is expected in {self.text!r}")
            result = self.parse() if self.accept("->") else ANY
            return FeelType("function", parameters=tuple(parameters), result=result, name="function<>")
        return resolve_name(name, self.named)


def resolve_name(name: str, named: Mapping[str, FeelType]) -> FeelType:
    found = named.get(name)
    if found is not None:
        return found
    base = _ALIASES.get(name, name)
    if base in _BASIC or base in ("Any", "Null"):
        return FeelType(base, name=base)
    if base in ("list", "context", "range", "function"):
        return FeelType(base, name=base)
    if ":" in name:
        local = name.split(":", 1)[1]
        if local in named:
            return named[local]
        return resolve_name(local, named) if local != name else FeelType("Any")
    if "." in name:
        local = name.rsplit(".", 1)[1]
        if local in named:
            return named[local]
    raise TypeSyntaxError(f"unknown type '{name}'")


def parse_type(text: str, named: Mapping[str, FeelType] | None = None) -> FeelType:
    """The type a type text names (``number``, ``list<tPerson>``, ``function<string> -> number``)."""
    parser = _TypeParser(text, named or {})
    parsed = parser.parse()
    parser.skip()
    if parser.position != len(text):
        raise TypeSyntaxError(f"unexpected text after the type in {text!r}")
    return parsed
