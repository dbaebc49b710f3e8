"""Serve an ASGI app with uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

__all__ = ["serve_in_thread"]

_STARTUP_TIMEOUT = 15.0


@contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Yield the base URL (`http://127.0.0.1:PORT`) while `app` is being served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        # No logging configuration of uvicorn's own: it would bind handlers to the sys.stderr
        # of the moment, in whatever process serves (a test's captured stream, closed later).
        log_config=None,
        log_level="critical",
        access_log=False,
        lifespan="on",
        timeout_keep_alive=30,
        # Relayed answers keep the server's own Server and Date headers, not a second pair.
        server_header=False,
        date_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the audit's local relay did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
