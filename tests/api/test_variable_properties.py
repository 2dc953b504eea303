"""Property: any value a client may send either round-trips through PUT then GET, or is refused
with a 400 in Camunda's error body: never a 500.

The expected answer comes from a small model of Camunda's conversions written here (not from
``cadenza.expr.values``): type inference for untyped values, first-letter case of type names,
the documented coercions (``"5"`` for numbers, ``"true"`` for booleans, integral floats),
dates normalised to ``yyyy-MM-dd'T'HH:mm:ss.SSS+0000``, ``Bytes`` as base64, ``File`` values
never inlined, JSON ``Object`` values deserialized, and transient values never stored.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as st

from cadenza.api import create_app
from cadenza.config import EngineConfig
from cadenza.services import Engine

from .helpers import BASE, resource

TYPE_NAMES = ["String", "Boolean", "Short", "Integer", "Long", "Double", "Date", "Json", "Xml"]
TYPE_NAMES += ["Bytes", "File", "Object", "Null"]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000")
_names = itertools.count()
EXAMPLES = int(os.environ.get("CADENZA_PROPERTY_EXAMPLES", "150"))


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    path: Path = tmp_path_factory.mktemp("properties")
    with (
        Engine(EngineConfig(database_url=f"sqlite:///{path}/p.db", sqlite_synchronous="OFF")) as engine,
        TestClient(create_app(engine)) as client,
    ):
        files = [("r", ("user_task.bpmn", resource("user_task.bpmn"), "application/octet-stream"))]
        assert client.post(f"{BASE}/deployment/create", files=files).status_code == 200
        yield client, ""


def _scope(instance: tuple[TestClient, str]) -> tuple[TestClient, str]:
    """A process instance for the next few examples (every request loads the instance's
    variables, so one instance per 20 examples keeps the run linear)."""
    client, _ = instance
    number = next(_names)
    if number % 20 == 0 or not _current:
        response = client.post(f"{BASE}/process-definition/key/userProcess/start", json={})
        _current[:] = [response.json()["id"]]
    return client, _current[0]


_current: list[str] = []


# ── what clients send ─────────────────────────────────────────────────────────────────────

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
type_names = st.one_of(
    st.sampled_from(TYPE_NAMES),
    st.sampled_from(TYPE_NAMES).map(lambda t: t[0].lower() + t[1:]),
    st.sampled_from(TYPE_NAMES).map(str.upper),
    st.text(max_size=10),
    st.none(),
    json_values,  # nonsense: a number, a list ... as the type
)
special_values = st.one_of(
    st.sampled_from(
        [
            "2024-01-02T03:04:05.000+0000",
            "2024-02-30T03:04:05.000+0000",
            "2024-01-02T03:04:05+01:00",
            "9999-12-31T23:59:59.999-1400",
            "true",
            "FALSE",
            "12",
            "-0",
            "1e3",
            ".5",
            "aGVsbG8=",
            "not base64!",
            '{"a":1}',
            "[1,2",
            "<x/>",
            "\x00",
        ]
    ),
    st.integers(min_value=-(2**64), max_value=2**64),
)
info_keys = st.sampled_from(
    [
        "transient",
        "filename",
        "mimeType",
        "mimetype",
        "encoding",
        "objectTypeName",
        "serializationDataFormat",
        "x",
    ]
)
info_values = st.one_of(
    json_scalars,
    st.sampled_from(["application/json", "application/xml", "application/x-java-serialized-object", "a.txt"]),
)
value_infos = st.one_of(st.none(), json_values, st.dictionaries(info_keys, info_values, max_size=4))


@st.composite
def dtos(draw: st.DrawFn) -> dict[str, Any]:
    dto: dict[str, Any] = {}
    if draw(st.booleans()):
        dto["type"] = draw(type_names)
    if draw(st.integers(0, 9)):
        dto["value"] = draw(st.one_of(json_values, special_values))
    if draw(st.booleans()):
        dto["valueInfo"] = draw(value_infos)
    return dto


# ── the model ─────────────────────────────────────────────────────────────────────────────


def _canonical_type(given: object) -> str | None:
    if given is None:
        return None
    assert isinstance(given, str)
    return given[:1].upper() + given[1:]


def _inferred(value: object) -> tuple[str, object, dict[str, object]]:
    if value is None:
        return "Null", None, {}
    if isinstance(value, bool):
        return "Boolean", value, {}
    if isinstance(value, int):
        return ("Integer" if -(2**31) <= value < 2**31 else "Long"), value, {}
    if isinstance(value, float):
        return "Double", value, {}
    if isinstance(value, str):
        return "String", value, {}
    type_name = "java.util.LinkedHashMap" if isinstance(value, dict) else "java.util.ArrayList"
    return "Object", value, {"objectTypeName": type_name, "serializationDataFormat": "application/json"}


def _bytes_of(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode("utf-8")


def _same_instant(sent: str, answered: str) -> bool:
    """The answered date is the sent one in UTC, cut to milliseconds."""
    got = datetime.strptime(answered, "%Y-%m-%dT%H:%M:%S.%f%z")
    match = re.fullmatch(r"(.{16})(?::(\d\d)(?:[.,](\d+))?)?(Z|[+-]\d\d(?::?\d\d)?)?", sent)
    assert match, sent
    head, seconds, fraction, zone = match.groups()
    millis = (fraction or "0")[:3].ljust(3, "0")
    zone = "+0000" if zone in (None, "Z") else zone.replace(":", "").ljust(5, "0")
    parsed = datetime.strptime(f"{head}:{seconds or '00'}.{millis}{zone}", "%Y-%m-%dT%H:%M:%S.%f%z")
    return got == parsed.astimezone(UTC)


def check_answer(sent: dict[str, Any], answered: dict[str, Any]) -> None:
    """``answered`` (the GET body) is what Camunda answers for an accepted ``sent``."""
    assert set(answered) == {"type", "value", "valueInfo"}
    value = sent.get("value")
    info = sent.get("valueInfo") or {}
    type_name = _canonical_type(sent.get("type"))
    if type_name is None:
        expected = _inferred(value)
        assert (answered["type"], answered["value"], answered["valueInfo"]) == expected
        return
    assert answered["type"] == type_name
    got = answered["value"]
    if type_name == "File":
        expected_info = {"filename": info["filename"]}
        mime = info.get("mimeType") or info.get("mimetype")
        if mime is not None:
            expected_info["mimeType"] = mime
        if info.get("encoding") is not None:
            expected_info["encoding"] = info["encoding"]
        assert (got, answered["valueInfo"]) == (None, expected_info)
        return
    if type_name == "Object":
        data_format = info.get("serializationDataFormat") or "application/json"
        assert answered["valueInfo"]["serializationDataFormat"] == data_format
        if info.get("objectTypeName") is not None:
            assert answered["valueInfo"]["objectTypeName"] == info["objectTypeName"]
        if value is not None and data_format == "application/json":
            import json

            assert got == json.loads(value)
        else:
            assert got == value
        return
    assert answered["valueInfo"] == {}
    if value is None or type_name == "Null":
        assert got is None
    elif type_name in ("String", "Json", "Xml"):
        assert got == value
    elif type_name == "Boolean":
        assert got == (value if isinstance(value, bool) else value.lower() == "true")
    elif type_name in ("Short", "Integer", "Long"):
        assert got == int(value) and isinstance(got, int)
    elif type_name == "Double":
        assert got == float(value)
    elif type_name == "Date":
        assert DATE.fullmatch(got) and _same_instant(value, got)
    elif type_name == "Bytes":
        assert got == base64.b64encode(_bytes_of(value)).decode("ascii")
    else:
        raise AssertionError(f"unexpected type {type_name}")


# ── the properties ────────────────────────────────────────────────────────────────────────


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dto=dtos())
def test_any_value_round_trips_or_is_refused_with_400(
    instance: tuple[TestClient, str], dto: dict[str, Any]
) -> None:
    client, pid = _scope(instance)
    name = f"v{next(_names)}"
    url = f"{BASE}/process-instance/{pid}/variables/{name}"
    # json.dumps escapes what UTF-8 cannot carry (lone surrogates), as a Java or JS client would
    response = client.put(url, content=json.dumps(dto), headers={"content-type": "application/json"})
    if response.status_code == 400:
        body = response.json()
        assert response.headers["content-type"] == "application/json"
        assert set(body) == {"type", "message", "code"} and body["message"], body
        assert client.get(url).status_code == 404
        return
    assert response.status_code == 204, (dto, response.text)
    fetched = client.get(url)
    info = dto.get("valueInfo")
    if isinstance(info, dict) and info.get("transient") is True:
        assert fetched.status_code == 404  # reached the scope, never stored
        return
    assert fetched.status_code == 200, fetched.text
    check_answer(dto, fetched.json())
    # the serialized form read back is accepted again and reads back the same
    serialized = client.get(url, params={"deserializeValue": "false"}).json()
    if serialized["type"] != "File":
        again = f"{url}-again"
        assert client.put(again, json=serialized).status_code == 204, serialized
        assert client.get(again).json() == fetched.json()


# lone surrogates are not text (a client cannot encode them as UTF-8), NUL is refused (REFUSALS)
no_nul_text = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30
)
plain_json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        no_nul_text,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(no_nul_text, inner, max_size=4)),
    max_leaves=10,
)
"""JSON a client may send untyped: 64-bit integers, no NUL characters (refused, see REFUSALS)"""

well_formed = st.one_of(
    st.builds(lambda v: {"type": "String", "value": v}, no_nul_text),
    st.builds(lambda v: {"type": "boolean", "value": v}, st.booleans()),
    st.builds(lambda v: {"type": "Short", "value": v}, st.integers(-(2**15), 2**15 - 1)),
    st.builds(lambda v: {"type": "integer", "value": v}, st.integers(-(2**31), 2**31 - 1)),
    st.builds(lambda v: {"type": "Long", "value": v}, st.integers(-(2**63), 2**63 - 1)),
    st.builds(lambda v: {"type": "double", "value": v}, st.floats(allow_nan=False, allow_infinity=False)),
    st.builds(
        lambda d: {
            "type": "Date",
            "value": d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000",
        },
        st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),  # noqa: DTZ001
    ),
    st.builds(lambda v: {"type": "Bytes", "value": base64.b64encode(v).decode()}, st.binary(max_size=64)),
    st.builds(lambda v: {"type": "json", "value": v}, no_nul_text),
    st.builds(lambda v: {"type": "Xml", "value": v}, no_nul_text),
    st.builds(lambda v: {"value": v}, plain_json_values),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dto=well_formed)
def test_well_formed_values_are_accepted_and_round_trip(
    instance: tuple[TestClient, str], dto: dict[str, Any]
) -> None:
    client, pid = _scope(instance)
    url = f"{BASE}/process-instance/{pid}/variables/w{next(_names)}"
    assert client.put(url, json=dto).status_code == 204, dto
    answered = client.get(url).json()
    check_answer(dto, answered)
    if dto.get("type") in ("Date", "Bytes", "String", "Xml", "json", "Long"):
        assert answered["value"] == dto["value"]  # canonical input comes back byte for byte
