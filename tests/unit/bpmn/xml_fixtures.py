"""Helpers building small inline BPMN documents for the parser tests."""

from __future__ import annotations

import pytest

from cadenza.bpmn import Definitions, Process, parse_bpmn
from cadenza.errors import ParseError, Problem

__all__ = ["definitions", "parse", "parse_process", "problem_messages", "problems", "wrap"]

NAMESPACES = (
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:activiti="http://activiti.org/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
)


def definitions(content: str) -> bytes:
    """``content`` inside a ``<definitions>`` element with the usual namespaces."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions {NAMESPACES} id="defs" targetNamespace="http://example.org">\n'
        f"{content}\n</definitions>\n"
    ).encode()


def wrap(body: str, *, process_attrs: str = "", top: str = "") -> bytes:
    """``body`` as the content of an executable process ``p``; ``top`` goes before it."""
    return definitions(f'{top}\n<process id="p" isExecutable="true" {process_attrs}>\n{body}\n</process>')


def parse(xml: bytes) -> Definitions:
    return parse_bpmn(xml, "test.bpmn")


def parse_process(body: str, **kwargs: str) -> Process:
    result = parse(wrap(body, **kwargs))
    assert len(result.processes) == 1
    return result.processes[0]


def problems(xml: bytes) -> list[Problem]:
    with pytest.raises(ParseError) as caught:
        parse_bpmn(xml, "test.bpmn")
    assert caught.value.problems, "a ParseError must list at least one problem"
    return caught.value.problems


def problem_messages(body: str, **kwargs: str) -> list[str]:
    return [problem.message for problem in problems(wrap(body, **kwargs))]
