"""Typed-value round trips shared by the REST and the service tests: what a client sends and
what Camunda answers for it (``camunda7-semantics.md`` §4, ``clients.md`` items 13-17)."""

from __future__ import annotations

from typing import Any

__all__ = ["REFUSALS", "ROUND_TRIPS", "XML_WITH_ENTITIES"]

XML_WITH_ENTITIES = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'


def _out(type_: str, value: Any, info: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": type_, "value": value, "valueInfo": info or {}}


ROUND_TRIPS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("string", {"type": "String", "value": "héllo ✓"}, _out("String", "héllo ✓")),
    ("string-lower", {"type": "string", "value": "x"}, _out("String", "x")),
    ("string-empty", {"type": "String", "value": ""}, _out("String", "")),
    ("boolean", {"type": "boolean", "value": True}, _out("Boolean", True)),
    ("boolean-text", {"type": "Boolean", "value": "false"}, _out("Boolean", False)),
    ("short", {"type": "Short", "value": -32768}, _out("Short", -32768)),
    ("short-text", {"type": "short", "value": "7"}, _out("Short", 7)),
    ("integer", {"type": "integer", "value": 2147483647}, _out("Integer", 2147483647)),
    ("long", {"type": "long", "value": 1099511627776}, _out("Long", 1099511627776)),
    ("long-max", {"type": "Long", "value": 2**63 - 1}, _out("Long", 2**63 - 1)),
    ("double", {"type": "double", "value": 1.5}, _out("Double", 1.5)),
    ("double-from-int", {"type": "Double", "value": 3}, _out("Double", 3.0)),
    (
        "date",
        {"type": "date", "value": "2024-01-02T03:04:05.000+0000"},
        _out("Date", "2024-01-02T03:04:05.000+0000"),
    ),
    (
        "date-offset-colon",
        {"type": "Date", "value": "2024-01-02T04:04:05.123+01:00"},
        _out("Date", "2024-01-02T03:04:05.123+0000"),
    ),
    (
        "date-zulu-no-millis",
        {"type": "Date", "value": "2024-01-02T03:04:05Z"},
        _out("Date", "2024-01-02T03:04:05.000+0000"),
    ),
    (
        "date-micros-no-zone",
        {"type": "Date", "value": "2024-01-02T03:04:05.123456"},
        _out("Date", "2024-01-02T03:04:05.123+0000"),
    ),
    ("json", {"type": "json", "value": '{"a": [1, 2]}'}, _out("Json", '{"a": [1, 2]}')),
    ("json-not-parsed", {"type": "Json", "value": "{not json"}, _out("Json", "{not json")),
    ("xml", {"type": "xml", "value": XML_WITH_ENTITIES}, _out("Xml", XML_WITH_ENTITIES)),
    ("bytes", {"type": "Bytes", "value": "AAEC/w=="}, _out("Bytes", "AAEC/w==")),
    ("bytes-raw-text", {"type": "bytes", "value": "plain text"}, _out("Bytes", "cGxhaW4gdGV4dA==")),
    (
        "file",
        {
            "type": "file",
            "value": "aGVsbG8=",
            "valueInfo": {"filename": "a.txt", "mimetype": "text/plain", "encoding": "UTF-8"},
        },
        _out("File", None, {"filename": "a.txt", "mimeType": "text/plain", "encoding": "UTF-8"}),
    ),
    (
        "object-json",
        {
            "type": "Object",
            "value": '{"a":[1,2]}',
            "valueInfo": {
                "objectTypeName": "java.util.HashMap",
                "serializationDataFormat": "application/json",
            },
        },
        _out(
            "Object",
            {"a": [1, 2]},
            {"objectTypeName": "java.util.HashMap", "serializationDataFormat": "application/json"},
        ),
    ),
    (
        "object-xml",
        {
            "type": "object",
            "value": "<order id='1'/>",
            "valueInfo": {"objectTypeName": "com.acme.Order", "serializationDataFormat": "application/xml"},
        },
        _out(
            "Object",
            "<order id='1'/>",
            {"objectTypeName": "com.acme.Order", "serializationDataFormat": "application/xml"},
        ),
    ),
    ("null", {"type": "null", "value": None}, _out("Null", None)),
    ("null-typed-integer", {"type": "Integer", "value": None}, _out("Integer", None)),
    ("untyped-string", {"value": "s"}, _out("String", "s")),
    ("untyped-int", {"value": 5, "type": None, "valueInfo": None}, _out("Integer", 5)),
    ("untyped-long", {"value": 2**40}, _out("Long", 2**40)),
    ("untyped-float", {"value": 0.25}, _out("Double", 0.25)),
    ("untyped-bool", {"value": False}, _out("Boolean", False)),
    ("untyped-null", {"value": None}, _out("Null", None)),
    (
        "untyped-object",
        {"value": {"a": 1, "b": [True, None]}},
        _out(
            "Object",
            {"a": 1, "b": [True, None]},
            {"objectTypeName": "java.util.LinkedHashMap", "serializationDataFormat": "application/json"},
        ),
    ),
    (
        "untyped-list",
        {"value": [1, "two"]},
        _out(
            "Object",
            [1, "two"],
            {"objectTypeName": "java.util.ArrayList", "serializationDataFormat": "application/json"},
        ),
    ),
]
"""(case id, VariableValueDto sent, VariableValueDto answered with deserializeValue=true)"""

REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("upper-case-type", {"type": "STRING", "value": "x"}, "Unsupported value type 'STRING'"),
    ("unknown-type", {"type": "Money", "value": 1}, "Unsupported value type 'Money'"),
    (
        "java-serialized",
        {
            "type": "Object",
            "value": "rO0ABXQAA2FiYw==",
            "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"},
        },
        "Java serialization format is prohibited",
    ),
    (
        "integer-overflow",
        {"type": "Integer", "value": 2**31},
        "Cannot convert value '2147483648' of type 'Integer' to java type java.lang.Integer",
    ),
    (
        "short-fraction",
        {"type": "Short", "value": 5.5},
        "Cannot convert value '5.5' of type 'Short' to java type java.lang.Short",
    ),
    (
        "boolean-number",
        {"type": "Boolean", "value": 1},
        "Cannot convert value '1' of type 'Boolean' to java type java.lang.Boolean",
    ),
    ("date-garbage", {"type": "Date", "value": "yesterday"}, "to java type java.util.Date"),
    (
        "json-not-a-string",
        {"type": "Json", "value": {"a": 1}},
        "Must provide 'null' or String value for value of SerializableValue type 'Json'.",
    ),
    ("file-without-name", {"type": "File", "value": "aGk="}, "Cannot create file without filename!"),
    (
        "object-bad-json",
        {"type": "Object", "value": "{", "valueInfo": {"serializationDataFormat": "application/json"}},
        "The value is not valid JSON",
    ),
    (
        "transient-not-boolean",
        {"value": 1, "valueInfo": {"transient": "yes"}},
        "The property 'transient' should have a value of type 'boolean'.",
    ),
    ("nul-character", {"type": "String", "value": "a\x00b"}, "must not contain the character U+0000"),
]
"""(case id, VariableValueDto sent, part of the 400 message)"""
