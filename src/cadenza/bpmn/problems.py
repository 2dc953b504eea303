"""How the parser words a problem: the callback that records one, and names quoted safely.

Part of the ``bpmn`` layer (imports nothing from cadenza). Every stage collects problems instead
of raising the first, so one deployment attempt lists them all; names and ids taken from the
resource are capped before they are quoted, so a message never echoes large content.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

__all__ = ["Report", "shorten", "unsupported_message"]

Report = Callable[[str, "etree._Element | None", tuple[str, ...]], None]
"""``report(message, element, element_ids)``: records one problem (the element gives the line)."""

_MAX_ECHO = 80


def shorten(value: str) -> str:
    """Cap a resource-provided name or id quoted in a message (never echo large content)."""
    return value if len(value) <= _MAX_ECHO else value[: _MAX_ECHO - 3] + "..."


def unsupported_message(local: str) -> str:
    """The standard problem text for an element Cadenza does not run (yet)."""
    return f"Element '{shorten(local)}' is not supported by Cadenza yet"
