"""Unit tests for ``cadenza.expr.values``: Camunda typed values on the wire, in memory, stored."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from cadenza.errors import InvalidRequestError
from cadenza.expr.values import (
    StoredValue,
    TypedValue,
    ValueType,
    expression_value,
    format_date,
    from_stored,
    parse_date,
    to_stored,
    typed_value_from_dto,
    typed_value_from_python,
    typed_value_to_dto,
)

__all__: list[str] = []

JAN_2 = datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)


def refused(dto: object, name: str | None = "v") -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as info:
        typed_value_from_dto(dto, name=name)
    assert info.value.status == 400
    return info.value


# ---------------------------------------------------------------------------------------------
# every type from the DTO and back


@pytest.mark.parametrize(
    ("dto", "expected", "out_value"),
    [
        ({"type": "String", "value": "abc"}, TypedValue(ValueType.STRING, "abc"), "abc"),
        ({"type": "Boolean", "value": True}, TypedValue(ValueType.BOOLEAN, True), True),
        ({"type": "Boolean", "value": "false"}, TypedValue(ValueType.BOOLEAN, False), False),
        ({"type": "Short", "value": -32768}, TypedValue(ValueType.SHORT, -32768), -32768),
        ({"type": "Integer", "value": 5}, TypedValue(ValueType.INTEGER, 5), 5),
        ({"type": "Integer", "value": "5"}, TypedValue(ValueType.INTEGER, 5), 5),
        ({"type": "Integer", "value": 5.0}, TypedValue(ValueType.INTEGER, 5), 5),
        ({"type": "Long", "value": 2**63 - 1}, TypedValue(ValueType.LONG, 2**63 - 1), 2**63 - 1),
        ({"type": "Double", "value": 1.5}, TypedValue(ValueType.DOUBLE, 1.5), 1.5),
        ({"type": "Double", "value": 2}, TypedValue(ValueType.DOUBLE, 2.0), 2.0),
        ({"type": "Double", "value": "2.5e1"}, TypedValue(ValueType.DOUBLE, 25.0), 25.0),
        (
            {"type": "Date", "value": "2024-01-02T03:04:05.123+0000"},
            TypedValue(ValueType.DATE, JAN_2),
            "2024-01-02T03:04:05.123+0000",
        ),
        ({"type": "Json", "value": '{"a":1}'}, TypedValue(ValueType.JSON, '{"a":1}'), '{"a":1}'),
        ({"type": "Xml", "value": "<a/>"}, TypedValue(ValueType.XML, "<a/>"), "<a/>"),
        ({"type": "Bytes", "value": "aGk="}, TypedValue(ValueType.BYTES, b"hi"), "aGk="),
        ({"type": "Null", "value": None}, TypedValue(ValueType.NULL, None), None),
        ({"type": "Null", "value": "ignored"}, TypedValue(ValueType.NULL, None), None),
        ({"type": "Integer", "value": None}, TypedValue(ValueType.INTEGER, None), None),
        ({"type": "Json", "value": None}, TypedValue(ValueType.JSON, None), None),
    ],
)
def test_from_dto_each_type_converts_and_renders_back(
    dto: dict[str, object], expected: TypedValue, out_value: object
) -> None:
    tv = typed_value_from_dto(dto)
    assert tv == expected
    assert type(tv.value) is type(expected.value)
    assert typed_value_to_dto(tv) == {
        "type": expected.type.value,
        "value": out_value,
        "valueInfo": {},
    }


def test_from_dto_object_json_keeps_text_and_deserializes_on_output() -> None:
    info = {"objectTypeName": "com.acme.Order", "serializationDataFormat": "application/json"}
    tv = typed_value_from_dto({"type": "Object", "value": '{"id": 1}', "valueInfo": info})
    assert tv == TypedValue(ValueType.OBJECT, '{"id": 1}', info)
    assert typed_value_to_dto(tv) == {"type": "Object", "value": {"id": 1}, "valueInfo": info}
    assert typed_value_to_dto(tv, deserialize=False)["value"] == '{"id": 1}'


def test_from_dto_object_without_format_defaults_to_json() -> None:
    tv = typed_value_from_dto({"type": "Object", "value": "[1]"})
    assert tv.value_info == {
        "serializationDataFormat": "application/json",
        "objectTypeName": "java.util.ArrayList",
    }


def test_from_dto_object_xml_keeps_text_on_output() -> None:
    info = {"objectTypeName": "a.B", "serializationDataFormat": "application/xml"}
    tv = typed_value_from_dto({"type": "Object", "value": "<b/>", "valueInfo": info})
    assert typed_value_to_dto(tv)["value"] == "<b/>"


def test_from_dto_file_keeps_metadata_and_renders_null_value() -> None:
    tv = typed_value_from_dto(
        {
            "type": "file",
            "value": base64.b64encode(b"content").decode(),
            "valueInfo": {"filename": "a.txt", "mimetype": "text/plain", "encoding": "UTF-8"},
        }
    )
    assert tv == TypedValue(
        ValueType.FILE,
        b"content",
        {"filename": "a.txt", "mimeType": "text/plain", "encoding": "UTF-8"},
    )
    assert typed_value_to_dto(tv) == {
        "type": "File",
        "value": None,
        "valueInfo": {"filename": "a.txt", "mimeType": "text/plain", "encoding": "UTF-8"},
    }


def test_from_dto_file_without_filename_refused() -> None:
    error = refused({"type": "File", "value": "aGk=", "valueInfo": {"mimeType": "text/plain"}})
    assert error.message.startswith("Cannot create file without filename!")


def test_from_dto_bytes_not_base64_takes_utf8_bytes() -> None:
    tv = typed_value_from_dto({"type": "Bytes", "value": "raw text!"})
    assert tv.value == b"raw text!"
    assert typed_value_to_dto(tv)["value"] == base64.b64encode(b"raw text!").decode()


# ---------------------------------------------------------------------------------------------
# type names


@pytest.mark.parametrize(
    ("name", "value_type"),
    [
        ("string", ValueType.STRING),
        ("boolean", ValueType.BOOLEAN),
        ("short", ValueType.SHORT),
        ("integer", ValueType.INTEGER),
        ("long", ValueType.LONG),
        ("double", ValueType.DOUBLE),
        ("json", ValueType.JSON),
        ("xml", ValueType.XML),
        ("bytes", ValueType.BYTES),
        ("null", ValueType.NULL),
    ],
)
def test_from_dto_lower_case_type_name_accepted(name: str, value_type: ValueType) -> None:
    samples: dict[ValueType, object] = {
        ValueType.STRING: "s",
        ValueType.BOOLEAN: True,
        ValueType.DOUBLE: 1.0,
        ValueType.JSON: "{}",
        ValueType.XML: "<a/>",
        ValueType.BYTES: "aGk=",
        ValueType.NULL: None,
    }
    tv = typed_value_from_dto({"type": name, "value": samples.get(value_type, 1)})
    assert tv.type is value_type
    assert typed_value_to_dto(tv)["type"] == value_type.value


@pytest.mark.parametrize("name", ["STRING", "sTRING", "Foo", "Number", "", 5, True])
def test_from_dto_unsupported_type_refused_as_rest_exception(name: object) -> None:
    error = refused({"type": name, "value": "x"})
    assert error.camunda_type == "RestException"
    assert error.code is None
    if isinstance(name, str):
        assert error.message == f"Unsupported value type '{name}'"


# ---------------------------------------------------------------------------------------------
# conversion errors


@pytest.mark.parametrize(
    ("dto", "message"),
    [
        (
            {"type": "Integer", "value": 5.5},
            "Cannot convert value '5.5' of type 'Integer' to java type java.lang.Integer",
        ),
        (
            {"type": "integer", "value": True},
            "Cannot convert value 'true' of type 'integer' to java type java.lang.Integer",
        ),
        (
            {"type": "Integer", "value": 2**31},
            "Cannot convert value '2147483648' of type 'Integer' to java type java.lang.Integer",
        ),
        (
            {"type": "Short", "value": 32768},
            "Cannot convert value '32768' of type 'Short' to java type java.lang.Short",
        ),
        (
            {"type": "Long", "value": 2**63},
            "Cannot convert value '9223372036854775808' of type 'Long' to java type java.lang.Long",
        ),
        (
            {"type": "Long", "value": "abc"},
            "Cannot convert value 'abc' of type 'Long' to java type java.lang.Long",
        ),
        (
            {"type": "Double", "value": False},
            "Cannot convert value 'false' of type 'Double' to java type java.lang.Double",
        ),
        (
            {"type": "Double", "value": "NaN"},
            "Cannot convert value 'NaN' of type 'Double' to java type java.lang.Double",
        ),
        (
            {"type": "Boolean", "value": "yes"},
            "Cannot convert value 'yes' of type 'Boolean' to java type java.lang.Boolean",
        ),
        (
            {"type": "String", "value": 5},
            "Cannot convert value '5' of type 'String' to java type java.lang.String",
        ),
        (
            {"type": "Date", "value": "yesterday"},
            "Cannot convert value 'yesterday' of type 'Date' to java type java.util.Date",
        ),
        (
            {"type": "Bytes", "value": 5},
            "Cannot convert value '5' of type 'Bytes' to java type [B",
        ),
        (
            {"type": "Json", "value": {"a": 1}},
            "Must provide 'null' or String value for value of SerializableValue type 'Json'.",
        ),
        (
            {"type": "Object", "value": [1]},
            "Must provide 'null' or String value for value of SerializableValue type 'Object'.",
        ),
    ],
)
def test_from_dto_value_not_fitting_type_refused(dto: dict[str, object], message: str) -> None:
    error = refused(dto)
    assert error.message == message
    assert error.camunda_type == "InvalidRequestException"


def test_from_dto_java_serialized_object_refused() -> None:
    error = refused(
        {
            "type": "Object",
            "value": "rO0ABXQAA2FiYw==",
            "valueInfo": {
                "objectTypeName": "java.lang.String",
                "serializationDataFormat": "application/x-java-serialized-object",
            },
        },
        name="payload",
    )
    assert error.message == ("Cannot set variable with name payload. Java serialization format is prohibited")


def test_from_dto_object_invalid_json_refused() -> None:
    refused({"type": "Object", "value": "{not json", "valueInfo": {"objectTypeName": "a.B"}})


def test_from_dto_object_unknown_format_refused() -> None:
    refused({"type": "Object", "value": "x", "valueInfo": {"serializationDataFormat": "foo"}})


@pytest.mark.parametrize("dto", ["value", 5, None, [1], {"value": 1, "valueInfo": "x"}])
def test_from_dto_malformed_dto_refused(dto: object) -> None:
    refused(dto)


# ---------------------------------------------------------------------------------------------
# untyped values and transient


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s", TypedValue(ValueType.STRING, "s")),
        (True, TypedValue(ValueType.BOOLEAN, True)),
        (7, TypedValue(ValueType.INTEGER, 7)),
        (-(2**31), TypedValue(ValueType.INTEGER, -(2**31))),
        (2**31, TypedValue(ValueType.LONG, 2**31)),
        (1.25, TypedValue(ValueType.DOUBLE, 1.25)),
        (None, TypedValue(ValueType.NULL, None)),
        (
            {"a": [1, "x"]},
            TypedValue(
                ValueType.OBJECT,
                '{"a":[1,"x"]}',
                {
                    "objectTypeName": "java.util.LinkedHashMap",
                    "serializationDataFormat": "application/json",
                },
            ),
        ),
        (
            [1, 2],
            TypedValue(
                ValueType.OBJECT,
                "[1,2]",
                {
                    "objectTypeName": "java.util.ArrayList",
                    "serializationDataFormat": "application/json",
                },
            ),
        ),
    ],
)
def test_from_dto_untyped_value_inferred_like_camunda(value: object, expected: TypedValue) -> None:
    assert typed_value_from_dto({"value": value}) == expected
    assert typed_value_from_dto({"value": value, "type": None, "valueInfo": None}) == expected


def test_from_dto_untyped_integer_over_64_bits_refused() -> None:
    refused({"value": 2**64})


def test_from_dto_transient_sets_flag_and_renders_it() -> None:
    tv = typed_value_from_dto({"type": "String", "value": "t", "valueInfo": {"transient": True, "other": 1}})
    assert tv == TypedValue(ValueType.STRING, "t", {}, transient=True)
    assert typed_value_to_dto(tv) == {
        "type": "String",
        "value": "t",
        "valueInfo": {"transient": True},
    }


def test_from_dto_untyped_transient_sets_flag() -> None:
    assert typed_value_from_dto({"value": 1, "valueInfo": {"transient": True}}).transient


@pytest.mark.parametrize("flag", ["true", 1, None])
def test_from_dto_non_boolean_transient_refused(flag: object) -> None:
    error = refused({"type": "String", "value": "t", "valueInfo": {"transient": flag}})
    assert error.message == "The property 'transient' should have a value of type 'boolean'."


# ---------------------------------------------------------------------------------------------
# Python values and expression values


def test_from_python_datetime_becomes_utc_date_in_millis() -> None:
    local = datetime(2024, 1, 2, 4, 4, 5, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert typed_value_from_python(local) == TypedValue(ValueType.DATE, JAN_2)


def test_from_python_bytes_becomes_bytes() -> None:
    assert typed_value_from_python(b"\x00\x01") == TypedValue(ValueType.BYTES, b"\x00\x01")


def test_from_python_typed_value_returned_unchanged() -> None:
    tv = TypedValue(ValueType.SHORT, 3)
    assert typed_value_from_python(tv) is tv


@pytest.mark.parametrize("value", [{1, 2}, object(), {"when": {1, 2}}, 2**70])
def test_from_python_untypeable_value_refused(value: object) -> None:
    with pytest.raises(InvalidRequestError):
        typed_value_from_python(value)


@pytest.mark.parametrize(
    ("tv", "expected"),
    [
        (TypedValue(ValueType.JSON, '{"a":[1]}'), {"a": [1]}),
        (TypedValue(ValueType.JSON, "not json"), "not json"),
        (typed_value_from_python({"k": "v"}), {"k": "v"}),
        (
            TypedValue(ValueType.OBJECT, "<x/>", {"serializationDataFormat": "application/xml"}),
            "<x/>",
        ),
        (TypedValue(ValueType.INTEGER, 3), 3),
        (TypedValue(ValueType.DATE, JAN_2), JAN_2),
        (TypedValue(ValueType.XML, "<a/>"), "<a/>"),
    ],
)
def test_expression_value_parses_json_and_keeps_the_rest(tv: TypedValue, expected: object) -> None:
    assert expression_value(tv) == expected


# ---------------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-02T03:04:05.123+0000",
        "2024-01-02T04:04:05.123+0100",
        "2024-01-02T04:04:05.123+01:00",
        "2024-01-02T02:04:05.123-0100",
        "2024-01-02T03:04:05.123Z",
        "2024-01-02T03:04:05.123",
        "2024-01-02T03:04:05.123456+00:00",
        "2024-01-02T03:04:05.1234567Z",
    ],
)
def test_parse_date_accepted_formats_return_utc(text: str) -> None:
    assert parse_date(text) == JAN_2
    assert parse_date(text).tzinfo is UTC


def test_parse_date_without_millis_returns_whole_second() -> None:
    assert parse_date("2024-01-02T03:04:05+0000") == JAN_2.replace(microsecond=0)
    assert parse_date("2024-01-02T03:04Z") == JAN_2.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-01-02",
        "2024-13-02T03:04:05.000+0000",
        "2024-01-02T25:04:05.000+0000",
        "2024-01-02T03:04:05.000+2500",
        "0001-01-01T00:00:00.000+0100",
        "2024-01-02T03:04:05.000 +0000",
        "２０２４-01-02T03:04:05.000+0000",
    ],
)
def test_parse_date_bad_text_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_format_date_writes_camunda_format_in_utc() -> None:
    local = datetime(2024, 1, 2, 4, 4, 5, 123999, tzinfo=timezone(timedelta(hours=1)))
    assert format_date(local) == "2024-01-02T03:04:05.123+0000"
    assert format_date(datetime(5, 1, 1)) == "0005-01-01T00:00:00.000+0000"  # noqa: DTZ001


# ---------------------------------------------------------------------------------------------
# stored form


@pytest.mark.parametrize(
    ("tv", "column", "raw"),
    [
        (TypedValue(ValueType.STRING, "s"), "text_value", "s"),
        (TypedValue(ValueType.BOOLEAN, True), "long_value", 1),
        (TypedValue(ValueType.BOOLEAN, False), "long_value", 0),
        (TypedValue(ValueType.SHORT, 3), "long_value", 3),
        (TypedValue(ValueType.INTEGER, -3), "long_value", -3),
        (TypedValue(ValueType.LONG, 2**62), "long_value", 2**62),
        (TypedValue(ValueType.DOUBLE, 0.5), "double_value", 0.5),
        (TypedValue(ValueType.DATE, JAN_2), "long_value", 1704164645123),
        (TypedValue(ValueType.JSON, "{}"), "text_value", "{}"),
        (TypedValue(ValueType.XML, "<a/>"), "text_value", "<a/>"),
        (typed_value_from_python([1]), "text_value", "[1]"),
        (TypedValue(ValueType.BYTES, b"\x00"), "bytes_value", b"\x00"),
        (TypedValue(ValueType.FILE, b"f", {"filename": "f.txt"}), "bytes_value", b"f"),
    ],
)
def test_to_stored_fills_typed_column_and_round_trips(tv: TypedValue, column: str, raw: object) -> None:
    stored = to_stored(tv)
    assert stored.type_name == tv.type.value
    columns = ("text_value", "long_value", "double_value", "bytes_value")
    assert {c: getattr(stored, c) for c in columns} == {c: raw if c == column else None for c in columns}
    assert from_stored(stored) == tv


def test_to_stored_null_and_typed_null_round_trip() -> None:
    for tv in (TypedValue(ValueType.NULL, None), TypedValue(ValueType.DATE, None)):
        stored = to_stored(tv)
        assert stored == StoredValue(tv.type.value, None, None, None, None, None)
        assert from_stored(stored) == tv


def test_to_stored_value_info_and_transient_round_trip() -> None:
    tv = TypedValue(ValueType.FILE, b"x", {"filename": "a", "mimeType": "b"}, transient=True)
    stored = to_stored(tv)
    assert orjson.loads(stored.value_info or "") == {
        "filename": "a",
        "mimeType": "b",
        "transient": True,
    }
    assert from_stored(stored) == tv


def test_from_stored_unknown_type_raises_value_error() -> None:
    with pytest.raises(ValueError):
        from_stored(StoredValue("Foo", None, None, None, None, None))


# ---------------------------------------------------------------------------------------------
# properties


def _json(bits: int) -> st.SearchStrategy[object]:
    """JSON values whose integers lie within ``bits`` bits."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2 ** (bits - 1)), max_value=2 ** (bits - 1) - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=10,
    )


_JSON = _json(72)
_TYPE_NAMES = (
    st.sampled_from(
        [t.value for t in ValueType] + [t.value.lower() for t in ValueType] + ["STRING", "Number"]
    )
    | st.none()
    | st.text(max_size=8)
    | st.integers()
)
_VALUE_INFO = st.none() | st.dictionaries(
    st.sampled_from(
        [
            "transient",
            "filename",
            "mimeType",
            "mimetype",
            "encoding",
            "objectTypeName",
            "serializationDataFormat",
        ]
    ),
    st.sampled_from([True, False, None, "a.txt", "application/json", "application/xml", 3]) | _JSON,
    max_size=4,
)
_VALUES = _JSON | st.sampled_from(
    ["2024-01-02T03:04:05.000+0000", "aGk=", "5", "-1", "1.5", "true", '{"a":1}', "[1]", "<a/>"]
)


@settings(max_examples=500, deadline=None)
@given(st.fixed_dictionaries({}, optional={"value": _VALUES, "type": _TYPE_NAMES, "valueInfo": _VALUE_INFO}))
def test_from_dto_any_json_dto_converts_or_raises_invalid_request(dto: dict[str, object]) -> None:
    try:
        tv = typed_value_from_dto(dto, name="v")
    except InvalidRequestError as error:
        assert error.status == 400
        return
    out = typed_value_to_dto(tv)
    assert set(out) == {"type", "value", "valueInfo"}
    orjson.dumps(out)
    assert from_stored(to_stored(tv)) == tv


_TYPED = st.one_of(
    _json(64).map(typed_value_from_python),
    st.datetimes(timezones=st.just(UTC)).map(typed_value_from_python),
    st.datetimes().map(typed_value_from_python),
    st.binary(max_size=20).map(typed_value_from_python),
    st.integers(-(2**15), 2**15 - 1).map(lambda n: TypedValue(ValueType.SHORT, n)),
    st.text(max_size=10).map(lambda s: TypedValue(ValueType.JSON, s)),
    st.text(max_size=10).map(lambda s: TypedValue(ValueType.XML, s, {}, transient=True)),
    st.builds(
        lambda content, name: TypedValue(ValueType.FILE, content, {"filename": name}),
        st.binary(max_size=10),
        st.text(max_size=10),
    ),
)


@settings(max_examples=500, deadline=None)
@given(_TYPED)
def test_to_stored_any_typed_value_round_trips_exactly(tv: TypedValue) -> None:
    back = from_stored(to_stored(tv))
    assert back == tv
    assert type(back.value) is type(tv.value)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.just(UTC)))
def test_format_date_then_parse_date_round_trips_to_millis(value: datetime) -> None:
    parsed = parse_date(format_date(value))
    assert parsed == value.replace(microsecond=value.microsecond // 1000 * 1000)
