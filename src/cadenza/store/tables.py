"""The database schema as SQLAlchemy Core tables (one MetaData, snake_case names).

Every mutable runtime table has a ``rev`` column for optimistic locking. Column names equal the
field names of the ``engine.state`` dataclasses, so mapping stays mechanical. The Alembic
migrations in ``store/migrations`` create exactly this schema; a test compares the two.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "authorization",
    "deployment",
    "event_subscription",
    "execution",
    "external_task",
    "group_membership",
    "historic_process_instance",
    "identity_group",
    "identity_link",
    "identity_tenant",
    "identity_user",
    "incident",
    "job",
    "job_definition",
    "metadata",
    "process_definition",
    "resource",
    "task",
    "tenant_membership",
    "variable",
]

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ID = sa.String(64)
_TS = sa.DateTime(timezone=True)

deployment = sa.Table(
    "deployment",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("name", sa.String(255)),
    sa.Column("source", sa.String(255)),
    sa.Column("tenant_id", sa.String(64)),
    sa.Column("deployment_time", _TS, nullable=False),
)

resource = sa.Table(
    "resource",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("deployment_id", _ID, nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

process_definition = sa.Table(
    "process_definition",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("deployment_id", _ID, nullable=False, index=True),
    sa.Column("resource_name", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255)),
    sa.Column("category", sa.String(255)),
    sa.Column("description", sa.Text),
    sa.Column("tenant_id", sa.String(64)),
    sa.Column("version_tag", sa.String(255)),
    sa.Column("history_time_to_live", sa.Integer),
    sa.Column("startable_in_tasklist", sa.Boolean, nullable=False),
    sa.Column("suspended", sa.Boolean, nullable=False),
    # one version number per key and tenant, even when two nodes deploy at once
    sa.Column("tenant_key", sa.String(64), nullable=False, server_default=""),
    sa.UniqueConstraint("key", "tenant_key", "version"),
)

execution = sa.Table(
    "execution",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("process_instance_id", _ID, nullable=False, index=True),
    sa.Column("process_definition_id", sa.String(255), nullable=False, index=True),
    sa.Column("parent_id", _ID),
    sa.Column("activity_id", sa.String(255)),
    sa.Column("activity_instance_id", sa.String(320)),
    sa.Column("is_scope", sa.Boolean, nullable=False),
    sa.Column("is_concurrent", sa.Boolean, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("business_key", sa.String(255), index=True),
    sa.Column("tenant_id", sa.String(64)),
    sa.Column("suspended", sa.Boolean, nullable=False),
    sa.Column("super_execution_id", _ID),
    sa.Column("start_time", _TS),
)

variable = sa.Table(
    "variable",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(32), nullable=False),
    sa.Column("execution_id", _ID, nullable=False, index=True),
    sa.Column("process_instance_id", _ID, nullable=False, index=True),
    sa.Column("process_definition_id", sa.String(255)),
    sa.Column("task_id", _ID, index=True),
    sa.Column("activity_instance_id", sa.String(320)),
    sa.Column("tenant_id", sa.String(64)),
    sa.Column("create_time", _TS),
    sa.Column("text_value", sa.Text),
    sa.Column("long_value", sa.BigInteger),
    sa.Column("double_value", sa.Float),
    sa.Column("bytes_value", sa.LargeBinary),
    sa.Column("value_info", sa.Text),
)

external_task = sa.Table(
    "external_task",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("topic_name", sa.String(255), nullable=False, index=True),
    sa.Column("execution_id", _ID, nullable=False),
    sa.Column("process_instance_id", _ID, nullable=False, index=True),
    sa.Column("process_definition_id", sa.String(255), nullable=False),
    sa.Column("process_definition_key", sa.String(255), nullable=False),
    sa.Column("activity_id", sa.String(255), nullable=False),
    sa.Column("activity_instance_id", sa.String(320), nullable=False),
    sa.Column("create_time", _TS, nullable=False),
    sa.Column("priority", sa.BigInteger, nullable=False),
    sa.Column("worker_id", sa.String(255)),
    sa.Column("lock_expiration_time", _TS),
    sa.Column("retries", sa.Integer),
    sa.Column("error_message", sa.String(4000)),
    sa.Column("error_details", sa.Text),
    sa.Column("suspended", sa.Boolean, nullable=False),
    sa.Column("tenant_id", sa.String(64)),
    sa.Column("business_key", sa.String(255)),
    sa.Column("process_definition_version_tag", sa.String(255)),
)

task = sa.Table(
    "task",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255)),
    sa.Column("task_definition_key", sa.String(255), nullable=False),
    sa.Column("execution_id", _ID, nullable=False),
    sa.Column("process_instance_id", _ID, nullable=False, index=True),
    sa.Column("process_definition_id", sa.String(255), nullable=False),
    sa.Column("created", _TS, nullable=False),
    sa.Column("activity_instance_id", sa.String(320)),
    sa.Column("description", sa.Text),
    sa.Column("assignee", sa.String(255), index=True),
    sa.Column("owner", sa.String(255)),
    sa.Column("delegation_state", sa.String(16)),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("due", _TS),
    sa.Column("follow_up", _TS),
    sa.Column("last_updated", _TS),
    sa.Column("form_key", sa.String(255)),
    sa.Column("suspended", sa.Boolean, nullable=False),
    sa.Column("tenant_id", sa.String(64)),
)

identity_link = sa.Table(
    "identity_link",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("task_id", _ID, nullable=False, index=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("user_id", sa.String(255)),
    sa.Column("group_id", sa.String(255)),
    sa.Column("process_instance_id", _ID, index=True),
)

historic_process_instance = sa.Table(
    "historic_process_instance",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("process_definition_id", sa.String(255), nullable=False, index=True),
    sa.Column("process_definition_key", sa.String(255), nullable=False),
    sa.Column("start_time", _TS, nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("business_key", sa.String(255)),
    sa.Column("end_time", _TS),
    sa.Column("start_activity_id", sa.String(255)),
    sa.Column("delete_reason", sa.String(4000)),
    sa.Column("super_process_instance_id", _ID),
    sa.Column("root_process_instance_id", _ID),
    sa.Column("tenant_id", sa.String(64)),
)

incident = sa.Table(
    "incident",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("incident_type", sa.String(255), nullable=False),
    sa.Column("incident_timestamp", _TS, nullable=False),
    sa.Column("process_instance_id", _ID, nullable=False, index=True),
    sa.Column("execution_id", _ID, nullable=False),
    sa.Column("process_definition_id", sa.String(255), nullable=False),
    sa.Column("activity_id", sa.String(255)),
    sa.Column("failed_activity_id", sa.String(255)),
    sa.Column("cause_incident_id", _ID),
    sa.Column("root_cause_incident_id", _ID),
    # the failing entity: the external task id for failedExternalTask incidents
    sa.Column("configuration", sa.String(255), index=True),
    sa.Column("incident_message", sa.String(4000)),
    sa.Column("tenant_id", sa.String(64)),
    sa.Column("job_definition_id", _ID),
    sa.Column("annotation", sa.String(4000)),
)


# ── jobs and event subscriptions (Camunda ACT_RU_JOB, ACT_RU_JOBDEF, ACT_RU_EVENT_SUBSCR) ───────
job = sa.Table(
    "job",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("handler_type", sa.String(64), nullable=False),
    sa.Column("handler_configuration", sa.String(4000)),
    sa.Column("create_time", _TS, nullable=False),
    sa.Column("process_instance_id", _ID, index=True),
    sa.Column("execution_id", _ID),
    sa.Column("process_definition_id", sa.String(255), index=True),
    sa.Column("process_definition_key", sa.String(255)),
    sa.Column("activity_id", sa.String(255)),
    sa.Column("due_date", _TS, index=True),
    sa.Column("repeat", sa.String(255)),
    sa.Column("lock_owner", sa.String(255)),
    sa.Column("lock_expiration_time", _TS),
    sa.Column("retries", sa.Integer, nullable=False),
    sa.Column("exception_message", sa.String(4000)),
    sa.Column("exception_stacktrace", sa.Text),
    sa.Column("failed_activity_id", sa.String(255)),
    sa.Column("suspended", sa.Boolean, nullable=False),
    sa.Column("priority", sa.BigInteger, nullable=False),
    sa.Column("exclusive", sa.Boolean, nullable=False),
    sa.Column("job_definition_id", _ID),
    sa.Column("tenant_id", sa.String(64)),
)

job_definition = sa.Table(
    "job_definition",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("process_definition_id", sa.String(255), nullable=False, index=True),
    sa.Column("process_definition_key", sa.String(255), nullable=False),
    sa.Column("activity_id", sa.String(255), nullable=False),
    sa.Column("job_type", sa.String(64), nullable=False),
    sa.Column("job_configuration", sa.String(255)),
    sa.Column("suspended", sa.Boolean, nullable=False),
    sa.Column("overriding_job_priority", sa.BigInteger),
    sa.Column("tenant_id", sa.String(64)),
)

event_subscription = sa.Table(
    "event_subscription",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("event_type", sa.String(32), nullable=False),
    sa.Column("event_name", sa.String(255), nullable=False),
    sa.Column("activity_id", sa.String(255), nullable=False),
    sa.Column("created", _TS, nullable=False),
    sa.Column("execution_id", _ID, index=True),
    sa.Column("process_instance_id", _ID, index=True),
    sa.Column("process_definition_id", sa.String(255), index=True),
    sa.Column("tenant_id", sa.String(64)),
    sa.Index("ix_event_subscription_event_type_event_name", "event_type", "event_name"),
)


# ── identity and authorization (Camunda ACT_ID_* and ACT_RU_AUTHORIZATION) ───────────────────
identity_user = sa.Table(
    "identity_user",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("first_name", sa.String(255)),
    sa.Column("last_name", sa.String(255)),
    sa.Column("email", sa.String(255)),
    # "scrypt$n$r$p$salt$hash" (base64); never shown by any endpoint
    sa.Column("password_hash", sa.String(255)),
    # login throttling: failures in a row and the time before which no login is accepted
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", _TS),
)

identity_group = sa.Table(
    "identity_group",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255)),
    sa.Column("type", sa.String(255)),
)

group_membership = sa.Table(
    "group_membership",
    metadata,
    sa.Column("user_id", sa.String(255), primary_key=True),
    sa.Column("group_id", sa.String(255), primary_key=True, index=True),
)

identity_tenant = sa.Table(
    "identity_tenant",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255)),
)

tenant_membership = sa.Table(
    "tenant_membership",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("tenant_id", sa.String(255), nullable=False, index=True),
    sa.Column("user_id", sa.String(255), index=True),
    sa.Column("group_id", sa.String(255), index=True),
)

authorization = sa.Table(
    "authorization",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("rev", sa.Integer, nullable=False),
    # 0 global, 1 grant, 2 revoke (Camunda AUTH_TYPE_*)
    sa.Column("type", sa.Integer, nullable=False),
    sa.Column("user_id", sa.String(255), index=True),
    sa.Column("group_id", sa.String(255), index=True),
    sa.Column("resource_type", sa.Integer, nullable=False),
    sa.Column("resource_id", sa.String(255), nullable=False),
    # bit set of the listed permissions (grant/global: granted, revoke: revoked)
    sa.Column("permissions", sa.BigInteger, nullable=False),
    sa.Column("removal_time", _TS),
    sa.Column("root_process_instance_id", _ID),
)
