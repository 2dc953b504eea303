"""Browser sessions for the web Cockpit: ``/api/session`` and session authentication of REST calls.

With authentication on, ``POST /api/session`` takes ``{"username", "password"}`` (JSON only, so a
cross-site HTML form cannot log a browser in), checks them with
``IdentityService.check_password`` (the same login throttling as HTTP Basic) and sets two
cookies:

- ``CADENZA_SESSION``: ``HttpOnly; SameSite=Strict; Path=/`` (``Secure`` over HTTPS), a token
  ``payload.mac`` whose payload names the user, a random session id and the expiry, signed with
  HMAC-SHA256 under the session secret (``CADENZA_SESSION_SECRET``, else random per process);
- ``XSRF-TOKEN``: readable by the page's script, an HMAC of the session id.

``BasicAuthMiddleware`` accepts the session cookie on ``/engine-rest`` when a request has no
``Authorization`` header; the request then acts as the session's user exactly as with Basic.
Cookie-authenticated requests with an unsafe method must repeat the ``XSRF-TOKEN`` value in an
``X-XSRF-TOKEN`` header (Camunda's webapp convention), else 403 ``CsrfException``. Requests
with Basic credentials are untouched. ``GET /api/session`` says who is logged in,
``DELETE /api/session`` logs out (the session id is refused by this node until it expires).
A session ends when its user is deleted: every request checks that the user still exists.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import Scope

from cadenza.services import Engine, GroupQuery, UserQuery

from .responses import CamundaJSONResponse

__all__ = [
    "CSRF_HEADER",
    "MIN_SECRET_LENGTH",
    "SESSION_COOKIE",
    "SESSION_PATH",
    "XSRF_COOKIE",
    "Session",
    "SessionKeeper",
    "router",
]

SESSION_PATH = "/api/session"
SESSION_COOKIE = "CADENZA_SESSION"
XSRF_COOKIE = "XSRF-TOKEN"
CSRF_HEADER = "X-XSRF-TOKEN"
DEFAULT_LIFETIME_SECONDS = 8 * 60 * 60
MIN_SECRET_LENGTH = 32
"""a configured secret shorter than this is refused (it would be guessable offline)"""

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NO_STORE = {"Cache-Control": "no-store"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    user_id: str
    session_id: str
    expires: int
    """epoch seconds"""


class SessionKeeper:
    """Issues and verifies signed session tokens and their CSRF tokens.

    Nodes that share a secret accept each other's sessions; a logout is remembered by the node
    that served it. Without a secret a random one is made, so sessions end with the process.
    """

    def __init__(
        self,
        secret: str | None,
        *,
        now: Callable[[], float],
        lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
    ) -> None:
        if secret is None:
            material = secrets.token_bytes(32)
        elif len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"The session secret must be at least {MIN_SECRET_LENGTH} characters long")
        else:
            material = secret.encode("utf-8")
        master = hashlib.sha256(b"cadenza-session-secret\0" + material).digest()
        self._sign_key = hmac.new(master, b"sign", hashlib.sha256).digest()
        self._csrf_key = hmac.new(master, b"csrf", hashlib.sha256).digest()
        self._now = now
        self.lifetime_seconds = lifetime_seconds
        self._revoked: dict[str, int] = {}
        self._lock = threading.Lock()

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._sign_key, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, user_id: str) -> tuple[str, Session]:
        """A new session (fresh random id) for ``user_id`` and its cookie value."""
        session = Session(user_id, secrets.token_urlsafe(18), int(self._now()) + self.lifetime_seconds)
        body = json.dumps({"u": session.user_id, "s": session.session_id, "e": session.expires})
        payload = _b64(body.encode("utf-8"))
        return f"{payload}.{self._mac(payload)}", session

    def verify(self, token: str | None) -> Session | None:
        """The session of a cookie value: signature good, not expired, not logged out."""
        if not token or token.count(".") != 1:
            return None
        payload, mac = token.split(".")
        if not hmac.compare_digest(mac.encode("ascii", "replace"), self._mac(payload).encode("ascii")):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = Session(str(data["u"]), str(data["s"]), int(data["e"]))
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
        if session.expires <= self._now():
            return None
        with self._lock:
            if session.session_id in self._revoked:
                return None
        return session

    def revoke(self, session: Session) -> None:
        now = self._now()
        with self._lock:
            for sid in [sid for sid, expires in self._revoked.items() if expires <= now]:
                del self._revoked[sid]
            self._revoked[session.session_id] = session.expires

    def max_age(self, session: Session) -> int:
        """Seconds the session has left (the cookies' ``Max-Age``)."""
        return max(0, session.expires - int(self._now()))

    def csrf_token(self, session: Session) -> str:
        return _b64(hmac.new(self._csrf_key, session.session_id.encode("ascii"), hashlib.sha256).digest())

    def csrf_ok(self, session: Session, header: str | None) -> bool:
        if not header:
            return False
        expected = self.csrf_token(session).encode("ascii")
        return hmac.compare_digest(header.encode("utf-8", "replace"), expected)

    async def authenticate(self, engine: Engine, scope: Scope) -> str | Response | None:
        """For ``BasicAuthMiddleware``: the user of a request's valid session cookie, a 403
        response when an unsafe request lacks the CSRF token, or None (no valid session)."""
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers", ())
        }
        session = self.verify(cookie_value(headers.get("cookie"), SESSION_COOKIE))
        if session is None or not await anyio.to_thread.run_sync(_user_exists, engine, session.user_id):
            return None
        unsafe = scope.get("method") not in _SAFE_METHODS
        if unsafe and not self.csrf_ok(session, headers.get(CSRF_HEADER.lower())):
            return csrf_refusal()
        return session.user_id


def cookie_value(header: str | None, name: str) -> str | None:
    return cookie_parser(header).get(name) if header else None


def csrf_refusal() -> Response:
    body = {
        "type": "CsrfException",
        "message": f"CSRF token missing or wrong: send the {XSRF_COOKIE} cookie's value in the "
        f"{CSRF_HEADER} header",
    }
    return CamundaJSONResponse(body, status_code=403, headers={CSRF_HEADER: "Required", **_NO_STORE})


def _user_exists(engine: Engine, user_id: str) -> bool:
    return engine.identity.count_users(UserQuery(id=user_id)) > 0


def _groups(engine: Engine, user_id: str) -> list[str]:
    return sorted(group.id for group in engine.identity.query_groups(GroupQuery(member=user_id)))


# ── the endpoint ────────────────────────────────────────────────────────────────────────────
router = APIRouter(include_in_schema=False)


def _keeper(request: Request) -> SessionKeeper | None:
    """The app's keeper when authentication is on."""
    engine: Engine = request.app.state.engine
    keeper: SessionKeeper | None = getattr(request.app.state, "sessions", None)
    return keeper if engine.config.authentication_enabled else None


def _error(status: int, type_: str, message: str) -> Response:
    return CamundaJSONResponse({"type": type_, "message": message}, status_code=status, headers=_NO_STORE)


def _set_cookies(
    response: Response, request: Request, keeper: SessionKeeper, session: Session, token: str | None
) -> None:
    """The XSRF-TOKEN cookie and, given its ``token``, the session cookie."""
    secure = request.url.scheme == "https"
    age = keeper.max_age(session)
    if token is not None:
        response.set_cookie(
            SESSION_COOKIE, token, max_age=age, path="/", secure=secure, httponly=True, samesite="strict"
        )
    response.set_cookie(
        XSRF_COOKIE,
        keeper.csrf_token(session),
        max_age=age,
        path="/",
        secure=secure,
        httponly=False,
        samesite="strict",
    )


def _clear_cookies(response: Response, request: Request) -> None:
    secure = request.url.scheme == "https"
    for name, http_only in ((SESSION_COOKIE, True), (XSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=http_only, samesite="strict")


async def _who(engine: Engine, user_id: str) -> dict[str, Any]:
    groups = await anyio.to_thread.run_sync(_groups, engine, user_id)
    return {"authenticationEnabled": True, "userId": user_id, "groups": groups}


def _current(request: Request, keeper: SessionKeeper) -> Session | None:
    return keeper.verify(request.cookies.get(SESSION_COOKIE))


@router.get(SESSION_PATH)
async def who_am_i(request: Request) -> Response:
    """The logged-in user and its groups (refreshes the ``XSRF-TOKEN`` cookie); 401 without
    a session; ``authenticationEnabled: false`` when there is nothing to log in to."""
    engine: Engine = request.app.state.engine
    keeper = _keeper(request)
    if keeper is None:
        body: dict[str, Any] = {"authenticationEnabled": False, "userId": None, "groups": []}
        return CamundaJSONResponse(body, headers=_NO_STORE)
    session = _current(request, keeper)
    if session is None or not await anyio.to_thread.run_sync(_user_exists, engine, session.user_id):
        return _error(401, "AuthenticationException", "Not logged in")
    response = CamundaJSONResponse(await _who(engine, session.user_id), headers=_NO_STORE)
    _set_cookies(response, request, keeper, session, None)
    return response


@router.post(SESSION_PATH)
async def log_in(request: Request) -> Response:
    """Check ``{"username", "password"}`` and start a session."""
    engine: Engine = request.app.state.engine
    keeper = _keeper(request)
    if keeper is None:
        return _error(400, "InvalidRequestException", "Authentication is not enabled: there is no login")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _error(415, "NotSupportedException", "Send the credentials as application/json")
    body: Any
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    username = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(username, str) or not username or not isinstance(password, str):
        return _error(400, "InvalidRequestException", "Send a JSON object with username and password")
    if not await anyio.to_thread.run_sync(engine.identity.check_password, username, password):
        return _error(
            401,
            "AuthenticationException",
            "Wrong user id or password (after repeated failures, wait before trying again)",
        )
    token, session = keeper.issue(username)
    response = CamundaJSONResponse(await _who(engine, username), headers=_NO_STORE)
    _set_cookies(response, request, keeper, session, token)
    return response


@router.delete(SESSION_PATH)
async def log_out(request: Request) -> Response:
    """End the session (it needs the CSRF header like any unsafe call) and clear the cookies."""
    keeper = _keeper(request)
    session = _current(request, keeper) if keeper is not None else None
    if keeper is not None and session is not None:
        if not keeper.csrf_ok(session, request.headers.get(CSRF_HEADER)):
            return csrf_refusal()
        keeper.revoke(session)
    response = Response(status_code=204, headers=_NO_STORE)
    _clear_cookies(response, request)
    return response
