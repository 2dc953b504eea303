"""The web Cockpit and Tasklist, served at ``/`` next to the REST API.

The front end lives in ``web/`` at the repository root and is bundled at build time (``setup.py``
runs ``npm ci && npm run build``) into ``cadenza/web/static``, so an installed Cadenza serves it
without network access. It talks only to the Camunda REST API under ``/engine-rest``, like any
other client. Without a bundle, ``/`` answers a short page that says how to build it.

This module knows nothing of the engine: it only adds a static-file route to the ASGI app.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["REST_ROOT", "STATIC_DIR", "bundle_built", "cockpit_app", "mount_cockpit"]

REST_ROOT = "/engine-rest"
STATIC_DIR = Path(__file__).resolve().parent / "static"

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cadenza</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Cadenza</h1>
<p>The REST API is running at <a href="/engine-rest/engine">/engine-rest</a>, but the web
Cockpit was not built into this installation.</p>
<p>To build it, install Node.js 20+ and npm, then from the source tree run
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> (or reinstall with
<code>pip install .</code>, which does the same when npm is available), and restart
<code>cadenza run</code>.</p>
</body></html>
"""


def bundle_built(directory: Path = STATIC_DIR) -> bool:
    return (directory / "index.html").is_file() and (directory / "app.js").is_file()


def _is_rest_path(path: str) -> bool:
    return path == REST_ROOT or path.startswith(REST_ROOT + "/")


class _SinglePageFiles(StaticFiles):
    """Static files; unknown paths without a file extension get ``index.html`` (client routes)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            last = path.rsplit("/", 1)[-1]
            if exc.status_code != 404 or "." in last:
                raise
            response = await super().get_response("index.html", scope)
        response.headers.update(_SECURITY_HEADERS)
        if path in ("", ".", "index.html") or response.media_type == "text/html":
            response.headers["Cache-Control"] = "no-cache"
        return response


async def _not_built(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    response = HTMLResponse(NOT_BUILT_PAGE, headers=_SECURITY_HEADERS)
    await response(scope, receive, send)


def cockpit_app(directory: Path = STATIC_DIR) -> ASGIApp:
    """The ASGI app serving the bundle in ``directory`` (or the "not built" page)."""
    if bundle_built(directory):
        return _SinglePageFiles(directory=directory, html=True)
    return _not_built


class _CockpitMount(Mount):
    """Mounted at ``/`` but never matching ``/engine-rest``: REST 404s and 405s stay the API's."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and _is_rest_path(scope.get("path", "")):
            return Match.NONE, {}
        return super().matches(scope)


def mount_cockpit(app: Starlette, directory: Path = STATIC_DIR) -> None:
    """Serve the Cockpit at ``/`` of ``app`` (after its own routes)."""
    app.router.routes.append(_CockpitMount("/", app=cockpit_app(directory), name="cockpit"))
