"""FEEL built-ins on lists and contexts (DMN 1.5 §10.3.4.4, §10.3.4.8 and the 1.4/1.5 additions).

Layer: ``feel``. Registered into :data:`cadenza.feel.builtins.BUILTINS`. Functions taking "a
list or several arguments" (``min``, ``sum``, ``all``...) accept both forms.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cmp_to_key
from typing import Final

from cadenza.feel.values import DECIMAL, Function, feel_compare, feel_equals, flatten


def _register(
    name: str, *parameters: str, variadic: bool = False, aliases: dict[str, str] | None = None
) -> Callable[[Callable[..., object]], object]:
    from cadenza.feel.builtins import builtin

    return builtin(name, *parameters, variadic=variadic, aliases=aliases)


def _items(args: tuple[object, ...]) -> list[object] | None:
    """The list argument of a "list or varargs" function."""
    if len(args) == 1 and type(args[0]) is list:
        return args[0]
    if len(args) == 1 and args[0] is None:
        return None
    if not args:
        return None
    return list(args)


def _list(value: object) -> list[object] | None:
    """A list argument; a single non-null value stands for a singleton list (DMN 10.3.2.9.4)."""
    if value is None:
        return None
    return value if type(value) is list else [value]


def _numbers(items: list[object] | None) -> list[Decimal] | None:
    if items is None or any(type(item) is not Decimal for item in items):
        return None
    return items  # type: ignore[return-value]


def _position(value: object) -> int | None:
    if type(value) is not Decimal:
        return None
    assert isinstance(value, Decimal)
    return int(value)  # a fraction is truncated, as Java's intValue does


def _index(items: list[object], position: int) -> int | None:
    """The 0-based index of a 1-based (negative: from the end) FEEL position."""
    if position > 0 and position <= len(items):
        return position - 1
    if position < 0 and -position <= len(items):
        return len(items) + position
    return None


@_register("list contains", "list", "element")
def _list_contains(items: object, element: object) -> object:
    values = _list(items)
    if values is None:
        return None
    return any(feel_equals(item, element) is True for item in values)


@_register("count", "list", variadic=True)
def _count(*args: object) -> object:
    items = _items(args)
    return None if items is None else Decimal(len(items))


def _extreme(sign: int) -> Callable[..., object]:
    def impl(*args: object) -> object:
        items = _items(args)
        if not items:
            return None
        best = items[0]
        for item in items[1:]:
            order = feel_compare(item, best)
            if order is None:
                return None
            if order * sign > 0:
                best = item
        if feel_compare(best, best) is None:
            return None
        return best

    return impl


_register("min", "list", variadic=True)(_extreme(-1))
_register("max", "list", variadic=True)(_extreme(1))


def _total(numbers: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for number in numbers:
        total = DECIMAL.add(total, number)
    return total


@_register("sum", "list", variadic=True)
def _sum(*args: object) -> object:
    numbers = _numbers(_items(args))
    if not numbers:
        return None
    total = Decimal(0)
    for number in numbers:
        total = DECIMAL.add(total, number)
    return total


@_register("product", "list", variadic=True)
def _product(*args: object) -> object:
    numbers = _numbers(_items(args))
    if not numbers:
        return None
    total = Decimal(1)
    for number in numbers:
        total = DECIMAL.multiply(total, number)
    return total


@_register("mean", "list", variadic=True)
def _mean(*args: object) -> object:
    numbers = _numbers(_items(args))
    if not numbers:
        return None
    return DECIMAL.divide(_total(numbers), Decimal(len(numbers)))


@_register("median", "list", variadic=True)
def _median(*args: object) -> object:
    numbers = _numbers(_items(args))
    if not numbers:
        return None
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return DECIMAL.divide(DECIMAL.add(ordered[middle - 1], ordered[middle]), Decimal(2))


@_register("stddev", "list", variadic=True)
def _stddev(*args: object) -> object:
    numbers = _numbers(_items(args))
    if not numbers or len(numbers) < 2:
        return None
    mean = DECIMAL.divide(_total(numbers), Decimal(len(numbers)))
    squares = Decimal(0)
    for number in numbers:
        deviation = DECIMAL.subtract(number, mean)
        squares = DECIMAL.add(squares, DECIMAL.multiply(deviation, deviation))
    return DECIMAL.divide(squares, Decimal(len(numbers) - 1)).sqrt(DECIMAL)


@_register("mode", "list", variadic=True)
def _mode(*args: object) -> object:
    items = _items(args)
    numbers = _numbers(items)
    if numbers is None:
        return None
    counts: dict[Decimal, int] = {}
    for number in numbers:
        counts[number] = counts.get(number, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(number for number, count in counts.items() if count == top)


def _all_any(every: bool) -> Callable[..., object]:
    def impl(*args: object) -> object:
        if len(args) == 1 and type(args[0]) is not list and args[0] is not None and type(args[0]) is not bool:
            return None
        items = _items(args)
        if items is None:
            return None
        unknown = False
        for item in items:
            if item is (not every):
                return not every
            if type(item) is not bool:
                unknown = True
        return None if unknown else every

    return impl


_register("all", "list", variadic=True)(_all_any(True))
_register("any", "list", variadic=True)(_all_any(False))


@_register("sublist", "list", "start position", "length")
def _sublist(items: object, start: object, length: object = None) -> object:
    values, position = _list(items), _position(start)
    if values is None or position is None:
        return None
    index = _index(values, position)
    if index is None:
        return None
    if length is None:
        return values[index:]
    count = _position(length)
    if count is None or count < 0 or index + count > len(values):
        return None
    return values[index : index + count]


@_register("append", "list", "item", variadic=True)
def _append(items: object, *more: object) -> object:
    values = _list(items)
    return None if values is None else [*values, *more]


@_register("concatenate", "list", variadic=True)
def _concatenate(*lists: object) -> object:
    out: list[object] = []
    for value in lists:
        values = _list(value)
        if values is None:
            return None
        out.extend(values)
    return out


@_register("insert before", "list", "position", "newItem")
def _insert_before(items: object, position: object, new_item: object) -> object:
    values, place = _list(items), _position(position)
    if values is None or place is None:
        return None
    index = _index(values, place)
    if index is None:
        return None
    return [*values[:index], new_item, *values[index:]]


@_register("remove", "list", "position")
def _remove(items: object, position: object) -> object:
    values, place = _list(items), _position(position)
    if values is None or place is None:
        return None
    index = _index(values, place)
    if index is None:
        return None
    return values[:index] + values[index + 1 :]


@_register("reverse", "list")
def _reverse(items: object) -> object:
    values = _list(items)
    return None if values is None else values[::-1]


@_register("index of", "list", "match")
def _index_of(items: object, match: object) -> object:
    values = _list(items)
    if values is None:
        return None
    return [Decimal(index + 1) for index, item in enumerate(values) if feel_equals(item, match) is True]


def _distinct(values: list[object]) -> list[object]:
    out: list[object] = []
    for item in values:
        if not any(feel_equals(item, seen) is True for seen in out):
            out.append(item)
    return out


@_register("union", "list", variadic=True)
def _union(*lists: object) -> object:
    joined: list[object] = []
    for value in lists:
        values = _list(value)
        if values is None:
            return None
        joined.extend(values)
    return _distinct(joined)


@_register("distinct values", "list")
def _distinct_values(items: object) -> object:
    values = _list(items)
    return None if values is None else _distinct(values)


@_register("flatten", "list")
def _flatten(items: object) -> object:
    values = _list(items)
    return None if values is None else flatten(values)


@_register("sort", "list", "precedes")
def _sort(items: object, precedes: object = None) -> object:
    values = _list(items)
    if values is None:
        return None
    if precedes is None:
        for item in values[1:]:
            if feel_compare(values[0], item) is None:
                return None
        return sorted(values, key=cmp_to_key(lambda a, b: feel_compare(a, b) or 0))
    if type(precedes) is not Function:
        return None
    assert isinstance(precedes, Function)

    def order(a: object, b: object) -> int:
        if precedes.call([a, b]) is True:
            return -1
        if precedes.call([b, a]) is True:
            return 1
        return 0

    return sorted(values, key=cmp_to_key(order))


@_register("list replace", "list", "position", "newItem", aliases={"match": "position"})
def _list_replace(items: object, position: object, new_item: object) -> object:
    values = _list(items)
    if values is None:
        return None
    if type(position) is Function:
        assert isinstance(position, Function)
        out: list[object] = []
        for item in values:
            matched = position.call([item, new_item])
            if matched is not True and matched is not False:
                return None
            out.append(new_item if matched else item)
        return out
    place = _position(position)
    if place is None:
        return None
    index = _index(values, place)
    if index is None:
        return None
    return [*values[:index], new_item, *values[index + 1 :]]


# ── contexts ───────────────────────────────────────────────────────────────────────────────────


def _context(value: object) -> dict[str, object] | None:
    return value if type(value) is dict else None


@_register("get value", "m", "key")
def _get_value(context: object, key: object) -> object:
    entries = _context(context)
    if entries is None:
        return None
    if type(key) is str:
        return entries.get(key)
    if type(key) is list:
        current: object = entries
        for part in key:
            if type(current) is not dict or type(part) is not str:
                return None
            current = current.get(part)
        return current
    return None


@_register("get entries", "m")
def _get_entries(context: object) -> object:
    entries = _context(context)
    if entries is None:
        return None
    return [{"key": key, "value": value} for key, value in entries.items()]


@_register("context", "entries")
def _context_of(entries: object) -> object:
    values = _list(entries)
    if values is None:
        return None
    out: dict[str, object] = {}
    for entry in values:
        if type(entry) is not dict or "key" not in entry or "value" not in entry:
            return None
        key = entry["key"]
        if type(key) is not str or key in out:
            return None
        out[key] = entry["value"]
    return out


def _put(entries: dict[str, object], keys: list[object], value: object) -> object:
    if not keys or type(keys[0]) is not str:
        return None
    key = keys[0]
    assert isinstance(key, str)
    out = dict(entries)
    if len(keys) == 1:
        out[key] = value
        return out
    inner = out.get(key)
    if type(inner) is not dict:
        return None
    nested = _put(inner, keys[1:], value)
    if nested is None:
        return None
    out[key] = nested
    return out


@_register("context put", "context", "key", "value", aliases={"keys": "key"})
def _context_put(context: object, key: object, value: object) -> object:
    entries = _context(context)
    if entries is None:
        return None
    if type(key) is str:
        return _put(entries, [key], value)
    if type(key) is list:
        return _put(entries, key, value)
    return None


@_register("context merge", "contexts")
def _context_merge(contexts: object) -> object:
    values = _list(contexts)
    if values is None:
        return None
    out: dict[str, object] = {}
    for value in values:
        entries = _context(value)
        if entries is None:
            return None
        out.update(entries)
    return out


KEYS: Final = ("key", "value")
