"""Shared DTO pieces: camelCase models, typed variable values, links, dates, counts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from cadenza.errors import EngineError
from cadenza.services import TypedValue, format_date, typed_value_from_dto, typed_value_to_dto

from ..errors import invalid_request

__all__ = [
    "MAX_DURATION_MS",
    "CamelModel",
    "CountDto",
    "DurationMs",
    "ExceptionDto",
    "JavaInt",
    "LinkDto",
    "PatchVariablesDto",
    "VariableValueDto",
    "date_out",
    "dump",
    "self_link",
    "typed_value_out",
    "typed_values_in",
    "typed_values_out",
]


JAVA_LONG_MIN: Final = -(2**63)
JAVA_LONG_MAX: Final = 2**63 - 1

JavaInt = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
"""a Java ``Integer`` (Camunda's type for retries, priorities of user tasks, maxTasks)"""

MAX_DURATION_MS: Final = 10**14
"""longest duration accepted (about 3,000 years): ``now`` plus it stays a valid date"""

DurationMs = Annotated[int, Field(le=MAX_DURATION_MS)]
"""milliseconds from now (lock durations, retry timeouts, long-poll timeouts)"""


class CamelModel(BaseModel):
    """camelCase on the wire; unknown properties ignored, Python names accepted too.

    Every integer must fit Camunda's Java ``long`` (larger numbers are a 400, not a value the
    database or the date arithmetic would choke on); narrower fields say so with ``JavaInt``.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
    )

    @field_validator("*", mode="after")
    @classmethod
    def _fits_java_long(cls, value: Any) -> Any:
        out_of_range = not JAVA_LONG_MIN <= value <= JAVA_LONG_MAX if isinstance(value, int) else False
        if out_of_range and not isinstance(value, bool):
            raise ValueError("Input should fit a 64-bit integer")
        return value


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict with Camunda names and every ``None`` kept as ``null``."""
    return model.model_dump(by_alias=True, mode="json")


class ExceptionDto(CamelModel):
    type: str
    message: str
    code: int | None = None


class CountDto(CamelModel):
    count: int


class LinkDto(CamelModel):
    method: str
    href: str
    rel: str


def self_link(href: str) -> LinkDto:
    return LinkDto(method="GET", href=href, rel="self")


class VariableValueDto(CamelModel):
    """``{"value", "type", "valueInfo"}``; ``type`` may be missing, null or lower-case."""

    value: Any = None
    type: str | None = None
    value_info: dict[str, Any] | None = None


class PatchVariablesDto(CamelModel):
    modifications: dict[str, VariableValueDto] | None = None
    deletions: list[str] | None = None


def date_out(value: datetime | None) -> str | None:
    """Camunda's ``yyyy-MM-dd'T'HH:mm:ss.SSS+0000``."""
    return None if value is None else format_date(value)


def typed_value_in(name: str, dto: VariableValueDto, prefix: str = "") -> TypedValue:
    """Convert one wire value; a conversion failure answers 400 with ``prefix`` prepended."""
    raw: dict[str, Any] = {"value": dto.value, "type": dto.type, "valueInfo": dto.value_info}
    try:
        return typed_value_from_dto(raw, name=name)
    except EngineError as exc:
        raise EngineError(
            prefix + exc.message,
            camunda_type=exc.camunda_type,
            status=exc.status if exc.status < 500 else 400,
            code=exc.code,
        ) from exc
    except (ValueError, TypeError) as exc:
        raise invalid_request(f"{prefix}Cannot convert variable '{name}': {exc}") from exc


def typed_values_in(
    variables: Mapping[str, VariableValueDto] | None, prefix: str = ""
) -> dict[str, TypedValue]:
    if not variables:
        return {}
    return {name: typed_value_in(name, dto, prefix) for name, dto in variables.items()}


def typed_value_out(value: TypedValue, *, deserialize: bool = True) -> dict[str, Any]:
    return dict(typed_value_to_dto(value, deserialize=deserialize))


def typed_values_out(
    values: Mapping[str, TypedValue], *, deserialize: bool = True
) -> dict[str, dict[str, Any]]:
    return {name: typed_value_out(v, deserialize=deserialize) for name, v in values.items()}
