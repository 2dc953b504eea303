"""Identity rows: users, groups, tenants, group and tenant memberships, authorizations.

Plain functions over a connection (the services decide the transaction). Queries take small
criteria dataclasses; ``restriction`` is an extra SQL condition the services add to show a user
only the rows they may read. Password hashes and login-throttling columns never leave this
module except through ``UserCredentials``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from cadenza.store import tables
from cadenza.store.queries import Page, Sorting, apply_page, apply_sorting, count_of

__all__ = [
    "AuthorizationQuery",
    "AuthorizationRow",
    "Group",
    "GroupQuery",
    "Tenant",
    "TenantQuery",
    "User",
    "UserCredentials",
    "UserQuery",
]

_u = tables.identity_user
_g = tables.identity_group
_gm = tables.group_membership
_t = tables.identity_tenant
_tm = tables.tenant_membership
_a = tables.authorization


# ── records ──────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class User:
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class UserCredentials:
    user_id: str
    password_hash: str | None
    failed_attempts: int
    locked_until: datetime | None


@dataclass(frozen=True)
class Group:
    id: str
    name: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str | None = None


@dataclass(frozen=True)
class AuthorizationRow:
    id: str
    type: int
    user_id: str | None
    group_id: str | None
    resource_type: int
    resource_id: str
    permissions: int
    rev: int = 1
    removal_time: datetime | None = None
    root_process_instance_id: str | None = None


# ── queries ──────────────────────────────────────────────────────────────────────────────────
@dataclass
class UserQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "userId": "id",
        "firstName": "first_name",
        "lastName": "last_name",
        "email": "email",
    }
    id: str | None = None
    id_in: list[str] | None = None
    first_name: str | None = None
    first_name_like: str | None = None
    last_name: str | None = None
    last_name_like: str | None = None
    email: str | None = None
    email_like: str | None = None
    member_of_group: str | None = None
    member_of_tenant: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    restriction: sa.ColumnElement[bool] | None = None


@dataclass
class GroupQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {"id": "id", "name": "name", "type": "type"}
    id: str | None = None
    id_in: list[str] | None = None
    name: str | None = None
    name_like: str | None = None
    type: str | None = None
    member: str | None = None
    member_of_tenant: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    restriction: sa.ColumnElement[bool] | None = None


@dataclass
class TenantQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {"id": "id", "name": "name"}
    id: str | None = None
    id_in: list[str] | None = None
    name: str | None = None
    name_like: str | None = None
    user_member: str | None = None
    group_member: str | None = None
    including_groups_of_user: bool = False
    sorting: list[Sorting] = field(default_factory=list)
    restriction: sa.ColumnElement[bool] | None = None


@dataclass
class AuthorizationQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {"resourceType": "resource_type", "resourceId": "resource_id"}
    id: str | None = None
    type: int | None = None
    user_id_in: list[str] | None = None
    group_id_in: list[str] | None = None
    resource_type: int | None = None
    resource_id: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    restriction: sa.ColumnElement[bool] | None = None


# ── users ────────────────────────────────────────────────────────────────────────────────────
def _user(row: Any) -> User:
    return User(row["id"], row["first_name"], row["last_name"], row["email"])


def insert_user(connection: sa.Connection, user: User, password_hash: str | None) -> None:
    connection.execute(
        _u.insert().values(
            id=user.id,
            rev=1,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            password_hash=password_hash,
            failed_attempts=0,
        )
    )


def find_user(connection: sa.Connection, user_id: str) -> User | None:
    row = connection.execute(sa.select(_u).where(_u.c.id == user_id)).mappings().first()
    return None if row is None else _user(row)


def find_credentials(connection: sa.Connection, user_id: str) -> UserCredentials | None:
    row = (
        connection.execute(
            sa.select(_u.c.id, _u.c.password_hash, _u.c.failed_attempts, _u.c.locked_until).where(
                _u.c.id == user_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    locked_until = row["locked_until"]
    if locked_until is not None:
        # SQLite gives the stored UTC time back without a zone
        locked_until = locked_until.replace(tzinfo=UTC) if locked_until.tzinfo is None else locked_until
    return UserCredentials(row["id"], row["password_hash"], row["failed_attempts"], locked_until)


def update_user(connection: sa.Connection, user: User) -> bool:
    result = connection.execute(
        _u.update()
        .where(_u.c.id == user.id)
        .values(first_name=user.first_name, last_name=user.last_name, email=user.email, rev=_u.c.rev + 1)
    )
    return result.rowcount == 1


def set_password(connection: sa.Connection, user_id: str, password_hash: str) -> None:
    connection.execute(
        _u.update()
        .where(_u.c.id == user_id)
        .values(password_hash=password_hash, failed_attempts=0, locked_until=None, rev=_u.c.rev + 1)
    )


def record_login(
    connection: sa.Connection, user_id: str, failed_attempts: int, locked_until: datetime | None
) -> None:
    connection.execute(
        _u.update()
        .where(_u.c.id == user_id)
        .values(failed_attempts=failed_attempts, locked_until=locked_until)
    )


def delete_user(connection: sa.Connection, user_id: str) -> bool:
    """Delete the user and its memberships (Camunda keeps its authorizations, and so do we)."""
    connection.execute(_gm.delete().where(_gm.c.user_id == user_id))
    connection.execute(_tm.delete().where(_tm.c.user_id == user_id))
    return connection.execute(_u.delete().where(_u.c.id == user_id)).rowcount == 1


def count_all_users(connection: sa.Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(_u)).scalar_one())


def _user_select(query: UserQuery) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.id is not None:
        c.append(_u.c.id == query.id)
    if query.id_in is not None:
        c.append(_u.c.id.in_(query.id_in))
    for column, exact, pattern in (
        (_u.c.first_name, query.first_name, query.first_name_like),
        (_u.c.last_name, query.last_name, query.last_name_like),
        (_u.c.email, query.email, query.email_like),
    ):
        if exact is not None:
            c.append(column == exact)
        if pattern is not None:
            c.append(column.like(pattern))
    if query.member_of_group is not None:
        c.append(_u.c.id.in_(sa.select(_gm.c.user_id).where(_gm.c.group_id == query.member_of_group)))
    if query.member_of_tenant is not None:
        c.append(_u.c.id.in_(sa.select(_tm.c.user_id).where(_tm.c.tenant_id == query.member_of_tenant)))
    if query.restriction is not None:
        c.append(query.restriction)
    return sa.select(_u.c.id, _u.c.first_name, _u.c.last_name, _u.c.email).where(*c)


def query_users(connection: sa.Connection, query: UserQuery, page: Page) -> list[User]:
    statement = apply_sorting(_user_select(query), _u, UserQuery.SORT_FIELDS, query.sorting)
    return [_user(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_users(connection: sa.Connection, query: UserQuery) -> int:
    return count_of(connection, _user_select(query))


# ── groups and group memberships ─────────────────────────────────────────────────────────────
def insert_group(connection: sa.Connection, group: Group) -> None:
    connection.execute(_g.insert().values(id=group.id, rev=1, name=group.name, type=group.type))


def find_group(connection: sa.Connection, group_id: str) -> Group | None:
    row = connection.execute(sa.select(_g).where(_g.c.id == group_id)).mappings().first()
    return None if row is None else Group(row["id"], row["name"], row["type"])


def update_group(connection: sa.Connection, group: Group) -> bool:
    result = connection.execute(
        _g.update().where(_g.c.id == group.id).values(name=group.name, type=group.type, rev=_g.c.rev + 1)
    )
    return result.rowcount == 1


def delete_group(connection: sa.Connection, group_id: str) -> bool:
    connection.execute(_gm.delete().where(_gm.c.group_id == group_id))
    connection.execute(_tm.delete().where(_tm.c.group_id == group_id))
    return connection.execute(_g.delete().where(_g.c.id == group_id)).rowcount == 1


def _group_select(query: GroupQuery) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.id is not None:
        c.append(_g.c.id == query.id)
    if query.id_in is not None:
        c.append(_g.c.id.in_(query.id_in))
    if query.name is not None:
        c.append(_g.c.name == query.name)
    if query.name_like is not None:
        c.append(_g.c.name.like(query.name_like))
    if query.type is not None:
        c.append(_g.c.type == query.type)
    if query.member is not None:
        c.append(_g.c.id.in_(sa.select(_gm.c.group_id).where(_gm.c.user_id == query.member)))
    if query.member_of_tenant is not None:
        c.append(_g.c.id.in_(sa.select(_tm.c.group_id).where(_tm.c.tenant_id == query.member_of_tenant)))
    if query.restriction is not None:
        c.append(query.restriction)
    return sa.select(_g).where(*c)


def query_groups(connection: sa.Connection, query: GroupQuery, page: Page) -> list[Group]:
    statement = apply_sorting(_group_select(query), _g, GroupQuery.SORT_FIELDS, query.sorting)
    rows = connection.execute(apply_page(statement, page)).mappings()
    return [Group(row["id"], row["name"], row["type"]) for row in rows]


def count_groups(connection: sa.Connection, query: GroupQuery) -> int:
    return count_of(connection, _group_select(query))


def is_member(connection: sa.Connection, user_id: str, group_id: str) -> bool:
    statement = sa.select(_gm.c.user_id).where(_gm.c.user_id == user_id, _gm.c.group_id == group_id)
    return connection.execute(statement).first() is not None


def add_member(connection: sa.Connection, user_id: str, group_id: str) -> None:
    connection.execute(_gm.insert().values(user_id=user_id, group_id=group_id))


def remove_member(connection: sa.Connection, user_id: str, group_id: str) -> None:
    connection.execute(_gm.delete().where(_gm.c.user_id == user_id, _gm.c.group_id == group_id))


def group_ids_of(connection: sa.Connection, user_id: str) -> list[str]:
    statement = sa.select(_gm.c.group_id).where(_gm.c.user_id == user_id).order_by(_gm.c.group_id)
    return list(connection.execute(statement).scalars())


# ── tenants and tenant memberships ───────────────────────────────────────────────────────────
def insert_tenant(connection: sa.Connection, tenant: Tenant) -> None:
    connection.execute(_t.insert().values(id=tenant.id, rev=1, name=tenant.name))


def find_tenant(connection: sa.Connection, tenant_id: str) -> Tenant | None:
    row = connection.execute(sa.select(_t).where(_t.c.id == tenant_id)).mappings().first()
    return None if row is None else Tenant(row["id"], row["name"])


def update_tenant(connection: sa.Connection, tenant: Tenant) -> bool:
    result = connection.execute(
        _t.update().where(_t.c.id == tenant.id).values(name=tenant.name, rev=_t.c.rev + 1)
    )
    return result.rowcount == 1


def delete_tenant(connection: sa.Connection, tenant_id: str) -> bool:
    connection.execute(_tm.delete().where(_tm.c.tenant_id == tenant_id))
    return connection.execute(_t.delete().where(_t.c.id == tenant_id)).rowcount == 1


def _tenant_select(query: TenantQuery) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.id is not None:
        c.append(_t.c.id == query.id)
    if query.id_in is not None:
        c.append(_t.c.id.in_(query.id_in))
    if query.name is not None:
        c.append(_t.c.name == query.name)
    if query.name_like is not None:
        c.append(_t.c.name.like(query.name_like))
    if query.user_member is not None:
        member = _tm.c.user_id == query.user_member
        if query.including_groups_of_user:
            groups = sa.select(_gm.c.group_id).where(_gm.c.user_id == query.user_member)
            member = sa.or_(member, _tm.c.group_id.in_(groups))
        c.append(_t.c.id.in_(sa.select(_tm.c.tenant_id).where(member)))
    if query.group_member is not None:
        c.append(_t.c.id.in_(sa.select(_tm.c.tenant_id).where(_tm.c.group_id == query.group_member)))
    if query.restriction is not None:
        c.append(query.restriction)
    return sa.select(_t).where(*c)


def query_tenants(connection: sa.Connection, query: TenantQuery, page: Page) -> list[Tenant]:
    statement = apply_sorting(_tenant_select(query), _t, TenantQuery.SORT_FIELDS, query.sorting)
    return [
        Tenant(row["id"], row["name"]) for row in connection.execute(apply_page(statement, page)).mappings()
    ]


def count_tenants(connection: sa.Connection, query: TenantQuery) -> int:
    return count_of(connection, _tenant_select(query))


def _tenant_member(tenant_id: str, user_id: str | None, group_id: str | None) -> sa.ColumnElement[bool]:
    who = _tm.c.user_id == user_id if user_id is not None else _tm.c.group_id == group_id
    return sa.and_(_tm.c.tenant_id == tenant_id, who)


def has_tenant_member(
    connection: sa.Connection, tenant_id: str, *, user_id: str | None = None, group_id: str | None = None
) -> bool:
    statement = sa.select(_tm.c.id).where(_tenant_member(tenant_id, user_id, group_id))
    return connection.execute(statement).first() is not None


def add_tenant_member(
    connection: sa.Connection,
    membership_id: str,
    tenant_id: str,
    *,
    user_id: str | None = None,
    group_id: str | None = None,
) -> None:
    connection.execute(
        _tm.insert().values(id=membership_id, tenant_id=tenant_id, user_id=user_id, group_id=group_id)
    )


def remove_tenant_member(
    connection: sa.Connection, tenant_id: str, *, user_id: str | None = None, group_id: str | None = None
) -> None:
    connection.execute(_tm.delete().where(_tenant_member(tenant_id, user_id, group_id)))


def tenant_ids_of(connection: sa.Connection, user_id: str, group_ids: Sequence[str]) -> list[str]:
    """The tenants of a user: its own memberships and those of its groups."""
    member = _tm.c.user_id == user_id
    if group_ids:
        member = sa.or_(member, _tm.c.group_id.in_(list(group_ids)))
    statement = sa.select(_tm.c.tenant_id).where(member).distinct().order_by(_tm.c.tenant_id)
    return list(connection.execute(statement).scalars())


# ── authorizations ───────────────────────────────────────────────────────────────────────────
def _authorization(row: Any) -> AuthorizationRow:
    return AuthorizationRow(
        id=row["id"],
        type=row["type"],
        user_id=row["user_id"],
        group_id=row["group_id"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        permissions=row["permissions"],
        rev=row["rev"],
        removal_time=row["removal_time"],
        root_process_instance_id=row["root_process_instance_id"],
    )


def insert_authorization(connection: sa.Connection, row: AuthorizationRow) -> None:
    connection.execute(
        _a.insert().values(
            id=row.id,
            rev=1,
            type=row.type,
            user_id=row.user_id,
            group_id=row.group_id,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            permissions=row.permissions,
        )
    )


def find_authorization(connection: sa.Connection, authorization_id: str) -> AuthorizationRow | None:
    row = connection.execute(sa.select(_a).where(_a.c.id == authorization_id)).mappings().first()
    return None if row is None else _authorization(row)


def update_authorization(connection: sa.Connection, row: AuthorizationRow) -> bool:
    """Write ``row`` if nobody changed it since it was read (``rev`` check)."""
    result = connection.execute(
        _a.update()
        .where(_a.c.id == row.id, _a.c.rev == row.rev)
        .values(
            user_id=row.user_id,
            group_id=row.group_id,
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            permissions=row.permissions,
            rev=row.rev + 1,
        )
    )
    return result.rowcount == 1


def delete_authorization(connection: sa.Connection, authorization_id: str) -> bool:
    return connection.execute(_a.delete().where(_a.c.id == authorization_id)).rowcount == 1


def find_grant(
    connection: sa.Connection,
    resource_type: int,
    resource_id: str,
    *,
    user_id: str | None,
    group_id: str | None,
) -> AuthorizationRow | None:
    """The grant of exactly this user or group on exactly this resource, if any."""
    c = [_a.c.type == 1, _a.c.resource_type == resource_type, _a.c.resource_id == resource_id]
    c.append(_a.c.user_id == user_id if user_id is not None else _a.c.user_id.is_(None))
    c.append(_a.c.group_id == group_id if group_id is not None else _a.c.group_id.is_(None))
    row = connection.execute(sa.select(_a).where(*c).order_by(_a.c.id).limit(1)).mappings().first()
    return None if row is None else _authorization(row)


def delete_resource_authorizations(
    connection: sa.Connection, resource_type: int, resource_ids: Sequence[str]
) -> None:
    """Every authorization naming one of these resources (the resources are gone)."""
    if resource_ids:
        connection.execute(
            _a.delete().where(_a.c.resource_type == resource_type, _a.c.resource_id.in_(list(resource_ids)))
        )


def has_authorization(
    connection: sa.Connection,
    type_: int,
    resource_type: int,
    resource_id: str,
    *,
    user_id: str | None,
    group_id: str | None,
) -> bool:
    """An authorization for the same identity, type and resource exists already."""
    c = [_a.c.type == type_, _a.c.resource_type == resource_type, _a.c.resource_id == resource_id]
    c.append(_a.c.user_id == user_id if user_id is not None else _a.c.user_id.is_(None))
    c.append(_a.c.group_id == group_id if group_id is not None else _a.c.group_id.is_(None))
    return connection.execute(sa.select(_a.c.id).where(*c)).first() is not None


def _authorization_select(query: AuthorizationQuery) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.id is not None:
        c.append(_a.c.id == query.id)
    if query.type is not None:
        c.append(_a.c.type == query.type)
    if query.user_id_in is not None:
        c.append(_a.c.user_id.in_(query.user_id_in))
    if query.group_id_in is not None:
        c.append(_a.c.group_id.in_(query.group_id_in))
    if query.resource_type is not None:
        c.append(_a.c.resource_type == query.resource_type)
    if query.resource_id is not None:
        c.append(_a.c.resource_id == query.resource_id)
    if query.restriction is not None:
        c.append(query.restriction)
    return sa.select(_a).where(*c)


def query_authorizations(
    connection: sa.Connection, query: AuthorizationQuery, page: Page
) -> list[AuthorizationRow]:
    statement = apply_sorting(_authorization_select(query), _a, AuthorizationQuery.SORT_FIELDS, query.sorting)
    return [_authorization(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_authorizations(connection: sa.Connection, query: AuthorizationQuery) -> int:
    return count_of(connection, _authorization_select(query))


def rules_for(
    connection: sa.Connection, resource_types: Iterable[int], user_id: str, group_ids: Sequence[str]
) -> list[AuthorizationRow]:
    """Every authorization that can matter to ``user_id`` (and its groups) on these types:
    its own, its groups', and the global ones."""
    who = [_a.c.user_id == user_id, _a.c.type == 0]
    if group_ids:
        who.append(_a.c.group_id.in_(list(group_ids)))
    statement = sa.select(_a).where(_a.c.resource_type.in_(list(resource_types)), sa.or_(*who))
    return [_authorization(row) for row in connection.execute(statement).mappings()]
