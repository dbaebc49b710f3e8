"""Run the mock on a real socket: in a background thread for tests, in the foreground for the
command line."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from videos_contract.listening import base_url, bind, served_in_thread
from videos_contract.mock.app import create_app
from videos_contract.mock.config import CONFIG_ENV, MockConfig, config_to_env
from videos_contract.mock.errors import install_log_redaction
from videos_contract.mock.protocol import (
    HEAD_LIMIT_ATTRIBUTE,
    HEAD_TIMEOUT_ATTRIBUTE,
    GuardedHttpToolsProtocol,
)
from videos_contract.mock.service import MockService
from videos_contract.mock.store import JobStore

__all__ = [
    "GRACEFUL_SECONDS",
    "MockServer",
    "bind",
    "protected_config",
    "running_mock",
    "serve",
    "uvicorn_options",
]

_START_TIMEOUT = 15.0
# Requests in flight at SIGTERM get this long to finish before connections are closed.
GRACEFUL_SECONDS = 10


@dataclass(frozen=True)
class MockServer:
    """A mock listening on loopback: its base URL and the first key it accepts."""

    url: str
    key: str
    app: Starlette
    config: MockConfig

    @property
    def store(self) -> JobStore:
        store: JobStore = self.app.state.store
        return store

    @property
    def service(self) -> MockService:
        """The request handling, e.g. to `hold` jobs unfinished."""
        service: MockService = self.app.state.service
        return service


def uvicorn_options(config: MockConfig) -> dict[str, Any]:
    """Server settings of the mock: its guarded protocol (`mock.protocol`), no lifespan, and
    no client address taken from headers."""
    return {
        "http": GuardedHttpToolsProtocol,
        # The mock serves HTTP only: an upgrade request is answered as any other.
        "ws": "none",
        "lifespan": "off",
        # The mock acts on no client address: X-Forwarded-* are headers like any other.
        "proxy_headers": False,
    }


def protected_config(app: Any, config: MockConfig, **options: Any) -> uvicorn.Config:
    """A uvicorn config with the mock's protective settings: `uvicorn_options`, the largest
    request head (`max_header_bytes`; beyond it: 431 in JSON, connection closed), and the time
    a client has to send one (`body_timeout_seconds`, as for the body)."""
    server_config = uvicorn.Config(app, **{**uvicorn_options(config), **options})
    setattr(server_config, HEAD_LIMIT_ATTRIBUTE, config.max_header_bytes)
    setattr(server_config, HEAD_TIMEOUT_ATTRIBUTE, config.body_timeout_seconds)
    return server_config


def _close_store(app: Starlette) -> None:
    close = getattr(app.state.store, "close", None)
    if close is not None:
        close()


@contextmanager
def running_mock(config: MockConfig | None = None) -> Iterator[MockServer]:
    """A uvicorn server with the mock on a free 127.0.0.1 port, for the `with` block."""
    config = config or MockConfig()
    app = create_app(config)
    server = uvicorn.Server(
        protected_config(app, config, log_config=None, log_level="warning", access_log=False)
    )
    with served_in_thread(server, bind("127.0.0.1", 0), name="the mock server") as url:
        yield MockServer(url=url, key=config.keys[0], app=app, config=config)
        _close_store(app)


def serve(
    config: MockConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers: int = 1,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM (uvicorn shuts down gracefully:
    it stops accepting, lets requests in flight finish for up to `GRACEFUL_SECONDS`, then
    closes).

    With `workers` > 1 (which needs a shared store, `config.store_path` or `store_url`),
    uvicorn starts that many processes on the same socket; each builds its app from the
    configuration passed in `CONFIG_ENV`. The socket is bound before `on_ready` is called with
    the URL, so the URL printed is one that already accepts connections. Access logs carry
    method, path and status, never headers, so keys are not logged.
    """
    if workers > 1 and not config.shared_store:
        raise ValueError("several workers need a shared store (store_path or store_url)")
    sock = bind(host, port)
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the handler
        # found at start; a no-op one turns that into a normal return (exit status 0).
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
    options: dict[str, Any] = {"log_level": "info", "timeout_graceful_shutdown": GRACEFUL_SECONDS}
    app: Starlette | None = None
    try:
        # Listening now (uvicorn accepts later) means a client that reads the URL and
        # connects at once waits in the backlog instead of being refused.
        sock.listen(2048)
        if workers > 1:
            os.environ[CONFIG_ENV] = config_to_env(config)
            # Fail here, once, on a bad spec or store file, not in every worker.
            _close_store(create_app(config))
            multi = protected_config(
                "videos_contract.mock.app:app_from_env",
                config,
                factory=True,
                workers=workers,
                **options,
            )
            if on_ready is not None:
                on_ready(base_url(sock))
            Multiprocess(multi, sockets=[sock]).run()
        else:
            app = create_app(config)
            server = uvicorn.Server(protected_config(app, config, **options))
            install_log_redaction(config.keys)  # after uvicorn configured its loggers
            if on_ready is not None:
                on_ready(base_url(sock))
            server.run(sockets=[sock])
    finally:
        sock.close()
        if app is not None:
            _close_store(app)
