"""User tasks: Camunda assignment attributes and BPMN human performer / potential owner."""

from __future__ import annotations

from cadenza.bpmn import UserTask

from .xml_fixtures import parse_process


def user_task(inner: str = "", attributes: str = "") -> UserTask:
    process = parse_process(
        f"""<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="t" />
        <userTask id="t" name="Approve" {attributes}>{inner}</userTask>"""
    )
    task = process.node("t")
    assert isinstance(task, UserTask)
    return task


def test_camunda_attributes() -> None:
    task = user_task(
        attributes='camunda:assignee="${initiator}" camunda:candidateUsers="kermit, gonzo" '
        'camunda:candidateGroups="management" camunda:dueDate="${dateTime().plusDays(2)}" '
        'camunda:followUpDate="2030-01-01T00:00:00" camunda:priority="70" '
        'camunda:formKey="embedded:app:forms/approve.html"'
    )
    assert task.assignee == "${initiator}"
    assert task.candidate_users == "kermit, gonzo"
    assert task.candidate_groups == "management"
    assert task.due_date == "${dateTime().plusDays(2)}"
    assert task.follow_up_date == "2030-01-01T00:00:00"
    assert task.priority == "70"
    assert task.form_key == "embedded:app:forms/approve.html"
    assert task.name == "Approve"


def test_defaults() -> None:
    task = user_task()
    assert task.assignee is None
    assert task.candidate_users is None
    assert task.candidate_groups is None
    assert task.form_key is None


def test_human_performer_sets_assignee() -> None:
    task = user_task(
        """<humanPerformer><resourceAssignmentExpression>
        <formalExpression>kermit</formalExpression></resourceAssignmentExpression></humanPerformer>"""
    )
    assert task.assignee == "kermit"


def test_camunda_assignee_wins_over_human_performer() -> None:
    task = user_task(
        """<humanPerformer><resourceAssignmentExpression>
        <formalExpression>kermit</formalExpression></resourceAssignmentExpression></humanPerformer>""",
        'camunda:assignee="fozzie"',
    )
    assert task.assignee == "fozzie"


def test_potential_owner_users_and_groups() -> None:
    task = user_task(
        """<potentialOwner><resourceAssignmentExpression><formalExpression>
        user(kermit), group(management), accountancy, user(${boss}), ${groups(a, b)}
        </formalExpression></resourceAssignmentExpression></potentialOwner>""",
        'camunda:candidateGroups="sales"',
    )
    assert task.candidate_users == "kermit,${boss}"
    assert task.candidate_groups == "management,accountancy,${groups(a, b)},sales"


def test_potential_owner_without_expression_is_ignored() -> None:
    # MIWG models reference a resource instead; Camunda assigns nobody and deploys.
    task = user_task("<potentialOwner><resourceRef>r1</resourceRef></potentialOwner>")
    assert task.candidate_groups is None


def test_form_data_and_retry_cycle_are_ignored() -> None:
    task = user_task(
        """<extensionElements><camunda:formData><camunda:formField id="x" type="string" />
        </camunda:formData><camunda:failedJobRetryTimeCycle>R3/PT5M</camunda:failedJobRetryTimeCycle>
        </extensionElements>""",
        'camunda:formKey="k"',
    )
    assert task.form_key == "k"
