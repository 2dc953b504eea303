"""The ASGI application: Camunda 7 REST under ``/engine-rest`` (and ``/engine-rest/engine/{name}``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadenza.errors import EngineError
from cadenza.services import Engine

from .auth import BasicAuthMiddleware, install_authorization_handler
from .deps import BODY_MODELS, check_engine_name
from .errors import UnexpectedErrorMiddleware, error_response, install_exception_handlers
from .long_polling import DEFAULT_QUEUE_CAPACITY, DEFAULT_RECHECK_SECONDS, LongPolling
from .responses import CamundaJSONResponse
from .routes import (
    authorization,
    deployment,
    engine as engine_routes,
    execution,
    external_task,
    group,
    identity,
    incident,
    job,
    message,
    process_definition,
    process_instance,
    suspension,
    task,
    tenant,
    user,
    variable_instance,
)
from .session import SessionKeeper, router as session_router

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ROOT_PATH", "BodySizeLimitMiddleware", "create_app"]

ROOT_PATH = "/engine-rest"
DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024

LifespanHook = tuple[Callable[[], object], Callable[[], object]]
"""``(start, stop)``: blocking callables run in a worker thread at startup and shutdown."""

RESOURCE_ROUTERS: tuple[APIRouter, ...] = (
    deployment.router,
    process_definition.router,
    process_instance.router,
    execution.router,
    external_task.router,
    task.router,
    incident.router,
    variable_instance.router,
    user.router,
    group.router,
    tenant.router,
    identity.router,
    authorization.router,
    job.router,
    message.router,
    suspension.router,
)


class _BodyTooLargeError(EngineError):
    camunda_type = "RestException"
    status = 413
    code = None


def _too_large_message(limit: int) -> str:
    return f"The request body exceeds the maximum size of {limit} bytes"


class BodySizeLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413 (declared or streamed length)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    response = error_response(413, "RestException", _too_large_message(limit))
                    await response(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLargeError(_too_large_message(limit))
            return message

        await self.app(scope, limited_receive, send)


class CadenzaAPI(FastAPI):
    """FastAPI whose OpenAPI document also describes the JSON bodies parsed by ``json_body``."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        schema = super().openapi()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in BODY_MODELS.items():
            model_schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
            for def_name, definition in model_schema.pop("$defs", {}).items():
                components.setdefault(def_name, definition)
            components.setdefault(name, model_schema)
        self.openapi_schema = schema
        return schema


def create_app(
    engine: Engine,
    *,
    lifespan_hooks: Sequence[LifespanHook] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    fetch_and_lock_queue_capacity: int = DEFAULT_QUEUE_CAPACITY,
    long_poll_recheck_seconds: float = DEFAULT_RECHECK_SECONDS,
    session_secret: str | None = None,
) -> FastAPI:
    """Build the REST application over ``engine`` (the app does not close the engine).

    Args:
        engine: the engine node to serve.
        lifespan_hooks: ``(start, stop)`` pairs run at startup and shutdown.
        max_body_bytes: larger request bodies are refused with 413.
        fetch_and_lock_queue_capacity: most long-polling fetchAndLock requests parked at once.
        long_poll_recheck_seconds: how often a parked request re-checks without a wake-up
            (lock expiry and retry timeouts are not announced).
        session_secret: signs the web Cockpit's session cookies (``/api/session``); random
            per process when None (sessions then end with the process and stay on this node).
    """
    long_polling = LongPolling(
        engine.notifications,
        capacity=fetch_and_lock_queue_capacity,
        recheck_seconds=long_poll_recheck_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started: list[LifespanHook] = []
        listening = False
        try:
            # PostgreSQL: wake local long polls for tasks made available on other nodes
            await anyio.to_thread.run_sync(engine.start_listening)
            listening = True
            for hook in lifespan_hooks:
                await anyio.to_thread.run_sync(hook[0])
                started.append(hook)
            yield
        finally:
            long_polling.close()
            for hook in reversed(started):
                await anyio.to_thread.run_sync(hook[1])
            if listening:
                await anyio.to_thread.run_sync(engine.stop_listening)

    app = CadenzaAPI(
        title="Cadenza REST API (Camunda 7 compatible)",
        version=engine_routes.CAMUNDA_VERSION,
        openapi_url=f"{ROOT_PATH}/openapi.json",
        docs_url=f"{ROOT_PATH}/docs",
        redoc_url=None,
        default_response_class=CamundaJSONResponse,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.long_polling = long_polling
    sessions = SessionKeeper(session_secret, now=lambda: engine.clock.now().timestamp())
    app.state.sessions = sessions
    install_exception_handlers(app)
    install_authorization_handler(app)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes)
    if engine.config.authentication_enabled:
        # outermost: a request without valid credentials is answered before its body is read
        app.add_middleware(BasicAuthMiddleware, engine=engine, root_path=ROOT_PATH, sessions=sessions)

    app.include_router(session_router)  # /api/session: the web Cockpit's login
    app.include_router(engine_routes.router, prefix=ROOT_PATH)
    for router in RESOURCE_ROUTERS:
        app.include_router(router, prefix=ROOT_PATH)
    for router in RESOURCE_ROUTERS:
        app.include_router(
            router,
            prefix=f"{ROOT_PATH}/engine/{{engineName}}",
            dependencies=[Depends(check_engine_name)],
            include_in_schema=False,
        )
    return app
