"""Serve an ASGI app on the relay core's front (uvicorn with h11) on a free loopback port, in a
background thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from videos_contract.listening import bind, served_in_thread
from videos_contract.relay.front import RelayServer

__all__ = ["serve_in_thread"]


@contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Yield the base URL (`http://127.0.0.1:PORT`) while `app` is being served."""
    # Relayed answers keep the server's own Server and Date headers, not a second pair; no
    # logging configuration of uvicorn's own (it would bind handlers to the sys.stderr of the
    # moment, in whatever process serves: a test's captured stream, closed later).
    server = RelayServer(app)
    # `bind` names IPPROTO_TCP, so that asyncio turns Nagle's algorithm off on each connection.
    with served_in_thread(
        server, bind("127.0.0.1", 0), name="the audit's local relay", stop_timeout=10
    ) as url:
        yield url
