"""identity and authorization: users, groups, tenants, memberships, authorizations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_user",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=255), nullable=True),
        sa.Column("last_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_user")),
    )
    op.create_table(
        "identity_group",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("type", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_group")),
    )
    op.create_table(
        "group_membership",
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "group_id", name=op.f("pk_group_membership")),
    )
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_membership_group_id"), ["group_id"], unique=False)

    op.create_table(
        "identity_tenant",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_tenant")),
    )
    op.create_table(
        "tenant_membership",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_membership")),
    )
    with op.batch_alter_table("tenant_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_membership_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenant_membership_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tenant_membership_user_id"), ["user_id"], unique=False)

    op.create_table(
        "authorization",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("resource_type", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("permissions", sa.BigInteger(), nullable=False),
        sa.Column("removal_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("root_process_instance_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization")),
    )
    with op.batch_alter_table("authorization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorization_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_authorization_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("authorization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorization_user_id"))
        batch_op.drop_index(batch_op.f("ix_authorization_group_id"))
    op.drop_table("authorization")
    with op.batch_alter_table("tenant_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenant_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_tenant_membership_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_tenant_membership_group_id"))
    op.drop_table("tenant_membership")
    op.drop_table("identity_tenant")
    with op.batch_alter_table("group_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_membership_group_id"))
    op.drop_table("group_membership")
    op.drop_table("identity_group")
    op.drop_table("identity_user")
