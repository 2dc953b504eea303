"""List/count query parsing shared by every resource.

A ``QuerySpec`` lists the Camunda parameters a query accepts (camelCase wire name + kind) and
the query dataclass they fill (``cadenza.services`` query classes, snake_case fields). The same
spec reads the query string of ``GET /x`` and ``GET /x/count`` and the JSON body of
``POST /x`` and ``POST /x/count``, and describes both in the OpenAPI document.

Camunda conventions implemented here (semantics §0): comma lists, ``name_op_value`` variable
filters, case-insensitive booleans, ``sortBy`` + ``sortOrder`` both or neither, paging through
``firstResult``/``maxResults`` in the query string, unknown parameters ignored, and every
conversion failure answered with 400 ``Cannot set query parameter 'p' to value 'v'``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from cadenza.errors import EngineError
from cadenza.services import Page, VariableFilter, parse_date

from .deps import parse_bool
from .errors import invalid_request

__all__ = ["Kind", "P", "QuerySpec", "parse_page"]

VARIABLE_OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like", "notLike")


class Kind(StrEnum):
    STR = "string"
    BOOL = "boolean"
    INT = "integer"
    """a Java ``Integer``"""
    LONG = "long"
    """a Java ``Long``"""
    LIST = "list"
    DATE = "date"
    VARS = "variables"


class _Query(Protocol):
    SORT_FIELDS: ClassVar[dict[str, str]]
    sorting: list[tuple[str, bool]]


Q = TypeVar("Q", bound=_Query)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class P:
    """One query parameter: Camunda name, kind, and the query field it sets."""

    name: str
    kind: Kind = Kind.STR
    attr: str = ""

    @property
    def field(self) -> str:
        return self.attr or _snake(self.name)


def _cannot_set(name: str, value: object, reason: str = "") -> EngineError:
    message = f"Cannot set query parameter '{name}' to value '{value}'"
    if reason:
        message += f": {reason}"
    return invalid_request(message)


_RANGES = {Kind.INT: range(-(2**31), 2**31), Kind.LONG: range(-(2**63), 2**63)}
"""what Camunda's Java types hold (a larger number is a 400, not an overflow in the database)"""


def _int_from_string(name: str, raw: str, kind: Kind = Kind.INT) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise _cannot_set(name, raw) from None
    if value not in _RANGES[kind]:
        raise _cannot_set(name, raw)
    return value


def _date_from_string(name: str, raw: str) -> datetime:
    try:
        return parse_date(raw)
    except (ValueError, EngineError):
        raise _cannot_set(name, raw) from None


def _parse_variable_expression(name: str, raw: str, expression: str) -> VariableFilter:
    """``name_op_value``; names and values may themselves contain ``_``."""
    parts = expression.split("_")
    for index in range(1, len(parts) - 1):
        if parts[index] in VARIABLE_OPERATORS:
            return VariableFilter(
                name="_".join(parts[:index]),
                operator=parts[index],
                value="_".join(parts[index + 1 :]),
            )
    raise _cannot_set(name, raw, "variable query parameter has to have format KEY_OPERATOR_VALUE.")


def _variables_from_string(name: str, raw: str) -> list[VariableFilter]:
    return [_parse_variable_expression(name, raw, expression) for expression in raw.split(",") if expression]


def _body_error(name: str, expected: str, value: object) -> EngineError:
    return invalid_request(f"Invalid value for '{name}': expected {expected}, got {value!r}")


def _variables_from_json(name: str, value: object) -> list[VariableFilter]:
    if not isinstance(value, list):
        raise _body_error(name, "a list of {name, operator, value} objects", value)
    filters: list[VariableFilter] = []
    for item in value:
        if not isinstance(item, dict):
            raise _body_error(name, "a list of {name, operator, value} objects", value)
        var_name = item.get("name")
        operator = item.get("operator")
        if not isinstance(var_name, str) or not var_name:
            raise invalid_request(f"Invalid value for '{name}': every entry needs a 'name'")
        if operator not in VARIABLE_OPERATORS:
            raise invalid_request(f"Invalid variable comparator specified: {operator}")
        filters.append(VariableFilter(name=var_name, operator=operator, value=item.get("value")))
    return filters


def _convert_string(param: P, raw: str) -> object:
    kind = param.kind
    if kind is Kind.STR:
        return raw
    if kind is Kind.BOOL:
        parsed = parse_bool(raw)
        if parsed is None:
            raise _cannot_set(param.name, raw)
        return parsed
    if kind in _RANGES:
        return _int_from_string(param.name, raw, kind)
    if kind is Kind.LIST:
        return [item for item in raw.split(",") if item]
    if kind is Kind.DATE:
        return _date_from_string(param.name, raw)
    return _variables_from_string(param.name, raw)


def _convert_json(param: P, value: object) -> object:
    kind = param.kind
    name = param.name
    if kind is Kind.STR:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise _body_error(name, "a string", value)
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        parsed = parse_bool(value) if isinstance(value, str) else None
        if parsed is None:
            raise _body_error(name, "a boolean", value)
        return parsed
    if kind in _RANGES:
        if isinstance(value, int) and not isinstance(value, bool) and value in _RANGES[kind]:
            return value
        if isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                pass
            else:
                if number in _RANGES[kind]:
                    return number
        raise _body_error(name, "an integer", value)
    if kind is Kind.LIST:
        if isinstance(value, str):
            return [item for item in value.split(",") if item]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        raise _body_error(name, "a list of strings", value)
    if kind is Kind.DATE:
        if not isinstance(value, str):
            raise _body_error(name, "a date string", value)
        try:
            return parse_date(value)
        except (ValueError, EngineError):
            raise _body_error(name, "a date like 2024-01-31T10:00:00.000+0000", value) from None
    return _variables_from_json(name, value)


def _sort_order(name: str, raw: object) -> bool:
    if raw == "asc":
        return True
    if raw == "desc":
        return False
    raise _cannot_set(name, raw)


def parse_page(params: Mapping[str, str]) -> Page:
    """``firstResult`` / ``maxResults`` from the query string (either may be absent)."""
    first = params.get("firstResult")
    maximum = params.get("maxResults")
    first_result = _int_from_string("firstResult", first) if first not in (None, "") else 0
    max_results = _int_from_string("maxResults", maximum) if maximum not in (None, "") else None
    if first_result < 0:
        raise _cannot_set("firstResult", first)
    if max_results is not None and max_results < 0:
        raise _cannot_set("maxResults", maximum)
    return Page(first_result=first_result, max_results=max_results)


_SCHEMAS: dict[Kind, dict[str, Any]] = {
    Kind.STR: {"type": "string"},
    Kind.BOOL: {"type": "boolean"},
    Kind.INT: {"type": "integer", "format": "int32"},
    Kind.LONG: {"type": "integer", "format": "int64"},
    Kind.LIST: {"type": "array", "items": {"type": "string"}},
    Kind.DATE: {"type": "string", "format": "date-time"},
    Kind.VARS: {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "operator": {"type": "string", "enum": list(VARIABLE_OPERATORS)},
                "value": {},
            },
        },
    },
}

_QUERY_STRING_DESCRIPTIONS = {
    Kind.LIST: "Comma-separated list.",
    Kind.VARS: "Comma-separated name_operator_value filters; operators: "
    + ", ".join(VARIABLE_OPERATORS)
    + ".",
    Kind.DATE: "Date in the format yyyy-MM-dd'T'HH:mm:ss.SSSZ.",
}


class QuerySpec(Generic[Q]):
    """The parameters of one Camunda list query and how they fill the query dataclass."""

    def __init__(self, query_cls: type[Q], params: Sequence[P]) -> None:
        self.query_cls = query_cls
        self.params = tuple(params)
        self.by_name = {param.name: param for param in self.params}
        fields = {f.name for f in dataclasses.fields(query_cls)}  # type: ignore[arg-type]
        missing = [p.name for p in self.params if p.field not in fields]
        if missing:
            raise TypeError(f"{query_cls.__name__} has no field for {missing}")

    @property
    def sort_fields(self) -> Mapping[str, str]:
        result: Mapping[str, str] = self.query_cls.SORT_FIELDS
        return result

    def _check_sort_by(self, raw: object) -> str:
        if not isinstance(raw, str) or raw not in self.sort_fields:
            raise _cannot_set("sortBy", raw)
        return raw

    def from_query_string(self, params: Mapping[str, str]) -> Q:
        values: dict[str, object] = {}
        for name, raw in params.items():
            param = self.by_name.get(name)
            if param is None or raw == "":
                continue
            values[param.field] = _convert_string(param, raw)
        query = self.query_cls(**values)
        sort_by = params.get("sortBy")
        sort_order = params.get("sortOrder")
        if (sort_by is None) != (sort_order is None):
            raise invalid_request("Only a single sorting parameter specified. sortBy and sortOrder required")
        if sort_by is not None:
            query.sorting = [(self._check_sort_by(sort_by), _sort_order("sortOrder", sort_order))]
        return query

    def from_json(self, body: object) -> Q:
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise invalid_request("The request body must be a JSON object")
        values: dict[str, object] = {}
        for name, value in body.items():
            param = self.by_name.get(name)
            if param is None or value is None:
                continue
            values[param.field] = _convert_json(param, value)
        query = self.query_cls(**values)
        query.sorting = self._sorting_from_json(body)
        return query

    def _sorting_from_json(self, body: Mapping[str, object]) -> list[tuple[str, bool]]:
        entries: list[object] = []
        sorting = body.get("sorting")
        if sorting is not None:
            if not isinstance(sorting, list):
                raise _body_error("sorting", "a list of {sortBy, sortOrder} objects", sorting)
            entries.extend(sorting)
        if body.get("sortBy") is not None or body.get("sortOrder") is not None:
            entries.append({"sortBy": body.get("sortBy"), "sortOrder": body.get("sortOrder")})
        result: list[tuple[str, bool]] = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise _body_error("sorting", "a list of {sortBy, sortOrder} objects", sorting)
            sort_by = entry.get("sortBy")
            sort_order = entry.get("sortOrder")
            if sort_by is None or sort_order is None:
                raise invalid_request(
                    "Only a single sorting parameter specified. sortBy and sortOrder required"
                )
            result.append((self._check_sort_by(sort_by), _sort_order("sortOrder", sort_order)))
        return result

    # -- OpenAPI -------------------------------------------------------------------------

    def openapi_query_parameters(self, *, paging: bool = True, sorting: bool = True) -> list[Any]:
        parameters: list[dict[str, Any]] = []
        for param in self.params:
            entry: dict[str, Any] = {
                "name": param.name,
                "in": "query",
                "required": False,
                "schema": {"type": "string"}
                if param.kind in (Kind.LIST, Kind.VARS)
                else _SCHEMAS[param.kind],
            }
            if param.kind in _QUERY_STRING_DESCRIPTIONS:
                entry["description"] = _QUERY_STRING_DESCRIPTIONS[param.kind]
            parameters.append(entry)
        if sorting:
            parameters.append(
                {
                    "name": "sortBy",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": list(self.sort_fields)},
                }
            )
            parameters.append(
                {
                    "name": "sortOrder",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["asc", "desc"]},
                }
            )
        if paging:
            parameters.extend(PAGING_PARAMETERS)
        return parameters

    def openapi_request_body(self) -> dict[str, Any]:
        properties: dict[str, Any] = {p.name: _SCHEMAS[p.kind] for p in self.params}
        properties["sorting"] = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sortBy": {"type": "string", "enum": list(self.sort_fields)},
                    "sortOrder": {"type": "string", "enum": ["asc", "desc"]},
                },
            },
        }
        return {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object", "properties": properties}}},
        }

    def openapi_get(self) -> dict[str, Any]:
        return {"parameters": self.openapi_query_parameters()}

    def openapi_get_count(self) -> dict[str, Any]:
        return {"parameters": self.openapi_query_parameters(paging=False, sorting=False)}

    def openapi_post(self) -> dict[str, Any]:
        return {"parameters": list(PAGING_PARAMETERS), "requestBody": self.openapi_request_body()}

    def openapi_post_count(self) -> dict[str, Any]:
        return {"requestBody": self.openapi_request_body()}


PAGING_PARAMETERS: tuple[dict[str, Any], ...] = (
    {"name": "firstResult", "in": "query", "required": False, "schema": {"type": "integer"}},
    {"name": "maxResults", "in": "query", "required": False, "schema": {"type": "integer"}},
)
