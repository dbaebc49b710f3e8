"""Run the mock on a real socket: in a background thread for tests, in the foreground for the
command line."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from videos_contract.mock.app import create_app
from videos_contract.mock.config import MockConfig
from videos_contract.mock.store import JobStore

__all__ = ["MockServer", "bind", "running_mock", "serve"]

_START_TIMEOUT = 15.0


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


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket; port 0 picks a free one. Raises OSError when taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def running_mock(config: MockConfig | None = None) -> Iterator[MockServer]:
    """A uvicorn server with the mock on a free 127.0.0.1 port, for the `with` block."""
    config = config or MockConfig()
    app = create_app(config)
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="videos-contract-mock", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the mock server did not start")
        time.sleep(0.01)
    try:
        yield MockServer(url=_url(sock), key=config.keys[0], app=app, config=config)
    finally:
        server.should_exit = True
        thread.join(timeout=_START_TIMEOUT)
        sock.close()


def serve(
    config: MockConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM (uvicorn shuts down gracefully).

    The socket is bound before `on_ready` is called with the URL, so the URL printed is one
    that already accepts connections. Access logs carry method, path and status, never
    headers, so keys are not logged.
    """
    app = create_app(config)
    sock = bind(host, port)
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the handler
        # found at start; a no-op one turns that into a normal return (exit status 0).
        signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="info", lifespan="off", timeout_graceful_shutdown=5)
        )
        # Listening now (uvicorn accepts later) means a client that reads the URL and
        # connects at once waits in the backlog instead of being refused.
        sock.listen(2048)
        if on_ready is not None:
            on_ready(_url(sock))
        server.run(sockets=[sock])
    finally:
        sock.close()
