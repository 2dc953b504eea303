"""Exception hierarchy of the engine (kernel layer: imported by every layer, imports nothing).

Every error carries the Camunda exception class name it stands for (``camunda_type``), so the
REST layer can render Camunda's error body ``{"type", "message", "code"}`` without guessing.
The HTTP status lives with the error too, because Camunda's status codes are per exception
class and per endpoint (see ``camunda7-semantics.md`` §1.2); an endpoint may override it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BadUserRequestError",
    "EngineError",
    "ExpressionError",
    "InvalidRequestError",
    "NotFoundError",
    "OptimisticLockError",
    "ParseError",
    "Problem",
    "ProcessEngineError",
    "UnsupportedError",
]


class _Unset:
    """Marker for "keep the class default" (``None`` is a meaningful ``code``)."""


_UNSET = _Unset()


class EngineError(Exception):
    """Base of every error Cadenza raises on purpose.

    Attributes:
        message: the text shown to the client in the ``message`` field.
        camunda_type: the simple class name Camunda would report in ``type``.
        status: the HTTP status the REST layer answers with.
        code: Camunda's numeric error code (``0`` for engine errors, ``None`` for pure REST errors).
    """

    camunda_type: str = "ProcessEngineException"
    status: int = 500
    code: int | None = 0

    def __init__(
        self,
        message: str,
        *,
        camunda_type: str | None = None,
        status: int | None = None,
        code: int | _Unset | None = _UNSET,
    ) -> None:
        super().__init__(message)
        self.message = message
        if camunda_type is not None:
            self.camunda_type = camunda_type
        if status is not None:
            self.status = status
        if not isinstance(code, _Unset):
            self.code = code


class ProcessEngineError(EngineError):
    """A real engine failure (Camunda ``ProcessEngineException``): HTTP 500, transaction rolled back."""


class ExpressionError(ProcessEngineError):
    """An expression could not be parsed or evaluated (unknown variable, wrong operand types)."""


class BadUserRequestError(EngineError):
    """The request is wrong for the current state (Camunda ``BadUserRequestException``): 400."""

    camunda_type = "BadUserRequestException"
    status = 400


class InvalidRequestError(EngineError):
    """The request itself is malformed (Camunda REST ``InvalidRequestException``): 400, code null."""

    camunda_type = "InvalidRequestException"
    status = 400
    code = None


class NotFoundError(EngineError):
    """An addressed entity does not exist: 404 (Camunda answers these as ``RestException``s or
    ``InvalidRequestException``s with status 404; the endpoint picks the type)."""

    camunda_type = "InvalidRequestException"
    status = 404
    code = None


class OptimisticLockError(ProcessEngineError):
    """A row changed under us since it was read (``rev`` mismatch); retried by the command runner."""

    camunda_type = "OptimisticLockingException"
    code = 1


class UnsupportedError(BadUserRequestError):
    """A feature Cadenza deliberately does not support (yet); said plainly instead of faked."""


@dataclass(frozen=True)
class Problem:
    """One problem found while parsing or validating a model (Camunda ``ProblemDto``)."""

    message: str
    element_ids: tuple[str, ...] = ()
    line: int = 0
    column: int = 0
    resource: str = ""

    @property
    def main_element_id(self) -> str | None:
        return self.element_ids[0] if self.element_ids else None


@dataclass
class _ParseDetails:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class ParseError(EngineError):
    """A deployed resource is not a model Cadenza can run (Camunda ``ParseException``): 400.

    ``problems`` lists every error found (not just the first), each with the element ids involved.
    """

    camunda_type = "ParseException"
    status = 400

    def __init__(self, problems: list[Problem], resource: str = "") -> None:
        self.problems = [
            p if p.resource or not resource else Problem(p.message, p.element_ids, p.line, p.column, resource)
            for p in problems
        ]
        summary = " | ".join(
            f"{p.message}"
            + (f" | {p.resource}" if p.resource else "")
            + (f" | line {p.line} | column {p.column}" if p.line else "")
            for p in self.problems
        )
        super().__init__(f"ENGINE-09005 Could not parse BPMN process. Errors: \n* {summary}")
