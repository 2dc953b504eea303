"""What an expression may reach on a value: properties, indexes and whitelisted methods.

Part of the ``expr`` layer. Nothing here reaches Python attributes: properties resolve on dicts,
lists and ``ElObject`` only, names starting with ``_`` are refused, and methods come from small
per-type tables (String, List, Map); everything else is an error naming the type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from cadenza.expr.el.coercion import java_equals, to_number, to_text, type_name
from cadenza.expr.el.failures import EvalError
from cadenza.expr.el.limits import MAX_MATCH_INPUT, MAX_PATTERN
from cadenza.expr.el.scope import ElObject

__all__ = ["call_method", "get_index", "get_property"]

_JAVA_WHITESPACE: Final = "".join(chr(c) for c in range(0x21))  # String.trim() strips <= ' '


def _check_name(name: str) -> str:
    if name.startswith("_"):
        raise EvalError(f"Access to '{name}' is not allowed")
    return name


def get_property(base: object, name: str) -> object:
    """``base.name``: a map entry, null on null, or an ``ElObject`` property."""
    if isinstance(base, Mapping):
        return base.get(name)
    if base is None:  # JUEL: a property of null is null
        return None
    if not isinstance(base, str | int | float | list | tuple) and isinstance(base, ElObject):
        return base.el_property(name)
    raise EvalError(f"Cannot resolve property '{name}' on type {type_name(base)}")


def _list_index(key: object) -> int:
    if isinstance(key, bool) or key is None:
        raise EvalError(f"Cannot use {type_name(key)} as a list index")
    number = to_number(key)
    return int(number)


def get_index(base: object, key: object) -> object:
    """``base[key]``: a list item (null when out of range), else a property or map entry."""
    if isinstance(base, list | tuple):
        i = _list_index(key)
        return base[i] if 0 <= i < len(base) else None  # ListELResolver: out of range is null
    if isinstance(key, str):
        return get_property(base, _check_name(key))
    if isinstance(base, Mapping):
        return base.get(key)
    if base is None:
        return None
    return get_property(base, to_text(key))


def _matches(text: str, pattern: object) -> bool:
    regex = to_text(pattern)
    if len(text) > MAX_MATCH_INPUT or len(regex) > MAX_PATTERN:
        raise EvalError("matches(): input or pattern too long")
    try:
        return re.fullmatch(regex, text) is not None
    except re.error as exc:
        raise EvalError(f"matches(): invalid pattern '{regex}': {exc}") from exc


def _substring(text: str, args: list[object]) -> str:
    begin = int(to_number(args[0]))
    end = int(to_number(args[1])) if len(args) > 1 else len(text)
    if begin < 0 or end > len(text) or begin > end:
        raise EvalError(f"substring({begin}, {end}) out of range for length {len(text)}")
    return text[begin:end]


def _index_of(text: str, args: list[object]) -> int:
    start = max(0, int(to_number(args[1]))) if len(args) > 1 else 0
    return text.find(to_text(args[0]), start)


def _equals_ignore_case(text: str, args: list[object]) -> bool:
    other = args[0]
    return isinstance(other, str) and text.lower() == other.lower()


def _list_get(items: list[object], args: list[object]) -> object:
    i = _list_index(args[0])
    if not 0 <= i < len(items):
        raise EvalError(f"Index {i} out of bounds for length {len(items)}")
    return items[i]


_Method = tuple[int, int, Callable[[Any, list[object]], object]]

_STRING_METHODS: Final[Mapping[str, _Method]] = {
    "contains": (1, 1, lambda s, a: to_text(a[0]) in s),
    "startsWith": (1, 1, lambda s, a: s.startswith(to_text(a[0]))),
    "endsWith": (1, 1, lambda s, a: s.endswith(to_text(a[0]))),
    "equals": (1, 1, lambda s, a: isinstance(a[0], str) and s == a[0]),
    "equalsIgnoreCase": (1, 1, _equals_ignore_case),
    "isEmpty": (0, 0, lambda s, a: not s),
    "length": (0, 0, lambda s, a: len(s)),
    "toUpperCase": (0, 0, lambda s, a: s.upper()),
    "toLowerCase": (0, 0, lambda s, a: s.lower()),
    "trim": (0, 0, lambda s, a: s.strip(_JAVA_WHITESPACE)),
    "substring": (1, 2, _substring),
    "indexOf": (1, 2, _index_of),
    "matches": (1, 1, lambda s, a: _matches(s, a[0])),
}

_LIST_METHODS: Final[Mapping[str, _Method]] = {
    "size": (0, 0, lambda items, a: len(items)),
    "contains": (1, 1, lambda items, a: any(java_equals(x, a[0]) for x in items)),
    "isEmpty": (0, 0, lambda items, a: not items),
    "get": (1, 1, _list_get),
}

_MAP_METHODS: Final[Mapping[str, _Method]] = {
    "size": (0, 0, lambda m, a: len(m)),
    "containsKey": (1, 1, lambda m, a: a[0] in m),
    "get": (1, 1, lambda m, a: m.get(a[0])),
    "isEmpty": (0, 0, lambda m, a: not m),
}

_NO_METHODS: Final[Mapping[str, _Method]] = {}


def call_method(base: object, name: str, args: list[object]) -> object:
    """``base.name(args)`` through the type's whitelist, or an ``ElObject``'s own ``el_call``."""
    if isinstance(base, str):
        table = _STRING_METHODS
    elif isinstance(base, Mapping):
        table = _MAP_METHODS
    elif isinstance(base, list | tuple):
        table = _LIST_METHODS
    elif base is None:
        raise EvalError(f"Cannot call method {name} on null")
    elif not isinstance(base, int | float) and isinstance(base, ElObject):
        return base.el_call(name, args)
    else:
        table = _NO_METHODS
    method = table.get(name)
    if method is None:
        raise EvalError(f"method {name} not supported on type {type_name(base)}")
    low, high, fn = method
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise EvalError(f"method {name} expects {expected} argument(s), got {len(args)}")
    return fn(base, args)
