"""Identity service (Camunda ``IdentityService``): users, groups, tenants, memberships and
password checks.

Passwords are hashed with scrypt (``hashlib.scrypt``, a random 16-byte salt per password, the
cost parameters stored with the hash) and compared in constant time. ``check_password`` is
also the login: it throttles repeated failures per user (after ``login_delay_attempts``
failures in a row every further attempt must wait, 1 s doubling up to 60 s by default, on the
engine clock), answers an unknown user, a wrong password and a throttled login alike, and
keeps recently verified passwords for a short while so that HTTP Basic does not pay the
deliberate hashing cost on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.errors import BadUserRequestError, InvalidRequestError, NotFoundError
from cadenza.services.authorization import ResourceType, check, grant_default, restrict
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, identity as store
from cadenza.store.identity import Group, GroupQuery, Tenant, TenantQuery, User, UserQuery
from cadenza.store.queries import Page

__all__ = [
    "Group",
    "GroupInfo",
    "GroupQuery",
    "IdentityService",
    "Tenant",
    "TenantQuery",
    "User",
    "UserQuery",
    "hash_password",
    "verify_password",
]

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,254}")
"""ids of users, groups and tenants (Camunda's whitelist idea, a little wider: e-mail-like ids)"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = _SCRYPT_N, r: int = _SCRYPT_R, p: int = _SCRYPT_P) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh random salt."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=2**26)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``hash_password`` result (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(expected)),
            maxmem=2**26,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


_DUMMY_HASH = hash_password("cadenza-timing-equaliser")
"""checked for unknown users so they take as long as known ones"""


@dataclass(frozen=True)
class GroupInfo:
    """``GET /identity/groups``: the user's groups and the other members of those groups."""

    groups: list[Group]
    group_users: list[User]


def _check_id(kind: str, value: str | None) -> str:
    if value is None or not _ID_PATTERN.fullmatch(value):
        raise BadUserRequestError(f"{kind} has an invalid id: '{value}' is not a valid resource identifier.")
    return value


def _missing(kind: str, value: str) -> NotFoundError:
    return NotFoundError(f"{kind} with id {value} does not exist", camunda_type="InvalidRequestException")


class IdentityService:
    def __init__(self, runner: CommandRunner, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._runner = runner
        self._store: Store = runner.store
        self._monotonic = monotonic
        self._cache_key = os.urandom(32)
        self._verified: dict[tuple[str, str], tuple[bytes, float]] = {}
        self._cache_lock = threading.Lock()

    def for_runner(self, runner: CommandRunner) -> IdentityService:
        """The same service (and password cache) acting through another runner."""
        bound = IdentityService.__new__(IdentityService)
        bound.__dict__.update(self.__dict__)
        bound._runner = runner
        return bound

    # ── users ───────────────────────────────────────────────────────────────────────────────
    def create_user(self, user: User, password: str | None, *, user_id: str | None = None) -> None:
        """Create a user; it is granted ALL on its own user resource (Camunda's default)."""
        _check_id("User", user.id)
        hashed = hash_password(password) if password is not None else None

        def command(ctx: ServiceContext) -> None:
            check(ctx, ("CREATE", ResourceType.USER, None))
            connection = ctx.sql.connection
            if store.find_user(connection, user.id) is not None:
                raise InvalidRequestError(f"The user with id {user.id} already exists")
            store.insert_user(connection, user, hashed)
            grant_default(connection, ctx.new_id(), ResourceType.USER, user.id, owner_user_id=user.id)

        self._runner.run(command, user_id=user_id)

    def get_user(self, id_: str, *, user_id: str | None = None) -> User:
        found = self.query_users(UserQuery(id=id_), Page(0, 1), user_id=user_id)
        if not found:
            raise _missing("User", id_)
        return found[0]

    def query_users(
        self, query: UserQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[User]:
        with self._store.read() as connection:
            query = restrict(connection, self._runner, user_id, query, "user")
            return store.query_users(connection, query, page or Page())

    def count_users(self, query: UserQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            return store.count_users(connection, restrict(connection, self._runner, user_id, query, "user"))

    def has_users(self) -> bool:
        with self._store.read() as connection:
            return store.count_all_users(connection) > 0

    def update_user(self, user: User, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("UPDATE", ResourceType.USER, user.id))
            if not store.update_user(ctx.sql.connection, user):
                raise _missing("User", user.id)

        self._runner.run(command, user_id=user_id)

    def set_password(
        self,
        id_: str,
        password: str,
        *,
        authenticated_user_password: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """``PUT /user/{id}/credentials``: when a user is authenticated, its own current
        password must be given too (Camunda's rule against hijacked sessions)."""
        acting = self._runner.acting_user(user_id)
        if (
            self._runner.config.authentication_enabled
            and acting is not None
            and not self.check_password(acting, authenticated_user_password or "")
        ):
            raise InvalidRequestError("The given authenticated user password is not valid.")
        hashed = hash_password(password)

        def command(ctx: ServiceContext) -> None:
            check(ctx, ("UPDATE", ResourceType.USER, id_))
            if store.find_user(ctx.sql.connection, id_) is None:
                raise _missing("User", id_)
            store.set_password(ctx.sql.connection, id_, hashed)

        self._runner.run(command, user_id=user_id)
        self._forget(id_)

    def delete_user(self, id_: str, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("DELETE", ResourceType.USER, id_))
            if not store.delete_user(ctx.sql.connection, id_):
                raise _missing("User", id_)

        self._runner.run(command, user_id=user_id)
        self._forget(id_)

    # ── passwords and login throttling ──────────────────────────────────────────────────────
    def _fingerprint(self, password: str) -> bytes:
        return hmac.new(self._cache_key, password.encode("utf-8"), hashlib.sha256).digest()

    def _forget(self, id_: str) -> None:
        with self._cache_lock:
            for key in [k for k in self._verified if k[0] == id_]:
                del self._verified[key]

    def _cached(self, id_: str, stored: str, password: str) -> bool:
        with self._cache_lock:
            entry = self._verified.get((id_, stored))
        if entry is None or entry[1] < self._monotonic():
            return False
        return hmac.compare_digest(entry[0], self._fingerprint(password))

    def _remember(self, id_: str, stored: str, password: str) -> None:
        ttl = self._runner.config.authentication_cache_seconds
        if ttl <= 0:
            return
        with self._cache_lock:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[(id_, stored)] = (self._fingerprint(password), self._monotonic() + ttl)

    def login_delay(self, failed_attempts: int) -> timedelta | None:
        """How long logins wait after ``failed_attempts`` failures in a row (None: no wait)."""
        config = self._runner.config
        over = failed_attempts - config.login_delay_attempts
        if over < 0:
            return None
        seconds = min(config.login_delay_base_seconds * 2.0 ** min(over, 32), config.login_delay_max_seconds)
        return timedelta(seconds=seconds)

    def check_password(self, id_: str, password: str) -> bool:
        """The login: True only for an existing user, its password, and no throttling wait.

        A failure counts towards the user's throttling; a success resets it. Unknown user,
        wrong password and a throttled attempt are indistinguishable to the caller.
        """
        with self._store.read() as connection:
            credentials = store.find_credentials(connection, id_)
        if credentials is None or credentials.password_hash is None:
            verify_password(password, _DUMMY_HASH)
            return False
        now = self._runner.clock.now()
        if credentials.locked_until is not None and now < credentials.locked_until:
            return False
        stored = credentials.password_hash
        ok = self._cached(id_, stored, password) or verify_password(password, stored)
        if ok:
            self._remember(id_, stored, password)
            if credentials.failed_attempts or credentials.locked_until is not None:
                self._record(id_, 0, None)
            return True
        failures = credentials.failed_attempts + 1
        delay = self.login_delay(failures)
        self._record(id_, failures, None if delay is None else now + delay)
        return False

    def _record(self, id_: str, failures: int, locked_until: datetime | None) -> None:
        with self._store.write() as uow:
            store.record_login(uow.connection, id_, failures, locked_until)

    def verify(self, username: str | None, password: str | None) -> bool:
        """``POST /identity/verify``."""
        if not username or password is None:
            raise InvalidRequestError("Username and password are required")
        return self.check_password(username, password)

    # ── groups ──────────────────────────────────────────────────────────────────────────────
    def create_group(self, group: Group, *, user_id: str | None = None) -> None:
        _check_id("Group", group.id)

        def command(ctx: ServiceContext) -> None:
            check(ctx, ("CREATE", ResourceType.GROUP, None))
            if store.find_group(ctx.sql.connection, group.id) is not None:
                raise InvalidRequestError(f"The group with id {group.id} already exists")
            store.insert_group(ctx.sql.connection, group)

        self._runner.run(command, user_id=user_id)

    def get_group(self, id_: str, *, user_id: str | None = None) -> Group:
        found = self.query_groups(GroupQuery(id=id_), Page(0, 1), user_id=user_id)
        if not found:
            raise _missing("Group", id_)
        return found[0]

    def query_groups(
        self, query: GroupQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[Group]:
        with self._store.read() as connection:
            query = restrict(connection, self._runner, user_id, query, "group")
            return store.query_groups(connection, query, page or Page())

    def count_groups(self, query: GroupQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            return store.count_groups(connection, restrict(connection, self._runner, user_id, query, "group"))

    def update_group(self, group: Group, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("UPDATE", ResourceType.GROUP, group.id))
            if not store.update_group(ctx.sql.connection, group):
                raise _missing("Group", group.id)

        self._runner.run(command, user_id=user_id)

    def delete_group(self, id_: str, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("DELETE", ResourceType.GROUP, id_))
            if not store.delete_group(ctx.sql.connection, id_):
                raise _missing("Group", id_)

        self._runner.run(command, user_id=user_id)

    def add_group_member(self, group_id: str, member_id: str, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("CREATE", ResourceType.GROUP_MEMBERSHIP, group_id))
            connection = ctx.sql.connection
            if store.find_group(connection, group_id) is None:
                raise _missing("Group", group_id)
            if store.find_user(connection, member_id) is None:
                raise _missing("User", member_id)
            if not store.is_member(connection, member_id, group_id):
                store.add_member(connection, member_id, group_id)

        self._runner.run(command, user_id=user_id)

    def remove_group_member(self, group_id: str, member_id: str, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("DELETE", ResourceType.GROUP_MEMBERSHIP, group_id))
            store.remove_member(ctx.sql.connection, member_id, group_id)

        self._runner.run(command, user_id=user_id)

    def group_info(self, member_id: str, *, user_id: str | None = None) -> GroupInfo:
        """The groups of ``member_id`` and their other members (Camunda ``getGroupInfo``)."""
        groups = self.query_groups(GroupQuery(member=member_id), user_id=user_id)
        users: dict[str, User] = {}
        for group in groups:
            for user in self.query_users(UserQuery(member_of_group=group.id), user_id=user_id):
                if user.id != member_id:
                    users.setdefault(user.id, user)
        return GroupInfo(groups, [users[key] for key in sorted(users)])

    # ── tenants ─────────────────────────────────────────────────────────────────────────────
    def create_tenant(self, tenant: Tenant, *, user_id: str | None = None) -> None:
        _check_id("Tenant", tenant.id)

        def command(ctx: ServiceContext) -> None:
            check(ctx, ("CREATE", ResourceType.TENANT, None))
            if store.find_tenant(ctx.sql.connection, tenant.id) is not None:
                raise InvalidRequestError(f"The tenant with id {tenant.id} already exists")
            store.insert_tenant(ctx.sql.connection, tenant)

        self._runner.run(command, user_id=user_id)

    def get_tenant(self, id_: str, *, user_id: str | None = None) -> Tenant:
        found = self.query_tenants(TenantQuery(id=id_), Page(0, 1), user_id=user_id)
        if not found:
            raise _missing("Tenant", id_)
        return found[0]

    def query_tenants(
        self, query: TenantQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[Tenant]:
        with self._store.read() as connection:
            query = restrict(connection, self._runner, user_id, query, "tenant")
            return store.query_tenants(connection, query, page or Page())

    def count_tenants(self, query: TenantQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            return store.count_tenants(
                connection, restrict(connection, self._runner, user_id, query, "tenant")
            )

    def update_tenant(self, tenant: Tenant, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("UPDATE", ResourceType.TENANT, tenant.id))
            if not store.update_tenant(ctx.sql.connection, tenant):
                raise _missing("Tenant", tenant.id)

        self._runner.run(command, user_id=user_id)

    def delete_tenant(self, id_: str, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("DELETE", ResourceType.TENANT, id_))
            if not store.delete_tenant(ctx.sql.connection, id_):
                raise _missing("Tenant", id_)

        self._runner.run(command, user_id=user_id)

    def add_tenant_member(
        self,
        tenant_id: str,
        *,
        member_user_id: str | None = None,
        member_group_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Make a user or a group a member of a tenant (one of the two)."""

        def command(ctx: ServiceContext) -> None:
            check(ctx, ("CREATE", ResourceType.TENANT_MEMBERSHIP, tenant_id))
            connection = ctx.sql.connection
            if store.find_tenant(connection, tenant_id) is None:
                raise _missing("Tenant", tenant_id)
            if member_user_id is not None and store.find_user(connection, member_user_id) is None:
                raise _missing("User", member_user_id)
            if member_group_id is not None and store.find_group(connection, member_group_id) is None:
                raise _missing("Group", member_group_id)
            if not store.has_tenant_member(
                connection, tenant_id, user_id=member_user_id, group_id=member_group_id
            ):
                store.add_tenant_member(
                    connection, ctx.new_id(), tenant_id, user_id=member_user_id, group_id=member_group_id
                )

        self._runner.run(command, user_id=user_id)

    def remove_tenant_member(
        self,
        tenant_id: str,
        *,
        member_user_id: str | None = None,
        member_group_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("DELETE", ResourceType.TENANT_MEMBERSHIP, tenant_id))
            store.remove_tenant_member(
                ctx.sql.connection, tenant_id, user_id=member_user_id, group_id=member_group_id
            )

        self._runner.run(command, user_id=user_id)
