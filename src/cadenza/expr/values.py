"""Camunda typed variable values: wire DTOs, Python values and database columns.

Layer: ``expr`` (imports only ``cadenza.errors``). A variable travels as
``{"type", "value", "valueInfo"}`` on the REST wire (``camunda7-semantics.md`` §4), as a
:class:`TypedValue` inside the engine, and as a :class:`StoredValue` (typed columns, so queries
can compare numbers and dates) in the database. Every conversion is table-driven: one small
function per :class:`ValueType`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Final, cast

import orjson

from cadenza.errors import InvalidRequestError

__all__ = [
    "JAVA_SERIALIZATION_FORMAT",
    "JSON_FORMAT",
    "StoredValue",
    "TypedValue",
    "ValueType",
    "expression_value",
    "format_date",
    "from_stored",
    "parse_date",
    "to_stored",
    "typed_value_from_dto",
    "typed_value_from_python",
    "typed_value_to_dto",
]

JSON_FORMAT: Final = "application/json"
XML_FORMAT: Final = "application/xml"
JAVA_SERIALIZATION_FORMAT: Final = "application/x-java-serialized-object"


class ValueType(StrEnum):
    """Camunda's value type names, capitalised as the REST API writes them."""

    STRING = "String"
    BOOLEAN = "Boolean"
    SHORT = "Short"
    INTEGER = "Integer"
    LONG = "Long"
    DOUBLE = "Double"
    DATE = "Date"
    JSON = "Json"
    XML = "Xml"
    OBJECT = "Object"
    BYTES = "Bytes"
    FILE = "File"
    NULL = "Null"


@dataclass(frozen=True, slots=True)
class TypedValue:
    """A variable value with its Camunda type.

    ``value`` is ``str | bool | int | float | datetime (UTC, millisecond precision) | bytes |
    None``; for ``Json``, ``Xml`` and ``Object`` it is the serialized text. ``value_info`` holds
    ``objectTypeName``/``serializationDataFormat`` (Object) or ``filename``/``mimeType``/
    ``encoding`` (File) and never ``transient``, which is the separate flag.
    """

    type: ValueType
    value: object
    value_info: Mapping[str, object] = field(default_factory=dict)
    transient: bool = False


@dataclass(frozen=True, slots=True)
class StoredValue:
    """How a value sits in the database: one typed column is filled, per type."""

    type_name: str
    text_value: str | None
    long_value: int | None
    double_value: float | None
    bytes_value: bytes | None
    value_info: str | None  # JSON text, or None when empty


# --------------------------------------------------------------------------------------------
# Dates: Camunda writes yyyy-MM-dd'T'HH:mm:ss.SSSZ (RFC 822 offset, no colon)

_DATE_TEXT: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?",
    re.ASCII,
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND: Final = timedelta(milliseconds=1)


def _to_utc_millis(value: datetime) -> datetime:
    """Aware UTC, truncated to milliseconds like java.util.Date; naive values count as UTC."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def format_date(value: datetime) -> str:
    """``2024-01-02T03:04:05.000+0000``: the format every Camunda client parses."""
    v = _to_utc_millis(value)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
        f".{v.microsecond // 1000:03d}+0000"
    )


def parse_date(text: str) -> datetime:
    """Parse Camunda's date format leniently (``+0000``, ``+01:00``, ``Z``, no millis, ISO).

    Returns an aware UTC datetime truncated to milliseconds; raises ValueError on bad input.
    """
    match = _DATE_TEXT.fullmatch(text)
    if match is None:
        raise ValueError(f"Cannot parse date '{text}'")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    tz = UTC
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or "0"))
        tz = timezone(-delta if offset[0] == "-" else delta)
    try:
        parsed = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or "0"), micros, tz
        )
        return _to_utc_millis(parsed)
    except OverflowError as exc:  # the offset pushed year 1 / 9999 out of range
        raise ValueError(f"Cannot parse date '{text}'") from exc


# --------------------------------------------------------------------------------------------
# DTO -> TypedValue

_TYPES_BY_INPUT_NAME: Final[Mapping[str, ValueType]] = {
    t.value[0].lower() + t.value[1:]: t for t in ValueType
}
_INT_TEXT: Final = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)
_FLOAT_TEXT: Final = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)", re.ASCII
)

_Info = dict[str, object]
_Converter = Callable[[object, str, Mapping[str, object], "str | None"], tuple[object, _Info]]


def _java_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _convert_error(value: object, given: str, java_type: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Cannot convert value '{_java_text(value)}' of type '{given}' to java type {java_type}"
    )


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    return None


def _integral(java_type: str, bits: int) -> _Converter:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def convert(
        value: object, given: str, info: Mapping[str, object], name: str | None
    ) -> tuple[object, _Info]:
        if value is None:
            return None, {}
        number = _as_int(value)
        if number is None or not low <= number <= high:
            raise _convert_error(value, given, java_type)
        return number, {}

    return convert


def _double(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    if value is None:
        return None, {}
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            pass
        else:
            if math.isfinite(number):  # JSON has no NaN/Infinity: they could not be read back
                return number, {}
    elif isinstance(value, str) and _FLOAT_TEXT.fullmatch(value):
        number = float(value)
        if math.isfinite(number):
            return number, {}
    raise _convert_error(value, given, "java.lang.Double")


def _boolean(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    if value is None or isinstance(value, bool):
        return value, {}
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true", {}
    raise _convert_error(value, given, "java.lang.Boolean")


def _string(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    if value is None or isinstance(value, str):
        return value, {}
    raise _convert_error(value, given, "java.lang.String")


def _date(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    if value is None:
        return None, {}
    if isinstance(value, datetime):
        return _to_utc_millis(value), {}
    if isinstance(value, str):
        try:
            return parse_date(value), {}
        except ValueError:
            pass
    raise _convert_error(value, given, "java.util.Date")


def _serialized_text(value: object, given: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidRequestError(
        f"Must provide 'null' or String value for value of SerializableValue type '{given}'."
    )


def _spin(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    return _serialized_text(value, given), {}


def _info_text(info: Mapping[str, object], key: str) -> str | None:
    item = info.get(key)
    if item is None or isinstance(item, str):
        return item
    raise InvalidRequestError(f"valueInfo.{key} must be a string")


def _object(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    text = _serialized_text(value, given)
    data_format = _info_text(info, "serializationDataFormat") or JSON_FORMAT
    type_name = _info_text(info, "objectTypeName")
    if data_format == JAVA_SERIALIZATION_FORMAT:
        raise InvalidRequestError(
            f"Cannot set variable with name {name}. Java serialization format is prohibited"
        )
    if data_format == JSON_FORMAT and text is not None:
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise InvalidRequestError(
                f"Cannot set variable with name {name}. The value is not valid JSON: {exc}"
            ) from exc
        type_name = type_name or _json_type_name(parsed)
    elif data_format not in (JSON_FORMAT, XML_FORMAT):
        raise InvalidRequestError(
            f"Cannot set variable with name {name}. Unsupported serialization data format '{data_format}'"
        )
    out: _Info = {"serializationDataFormat": data_format}
    if type_name is not None:
        out["objectTypeName"] = type_name
    return text, out


def _decode_base64(text: str) -> bytes:
    """Base64, or the UTF-8 bytes when it is not base64 (camunda-client sends raw strings)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode("utf-8", "surrogatepass")


def _bytes(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    if value is None or isinstance(value, bytes):
        return value, {}
    if isinstance(value, bytearray):
        return bytes(value), {}
    if isinstance(value, str):
        return _decode_base64(value), {}
    raise _convert_error(value, given, "[B")


def _file(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    filename = _info_text(info, "filename")
    if filename is None:
        raise InvalidRequestError(
            "Cannot create file without filename! Please set a name into ValueInfo with key filename"
        )
    content, _ = _bytes(value, given, info, name)
    out: _Info = {"filename": filename}
    mime_type = _info_text(info, "mimeType") or _info_text(info, "mimetype")
    if mime_type is not None:
        out["mimeType"] = mime_type
    encoding = _info_text(info, "encoding")
    if encoding is not None:
        out["encoding"] = encoding
    return content, out


def _null(value: object, given: str, info: Mapping[str, object], name: str | None) -> tuple[object, _Info]:
    return None, {}


_CONVERTERS: Final[Mapping[ValueType, _Converter]] = {
    ValueType.STRING: _string,
    ValueType.BOOLEAN: _boolean,
    ValueType.SHORT: _integral("java.lang.Short", 16),
    ValueType.INTEGER: _integral("java.lang.Integer", 32),
    ValueType.LONG: _integral("java.lang.Long", 64),
    ValueType.DOUBLE: _double,
    ValueType.DATE: _date,
    ValueType.JSON: _spin,
    ValueType.XML: _spin,
    ValueType.OBJECT: _object,
    ValueType.BYTES: _bytes,
    ValueType.FILE: _file,
    ValueType.NULL: _null,
}


def _json_type_name(parsed: object) -> str:
    if isinstance(parsed, dict):
        return "java.util.LinkedHashMap"
    if isinstance(parsed, list):
        return "java.util.ArrayList"
    return "java.lang.Object"


def _infer(value: object, *, python: bool) -> TypedValue:
    """The type Camunda infers for an untyped value (plus Date/Bytes for Python callers)."""
    if value is None:
        return TypedValue(ValueType.NULL, None)
    if isinstance(value, bool):
        return TypedValue(ValueType.BOOLEAN, value)
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return TypedValue(ValueType.INTEGER, int(value))
        number, _ = _CONVERTERS[ValueType.LONG](value, "Long", {}, None)
        return TypedValue(ValueType.LONG, number)
    if isinstance(value, float):
        return TypedValue(ValueType.DOUBLE, float(value))
    if isinstance(value, str):
        return TypedValue(ValueType.STRING, value)
    if isinstance(value, dict | list) or (python and isinstance(value, tuple)):
        try:
            text = orjson.dumps(value).decode()
        except TypeError as exc:  # orjson.JSONEncodeError: unsupported type, int over 64 bits
            raise InvalidRequestError(f"Cannot serialize value as JSON: {exc}") from exc
        return TypedValue(
            ValueType.OBJECT,
            text,
            {
                "objectTypeName": _json_type_name(value if isinstance(value, dict) else []),
                "serializationDataFormat": JSON_FORMAT,
            },
        )
    if python and isinstance(value, datetime):
        return TypedValue(ValueType.DATE, _to_utc_millis(value))
    if python and isinstance(value, bytes | bytearray):
        return TypedValue(ValueType.BYTES, bytes(value))
    raise InvalidRequestError(f"Cannot infer the value type of a {type(value).__name__}")


def _lookup_type(given: object) -> ValueType:
    if isinstance(given, str):
        value_type = _TYPES_BY_INPUT_NAME.get(given[:1].lower() + given[1:])
        if value_type is not None:
            return value_type
    raise InvalidRequestError(f"Unsupported value type '{_java_text(given)}'", camunda_type="RestException")


def _transient(info: Mapping[str, object]) -> bool:
    if "transient" not in info:
        return False
    flag = info["transient"]
    if isinstance(flag, bool):
        return flag
    raise InvalidRequestError("The property 'transient' should have a value of type 'boolean'.")


def typed_value_from_dto(dto: object, *, name: str | None = None) -> TypedValue:
    """Convert a decoded ``{"value", "type", "valueInfo"}`` object (VariableValueDto).

    ``type`` may be absent or null (the type is inferred) and its first letter may be lower
    case; ``name`` only appears in error messages.

    Raises:
        InvalidRequestError: an unsupported type, a value that does not fit its type, a
            prohibited serialization format or a malformed valueInfo (all HTTP 400).
    """
    if not isinstance(dto, Mapping):
        raise InvalidRequestError(
            f"Invalid value for variable {name}: expected an object with 'value', 'type' and 'valueInfo'"
        )
    raw_info = dto.get("valueInfo")
    if raw_info is None:
        info: Mapping[str, object] = {}
    elif isinstance(raw_info, Mapping):
        info = raw_info
    else:
        raise InvalidRequestError(f"Invalid valueInfo for variable {name}: expected an object")
    transient = _transient(info)
    given = dto.get("type")
    value = dto.get("value")
    if given is None:
        inferred = _infer(value, python=False)
        return TypedValue(inferred.type, inferred.value, inferred.value_info, transient)
    value_type = _lookup_type(given)
    converted, value_info = _CONVERTERS[value_type](value, str(given), info, name)
    return TypedValue(value_type, converted, value_info, transient)


def typed_value_from_python(value: object) -> TypedValue:
    """A Python value as Camunda would type it (datetime -> Date, bytes -> Bytes).

    A :class:`TypedValue` is returned unchanged.

    Raises:
        InvalidRequestError: the value has no Camunda type (e.g. a set, or an int over 64 bits).
    """
    if isinstance(value, TypedValue):
        return value
    return _infer(value, python=True)


# --------------------------------------------------------------------------------------------
# TypedValue -> DTO and expression values


def _is_json_object(tv: TypedValue) -> bool:
    return tv.type is ValueType.OBJECT and tv.value_info.get("serializationDataFormat") in (
        JSON_FORMAT,
        None,
    )


def _object_out(tv: TypedValue, deserialize: bool) -> object:
    if deserialize and isinstance(tv.value, str) and _is_json_object(tv):
        try:
            return orjson.loads(tv.value)
        except orjson.JSONDecodeError:
            return tv.value
    return tv.value


def _date_out(tv: TypedValue, deserialize: bool) -> object:
    return format_date(tv.value) if isinstance(tv.value, datetime) else tv.value


def _bytes_out(tv: TypedValue, deserialize: bool) -> object:
    if isinstance(tv.value, bytes):
        return base64.b64encode(tv.value).decode("ascii")
    return tv.value


_DTO_VALUE: Final[Mapping[ValueType, Callable[[TypedValue, bool], object]]] = {
    ValueType.OBJECT: _object_out,
    ValueType.DATE: _date_out,
    ValueType.BYTES: _bytes_out,
    ValueType.FILE: lambda tv, deserialize: None,  # content only via .../data
}


def typed_value_to_dto(tv: TypedValue, *, deserialize: bool = True) -> dict[str, object]:
    """The REST form: always ``type`` (capitalised), ``value`` and ``valueInfo``.

    ``deserialize`` mirrors Camunda's ``deserializeValues``: JSON ``Object`` values are then
    returned parsed, otherwise as their serialized text.
    """
    render = _DTO_VALUE.get(tv.type)
    value_info: dict[str, object] = dict(tv.value_info)
    if tv.transient:
        value_info["transient"] = True
    return {
        "type": tv.type.value,
        "value": render(tv, deserialize) if render is not None else tv.value,
        "valueInfo": value_info,
    }


def expression_value(tv: TypedValue) -> object:
    """What an expression sees: JSON (``Json`` and JSON ``Object``) parsed, the rest as is."""
    if isinstance(tv.value, str) and (tv.type is ValueType.JSON or _is_json_object(tv)):
        try:
            return orjson.loads(tv.value)
        except orjson.JSONDecodeError:
            return tv.value
    return tv.value


# --------------------------------------------------------------------------------------------
# TypedValue <-> StoredValue


@dataclass(frozen=True, slots=True)
class _Column:
    name: str  # "text" | "long" | "double" | "bytes" | "none"
    dump: Callable[[object], object]
    load: Callable[[object], object]


def _same(value: object) -> object:
    return value


def _millis(value: object) -> object:
    return (_to_utc_millis(cast(datetime, value)) - _EPOCH) // _MILLISECOND


def _from_millis(value: object) -> object:
    return _EPOCH + cast(int, value) * _MILLISECOND


_TEXT: Final = _Column("text", _same, _same)
_LONG: Final = _Column("long", _same, _same)
_BYTES: Final = _Column("bytes", _same, _same)
_COLUMNS: Final[Mapping[ValueType, _Column]] = {
    ValueType.STRING: _TEXT,
    ValueType.BOOLEAN: _Column("long", lambda v: int(bool(v)), bool),
    ValueType.SHORT: _LONG,
    ValueType.INTEGER: _LONG,
    ValueType.LONG: _LONG,
    ValueType.DOUBLE: _Column("double", _same, _same),
    ValueType.DATE: _Column("long", _millis, _from_millis),
    ValueType.JSON: _TEXT,
    ValueType.XML: _TEXT,
    ValueType.OBJECT: _TEXT,
    ValueType.BYTES: _BYTES,
    ValueType.FILE: _BYTES,
    ValueType.NULL: _Column("none", _same, lambda v: None),
}


def to_stored(tv: TypedValue) -> StoredValue:
    """The database row form; ``transient`` is kept in ``value_info`` so the trip is exact."""
    column = _COLUMNS[tv.type]
    stored = None if tv.value is None else column.dump(tv.value)
    info: dict[str, object] = dict(tv.value_info)
    if tv.transient:
        info["transient"] = True
    return StoredValue(
        type_name=tv.type.value,
        text_value=cast("str | None", stored) if column.name == "text" else None,
        long_value=cast("int | None", stored) if column.name == "long" else None,
        double_value=cast("float | None", stored) if column.name == "double" else None,
        bytes_value=cast("bytes | None", stored) if column.name == "bytes" else None,
        value_info=orjson.dumps(info).decode() if info else None,
    )


def from_stored(sv: StoredValue) -> TypedValue:
    """Rebuild the :class:`TypedValue` written by :func:`to_stored` (ValueError on bad rows)."""
    value_type = ValueType(sv.type_name)
    column = _COLUMNS[value_type]
    raw = {
        "text": sv.text_value,
        "long": sv.long_value,
        "double": sv.double_value,
        "bytes": sv.bytes_value,
        "none": None,
    }[column.name]
    info = orjson.loads(sv.value_info) if sv.value_info else {}
    if not isinstance(info, dict):
        raise ValueError(f"Stored valueInfo is not a JSON object: {sv.value_info!r}")
    transient = bool(info.pop("transient", False))
    return TypedValue(value_type, None if raw is None else column.load(raw), info, transient)
