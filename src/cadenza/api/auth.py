"""HTTP Basic authentication for the REST API and the 403 body of authorization refusals.

Camunda's ``ProcessEngineAuthenticationFilter`` with ``HttpBasicAuthenticationProvider``
(semantics §1.3): when switched on, every request under ``/engine-rest`` except ``GET /engine``
needs ``Authorization: Basic base64(user:password)`` (split at the first ``:``); missing or
wrong credentials get 401 with an empty body and ``WWW-Authenticate: Basic realm="default"``.
The user id is put on the request (``request.state.user_id``) and ``deps.get_engine`` hands
the routes the engine acting for that user, so every service call is authorization-checked.

A request without an ``Authorization`` header may instead carry the web Cockpit's session
cookie (``session.SessionKeeper``: same user, same authorizations, plus a CSRF token on unsafe
methods). A request sent with ``X-Requested-With: XMLHttpRequest`` gets its 401 without the
``WWW-Authenticate`` challenge, so that browsers do not pop up their own login dialog.
"""

from __future__ import annotations

import base64
import binascii
import inspect

import anyio.to_thread
from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from cadenza.errors import EngineError
from cadenza.services import AuthorizationError, Engine

from .responses import CamundaJSONResponse
from .session import SessionKeeper

__all__ = ["USER_STATE", "BasicAuthMiddleware", "install_authorization_handler", "parse_basic"]

USER_STATE = "user_id"
"""``request.state`` attribute holding the authenticated user id"""

_CHALLENGE = {"WWW-Authenticate": 'Basic realm="default"'}


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``(user, password)`` from an ``Authorization: Basic ...`` header, or None."""
    if header is None:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon or not user:
        return None
    return user, password


def _is_open(scope: Scope, root_path: str) -> bool:
    """Requests that need no credentials: ``GET /engine`` and anything outside the REST root."""
    path: str = scope.get("path", "")
    if not path.startswith(root_path):
        return True
    return scope.get("method") in ("GET", "HEAD") and path.rstrip("/") == f"{root_path}/engine"


class BasicAuthMiddleware:
    """Authenticate each REST request against the engine's users (login throttled there)."""

    def __init__(
        self,
        app: ASGIApp,
        engine: Engine,
        root_path: str = "/engine-rest",
        sessions: SessionKeeper | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.root_path = root_path
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_open(scope, self.root_path):
            await self.app(scope, receive, send)
            return
        header = None
        from_script = False
        for name, value in scope.get("headers", ()):
            if name == b"authorization" and header is None:
                header = value.decode("latin-1")
            elif name == b"x-requested-with":
                from_script = value.lower() == b"xmlhttprequest"
        if header is None and self.sessions is not None:
            outcome = await self.sessions.authenticate(self.engine, scope)
            if isinstance(outcome, Response):
                await outcome(scope, receive, send)
                return
            if outcome is not None:
                scope.setdefault("state", {})[USER_STATE] = outcome
                await self.app(scope, receive, send)
                return
        credentials = parse_basic(header)
        authenticated = False
        if credentials is not None:
            authenticated = await anyio.to_thread.run_sync(self.engine.identity.check_password, *credentials)
        if not authenticated or credentials is None:
            await Response(status_code=401, headers=None if from_script else _CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})[USER_STATE] = credentials[0]
        await self.app(scope, receive, send)


def _authorization_cause(exc: BaseException | None) -> AuthorizationError | None:
    """The refusal behind an error a route re-labelled (routes wrap engine errors with their
    own prefix or type; Camunda's resources pass ``AuthorizationException`` through as is)."""
    while exc is not None:
        if isinstance(exc, AuthorizationError):
            return exc
        exc = exc.__cause__
    return None


async def _authorization_error_handler(request: Request, exc: Exception) -> Response:
    """Camunda's ``AuthorizationExceptionDto``: the deprecated single fields are filled only
    when exactly one authorization is missing."""
    assert isinstance(exc, AuthorizationError)
    single = exc.missing[0] if len(exc.missing) == 1 else None
    body = {
        "type": exc.camunda_type,
        "message": exc.message,
        "code": exc.code,
        "userId": exc.user_id,
        "permissionName": single.permission_name if single else None,
        "resourceName": single.resource_name if single else None,
        "resourceId": single.resource_id if single else None,
        "missingAuthorizations": [
            {
                "permissionName": m.permission_name,
                "resourceName": m.resource_name,
                "resourceId": m.resource_id,
            }
            for m in exc.missing
        ],
    }
    return CamundaJSONResponse(body, status_code=403)


def install_authorization_handler(app: FastAPI) -> None:
    """Render refusals as 403 ``AuthorizationException`` even when a route wrapped them (call
    after ``install_exception_handlers``: it wraps the ``EngineError`` handler installed there)."""
    app.add_exception_handler(AuthorizationError, _authorization_error_handler)
    engine_handler = app.exception_handlers[EngineError]

    async def engine_error(request: Request, exc: Exception) -> Response:
        cause = _authorization_cause(exc)
        if cause is not None:
            return await _authorization_error_handler(request, cause)
        response = engine_handler(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(EngineError, engine_error)
