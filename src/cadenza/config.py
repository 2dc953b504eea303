"""Engine settings (kernel layer): one dataclass read by bootstrap, passed to every layer."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_DATABASE_URL", "EngineConfig"]

DEFAULT_DATABASE_URL = "sqlite:///cadenza.db"


@dataclass(frozen=True)
class EngineConfig:
    """Settings of one engine node.

    Attributes:
        database_url: SQLAlchemy URL; ``sqlite:///file.db`` (default) or ``postgresql+psycopg://...``.
        sqlite_synchronous: SQLite ``synchronous`` pragma: ``FULL`` makes every acknowledged
            commit survive power loss; ``NORMAL`` (WAL) survives process crashes only.
        max_bpmn_bytes: largest BPMN resource accepted by a deployment.
        max_optimistic_lock_retries: how often one service call is re-run after a ``rev`` conflict.
        enable_exceptions_after_unhandled_bpmn_error: Camunda's switch: an uncaught BPMN error
            fails the call (500) instead of ending the throwing activity silently.
        definition_cache_size: parsed process definitions kept in memory.
        max_variable_value_bytes: largest variable value (text as UTF-8, binary content);
            a larger one is refused with 400.
        max_variable_bytes_per_command: most variable bytes one call (one REST request) may
            write in all; more is refused with 400.
        authentication_enabled: HTTP Basic authentication on the REST API; also switches on
            authorization checks for calls made on behalf of a user (Camunda's
            ``authorizationEnabled``). Off by default, for local use.
        login_delay_attempts: failed logins of one user tolerated before each further attempt
            has to wait (login throttling).
        login_delay_base_seconds: the first wait; it doubles with every further failure.
        login_delay_max_seconds: the longest wait.
        authentication_cache_seconds: how long a verified ``user:password`` pair is trusted
            without hashing again (password checks are deliberately slow).
        default_user_permission_for_task: what an assignee, owner or candidate of a task is
            granted on it besides READ (Camunda's ``defaultUserPermissionForTask``):
            ``UPDATE`` (default) or ``TASK_WORK``.
    """

    database_url: str = DEFAULT_DATABASE_URL
    sqlite_synchronous: str = "FULL"
    max_bpmn_bytes: int = 10 * 1024 * 1024
    max_optimistic_lock_retries: int = 5
    enable_exceptions_after_unhandled_bpmn_error: bool = False
    definition_cache_size: int = 500
    max_variable_value_bytes: int = 10 * 1024 * 1024
    max_variable_bytes_per_command: int = 40 * 1024 * 1024
    authentication_enabled: bool = False
    login_delay_attempts: int = 3
    login_delay_base_seconds: float = 1.0
    login_delay_max_seconds: float = 60.0
    authentication_cache_seconds: float = 60.0
    default_user_permission_for_task: str = "UPDATE"
