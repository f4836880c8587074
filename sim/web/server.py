"""The HTTP side of ``reformsim serve``: Starlette routes over :class:`~sim.web.workbench.Workbench`, run by uvicorn.

Routes (JSON unless said):

- ``GET /`` — the page; ``GET /static/…`` its script and style (package data, ``sim/web/static``);
- ``GET /api/labels?lang=zh`` — the frame's words; ``GET /api/chains`` — the chains;
- ``GET /api/chains/{id}`` — steps, levers, agencies; ``GET /api/chains/{id}/diagram.svg`` — the drawing;
- ``POST /api/run`` — ``{chain, scenario, cases, replications, seed, lang}`` → verdicts and bottlenecks;
- ``POST /api/save`` — ``{chain, name, scenario, report, lang, …}`` → the files written.

Bad input is a 4xx with ``{"error": message}``, the message the command line prints for the same
mistake (a :class:`~sim.errors.ReformSimError`); anything else is a 500 whose body says "internal
error" and where the traceback went (the server's console), never the traceback itself. Requests are
bounded: bodies over :data:`MAX_BODY` bytes are refused, runs are capped (:mod:`sim.web.workbench`) and
one simulation runs at a time. Only the hosts the server listens as are served (a page elsewhere
cannot reach it through DNS rebinding), POSTs must be ``application/json`` (a form on another site
cannot post one without the browser asking first, and the server allows no other origin).

Example:
    >>> app = create_app(Workbench())
    >>> sorted(r.path for r in app.routes)[:3]
    ['/', '/api/chains', '/api/chains/{chain}']
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import ReformSimError
from ..files import json_safe
from .labels import page_labels
from .workbench import Workbench

__all__ = ["create_app", "serve", "start_in_thread", "STATIC", "MAX_BODY", "LOCAL_HOST"]

STATIC = Path(__file__).parent / "static"
MAX_BODY = 256 * 1024  # assumption: a what-if of a long chain with every lever is a few kB; 256 kB is ample
LOCAL_HOST = "127.0.0.1"
# The page loads nothing from elsewhere; styles inline because the drawings (matplotlib SVG) carry style attributes.
_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                       "script-src 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


class ServeError(ReformSimError):
    """The server cannot start where it was asked to (the address is taken or not this machine's)."""


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json_safe(data), status_code=status, headers=_HEADERS)


def _error(message: str, status: int) -> JSONResponse:
    return _json({"error": message}, status)


def _lang(request: Request, default: str) -> str:
    return request.query_params.get("lang", default)


async def _body(request: Request) -> Any:
    """The request's JSON body, read up to :data:`MAX_BODY` bytes; an :class:`_HttpError` (status, message) otherwise."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise _HttpError(415, "request: expected a JSON body (Content-Type: application/json)")
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise _HttpError(413, f"request: body larger than {MAX_BODY} bytes")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise _HttpError(413, f"request: body larger than {MAX_BODY} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _HttpError(400, f"request: the body is not JSON: {exc}") from None


class _HttpError(Exception):
    """A request refused before it reaches the workbench (not JSON, too large), with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _guarded(work: Callable[..., Any]) -> Callable[[Request], Any]:
    """An endpoint that turns bad input into a 4xx with the message and a bug into a 500 without traceback."""

    async def endpoint(request: Request) -> Response:
        try:
            return await work(request)
        except _HttpError as exc:
            return _error(str(exc), exc.status)
        except ReformSimError as exc:
            return _error(str(exc), 400)
        except Exception as exc:  # noqa: BLE001 - a bug: the console gets the traceback, the page a short line
            traceback.print_exception(exc, file=sys.stderr)
            return _error(f"internal error ({type(exc).__name__}); the traceback is in the console of reformsim serve", 500)

    return endpoint


def create_app(workbench: Workbench, *, hosts: tuple[str, ...] = (LOCAL_HOST, "localhost")) -> Starlette:
    """The Starlette application of ``workbench``, answering only requests addressed to ``hosts``."""
    default_lang = workbench.lang

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=_HEADERS)

    async def labels(request: Request) -> Response:
        lang = _lang(request, default_lang)
        if lang not in ("zh", "en"):
            raise _HttpError(400, f'request: lang: expected "zh" or "en", got {lang[:20]!r}')
        return _json({"lang": lang, "labels": page_labels(lang)})

    async def chains(request: Request) -> Response:
        lang = _lang(request, default_lang)
        return _json({"chains": workbench.chains(lang), "lang": default_lang})

    async def chain(request: Request) -> Response:
        return _json(await run_in_threadpool(workbench.chain, request.path_params["chain"], _lang(request, default_lang)))

    async def diagram(request: Request) -> Response:
        svg = await run_in_threadpool(workbench.diagram, request.path_params["chain"], _lang(request, default_lang))
        return Response(svg, media_type="image/svg+xml", headers=_HEADERS)

    async def run(request: Request) -> Response:
        return _json(await run_in_threadpool(workbench.run, await _body(request)))

    async def save(request: Request) -> Response:
        return _json(await run_in_threadpool(workbench.save, await _body(request)))

    routes = [
        Route("/", _guarded(index)),
        Route("/api/labels", _guarded(labels)),
        Route("/api/chains", _guarded(chains)),
        Route("/api/chains/{chain}", _guarded(chain)),
        Route("/api/chains/{chain}/diagram.svg", _guarded(diagram)),
        Route("/api/run", _guarded(run), methods=["POST"]),
        Route("/api/save", _guarded(save), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))])


ALL_INTERFACES = ("0.0.0.0", "::", "")


def _hosts(host: str) -> tuple[str, ...]:
    """The Host headers answered: this machine's names, and the address given; any name when listening on
    every interface (the planner chose to be reachable under whatever name the network gives the machine)."""
    if host in ALL_INTERFACES:
        return ("*",)
    return (host, LOCAL_HOST, "localhost") if host not in (LOCAL_HOST, "localhost") else (LOCAL_HOST, "localhost")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port); a :class:`ServeError` (exit 2) when the address
    cannot be used."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); choose another "
                         "port (--port 0 takes a free one)") from None
    sock.listen(64)
    return sock


def _server(workbench: Workbench, sock: socket.socket, host: str) -> Any:
    import uvicorn

    config = uvicorn.Config(create_app(workbench, hosts=_hosts(host)), log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


def url_of(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(workbench: Workbench, *, host: str = LOCAL_HOST, port: int = 8765,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted; ``ready(url)`` is called once the socket listens (e.g. to open a browser)."""
    sock = bind(host, port)
    server = _server(workbench, sock, host)
    if ready is not None:
        ready(url_of(sock, host))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def start_in_thread(workbench: Workbench, *, host: str = LOCAL_HOST, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start the server in a background thread; return its URL and a function that stops it (tests, notebooks).

    >>> url, stop = start_in_thread(Workbench())
    >>> import urllib.request, json
    >>> [c["id"] for c in json.load(urllib.request.urlopen(url + "api/chains"))["chains"]][0]
    'company_setup_2021.bpmn'
    >>> stop()
    """
    sock = bind(host, port)
    server = _server(workbench, sock, host)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="reformsim-serve", daemon=True)
    thread.start()
    import time

    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("the server did not start within 30 s")

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return url_of(sock, host), stop
