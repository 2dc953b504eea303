"""``VariableInstanceDto`` of ``/variable-instance``."""

from __future__ import annotations

from typing import Any

from cadenza.services.variables import VariableView

from .common import CamelModel, typed_value_out

__all__ = ["VariableInstanceDto", "variable_instance_dto"]


class VariableInstanceDto(CamelModel):
    id: str
    name: str
    type: str
    value: Any = None
    value_info: dict[str, Any]
    process_definition_id: str | None = None
    process_instance_id: str | None = None
    execution_id: str | None = None
    case_instance_id: str | None = None
    case_execution_id: str | None = None
    task_id: str | None = None
    batch_id: str | None = None
    activity_instance_id: str | None = None
    tenant_id: str | None = None
    error_message: str | None = None


def variable_instance_dto(view: VariableView, *, deserialize: bool = True) -> dict[str, Any]:
    """The JSON body of one variable instance, every key present (``null`` when unset)."""
    typed = typed_value_out(view.value, deserialize=deserialize)
    return {
        "id": view.id,
        "name": view.name,
        "type": typed["type"],
        "value": typed["value"],
        "valueInfo": typed["valueInfo"],
        "processDefinitionId": view.process_definition_id,
        "processInstanceId": view.process_instance_id,
        "executionId": view.execution_id,
        "caseInstanceId": None,
        "caseExecutionId": None,
        "taskId": view.task_id,
        "batchId": None,
        "activityInstanceId": view.activity_instance_id,
        "tenantId": view.tenant_id,
        "errorMessage": None,
    }
