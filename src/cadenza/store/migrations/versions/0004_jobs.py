"""jobs, job definitions and event subscriptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("handler_type", sa.String(length=64), nullable=False),
        sa.Column("handler_configuration", sa.String(length=4000), nullable=True),
        sa.Column("create_time", _TS, nullable=False),
        sa.Column("process_instance_id", sa.String(length=64), nullable=True),
        sa.Column("execution_id", sa.String(length=64), nullable=True),
        sa.Column("process_definition_id", sa.String(length=255), nullable=True),
        sa.Column("process_definition_key", sa.String(length=255), nullable=True),
        sa.Column("activity_id", sa.String(length=255), nullable=True),
        sa.Column("due_date", _TS, nullable=True),
        sa.Column("repeat", sa.String(length=255), nullable=True),
        sa.Column("lock_owner", sa.String(length=255), nullable=True),
        sa.Column("lock_expiration_time", _TS, nullable=True),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("exception_message", sa.String(length=4000), nullable=True),
        sa.Column("exception_stacktrace", sa.Text(), nullable=True),
        sa.Column("failed_activity_id", sa.String(length=255), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("job_definition_id", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index(op.f("ix_job_process_instance_id"), "job", ["process_instance_id"])
    op.create_index(op.f("ix_job_process_definition_id"), "job", ["process_definition_id"])
    op.create_index(op.f("ix_job_due_date"), "job", ["due_date"])
    op.create_table(
        "job_definition",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("process_definition_id", sa.String(length=255), nullable=False),
        sa.Column("process_definition_key", sa.String(length=255), nullable=False),
        sa.Column("activity_id", sa.String(length=255), nullable=False),
        sa.Column("job_type", sa.String(length=64), nullable=False),
        sa.Column("job_configuration", sa.String(length=255), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("overriding_job_priority", sa.BigInteger(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_definition")),
    )
    op.create_index(
        op.f("ix_job_definition_process_definition_id"), "job_definition", ["process_definition_id"]
    )
    op.create_table(
        "event_subscription",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("event_name", sa.String(length=255), nullable=False),
        sa.Column("activity_id", sa.String(length=255), nullable=False),
        sa.Column("created", _TS, nullable=False),
        sa.Column("execution_id", sa.String(length=64), nullable=True),
        sa.Column("process_instance_id", sa.String(length=64), nullable=True),
        sa.Column("process_definition_id", sa.String(length=255), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_subscription")),
    )
    op.create_index(op.f("ix_event_subscription_execution_id"), "event_subscription", ["execution_id"])
    op.create_index(
        op.f("ix_event_subscription_process_instance_id"), "event_subscription", ["process_instance_id"]
    )
    op.create_index(
        op.f("ix_event_subscription_process_definition_id"), "event_subscription", ["process_definition_id"]
    )
    op.create_index(
        "ix_event_subscription_event_type_event_name", "event_subscription", ["event_type", "event_name"]
    )


def downgrade() -> None:
    op.drop_table("event_subscription")
    op.drop_table("job_definition")
    op.drop_table("job")
