"""Hostile and broken inputs: every one is a ParseError, nothing is read or fetched.

reliability.md §1.3 item 4 and Appendix A: refuse DOCTYPE, never resolve entities, never load
DTDs or touch the network, no XInclude, bounded size/depth/count, no resource text in messages.
"""

from __future__ import annotations

import codecs
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cadenza.bpmn import Definitions, hardened_xml, parse_bpmn
from cadenza.errors import ParseError, Problem

from .xml_fixtures import wrap

DOCTYPE = "DOCTYPE is not allowed in BPMN resources"
INTERNAL = "Internal error while parsing the resource (a Cadenza bug)"
VALID = wrap('<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" /><endEvent id="e" />')


def refuse(xml: bytes, **kwargs: int) -> list[Problem]:
    with pytest.raises(ParseError) as caught:
        parse_bpmn(xml, "evil.bpmn", **kwargs)
    found = caught.value.problems
    assert found
    assert all(problem.message != INTERNAL for problem in found)
    return found


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "canary.txt"
    path.write_text("CANARY-7f3a-SECRET")
    return path


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A local TCP port that must never receive a connection."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    try:
        yield url, server
    finally:
        server.close()


def assert_never_contacted(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


def assert_no_leak(found: list[Problem], secret: str = "CANARY") -> None:
    for problem in found:
        assert secret not in problem.message
    assert secret not in str(ParseError(found))


def test_xxe_external_file_entity(canary: Path) -> None:
    xml = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file://{canary}">]>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<process id="p"><documentation>&xxe;</documentation></process></definitions>'
    ).encode()
    found = refuse(xml)
    assert [p.message for p in found] == [DOCTYPE]
    assert_no_leak(found)


@pytest.mark.parametrize(
    "template",
    [
        # an external entity fetched over the network
        '<!DOCTYPE d [<!ENTITY x SYSTEM "{url}/x">]>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</definitions>',
        # an external DTD
        '<?xml version="1.0"?><!DOCTYPE definitions SYSTEM "{url}/bpmn.dtd">'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" />',
    ],
    ids=["network-entity", "external-dtd"],
)
def test_network_references_are_never_fetched(listener: tuple[str, socket.socket], template: str) -> None:
    url, server = listener
    xml = template.format(url=url).encode()
    assert [p.message for p in refuse(xml)] == [DOCTYPE]
    assert_never_contacted(server)


def test_billion_laughs() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    xml = f"<!DOCTYPE lolz [{entities}]><lolz>&lol9;</lolz>".encode()
    assert [p.message for p in refuse(xml)] == [DOCTYPE]


def test_quadratic_blowup() -> None:
    xml = (f'<!DOCTYPE d [<!ENTITY a "{"x" * 50_000}">]><definitions>{"&a;" * 10_000}</definitions>').encode()
    assert [p.message for p in refuse(xml)] == [DOCTYPE]


@pytest.mark.parametrize(
    "prolog",
    [
        "",
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        "\ufeff",
        "<!-- a comment -->\n  ",
        '<?xml version="1.0"?><?pi data?><!-- c1 --><!-- c2 -->',
        "<!doctype-lowercase-is-still-refused>",
    ],
)
def test_doctype_after_any_prolog(prolog: str) -> None:
    body = "" if "doctype-" in prolog else "<!DOCTYPE definitions>"
    xml = (prolog + body + '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>').encode()
    assert [p.message for p in refuse(xml)] == [DOCTYPE]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_doctype_in_other_encodings(encoding: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
        '<!DOCTYPE d [<!ENTITY e "x">]><definitions>&e;</definitions>'
    )
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    assert [p.message for p in refuse(data)] == [DOCTYPE]


def test_doctype_is_refused_by_lxml_check_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Second line of defence: even if the prolog scan were fooled, docinfo reveals the DOCTYPE.
    monkeypatch.setattr(hardened_xml, "_prolog_has_doctype", lambda data: False)
    xml = b'<!DOCTYPE definitions [<!ENTITY e "x">]><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;</definitions>'
    assert [p.message for p in refuse(xml)] == [DOCTYPE]


def test_xinclude_is_refused(canary: Path) -> None:
    xml = (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xi="http://www.w3.org/2001/XInclude"><process id="p"><documentation>'
        f'<xi:include href="file://{canary}" parse="text"/></documentation></process></definitions>'
    ).encode()
    found = refuse(xml)
    assert [p.message for p in found] == ["XInclude is not allowed in BPMN resources"]
    assert_no_leak(found)


def test_oversized_input_is_refused_before_parsing() -> None:
    found = refuse(VALID, max_bytes=100)
    assert [p.message for p in found] == ["Resource is larger than the limit of 100 bytes"]


def test_default_size_limit() -> None:
    big = b"<definitions>" + b" " * (10 * 1024 * 1024) + b"</definitions>"
    assert refuse(big)[0].message.startswith("Resource is larger than the limit")


def test_deep_nesting() -> None:
    depth = 5000
    xml = b"<a>" * depth + b"</a>" * depth
    found = refuse(xml)
    assert found[0].message in (
        "Resource nests elements deeper than 200",
        "Resource is not well-formed XML",
    )


def test_nesting_just_over_our_limit() -> None:
    xml = b"<a>" * 201 + b"</a>" * 201
    assert [p.message for p in refuse(xml)] == ["Resource nests elements deeper than 200"]


def test_too_many_elements() -> None:
    xml = b"<definitions>" + b"<a/>" * 200_001 + b"</definitions>"
    assert [p.message for p in refuse(xml)] == ["Resource has more than 200000 elements"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n ",
        b"\x00\x01\x02\xff\xfe garbage",
        bytes(range(256)),
        b"PK\x03\x04 a zip file",
        b'{"json": true}',
        b"<definitions",
        b'<?xml version="1.0" encoding="no-such-encoding"?><definitions/>',
        b'<?xml version="1.0" encoding="UTF-8"?><definitions>\xff\xfe</definitions>',
        b"<a><b></a>",
        b"<html><body>not bpmn</body></html>",
        b'<definitions xmlns="urn:other" />',
        b"<?xml version='1.0'?>",
        b"<!-- only a comment -->",
        b"<definitions>&undefined;</definitions>",
    ],
)
def test_garbage_and_non_bpmn(data: bytes) -> None:
    refuse(data)


def test_truncated_documents() -> None:
    for cut in range(0, len(VALID), 7):
        try:
            parse_bpmn(VALID[:cut])
        except ParseError as error:
            assert all(p.message != INTERNAL for p in error.problems)


def test_syntax_error_does_not_echo_content() -> None:
    xml = (
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><SECRETNAME></WRONG></definitions>'
    )
    found = refuse(xml)
    assert [p.message for p in found] == ["Resource is not well-formed XML"]
    assert found[0].line == 1
    assert_no_leak(found, "SECRETNAME")


def test_long_names_are_shortened_in_messages() -> None:
    name = "x" * 5000
    found = refuse(wrap(f'<startEvent id="s" /><{name} id="n" />'))
    assert all(len(p.message) < 300 for p in found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(data: bytes) -> None:
    try:
        result = parse_bpmn(data)
    except ParseError as error:
        assert all(p.message != INTERNAL for p in error.problems)
    else:
        assert isinstance(result, Definitions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(VALID) - 1), st.binary(min_size=1, max_size=8))
def test_fuzz_mutations_of_a_valid_model(position: int, junk: bytes) -> None:
    data = VALID[:position] + junk + VALID[position + len(junk) :]
    try:
        result = parse_bpmn(data)
    except ParseError as error:
        assert all(p.message != INTERNAL for p in error.problems)
    else:
        assert isinstance(result, Definitions)
