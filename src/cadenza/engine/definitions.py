"""A deployed process: its definition row plus the parsed, validated model."""

from __future__ import annotations

from dataclasses import dataclass

from cadenza.bpmn.model import Process
from cadenza.engine.state import ProcessDefinition

__all__ = ["DeployedProcess"]


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    definition: ProcessDefinition
    process: Process
