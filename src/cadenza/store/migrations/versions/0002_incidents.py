"""incidents: the incident table (failedExternalTask, failedJob and custom incidents)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:12:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("incident_type", sa.String(length=255), nullable=False),
        sa.Column("incident_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("process_instance_id", sa.String(length=64), nullable=False),
        sa.Column("execution_id", sa.String(length=64), nullable=False),
        sa.Column("process_definition_id", sa.String(length=255), nullable=False),
        sa.Column("activity_id", sa.String(length=255), nullable=True),
        sa.Column("failed_activity_id", sa.String(length=255), nullable=True),
        sa.Column("cause_incident_id", sa.String(length=64), nullable=True),
        sa.Column("root_cause_incident_id", sa.String(length=64), nullable=True),
        sa.Column("configuration", sa.String(length=255), nullable=True),
        sa.Column("incident_message", sa.String(length=4000), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("job_definition_id", sa.String(length=64), nullable=True),
        sa.Column("annotation", sa.String(length=4000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_configuration"), ["configuration"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_process_instance_id"), ["process_instance_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_process_instance_id"))
        batch_op.drop_index(batch_op.f("ix_incident_configuration"))
    op.drop_table("incident")
