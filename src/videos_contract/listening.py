"""Listening sockets, and servers run in a thread for a `with` block: what every server of
ours (the mock, the proxy, the audit's relay, the benchmarks' apps) uses to listen.

Standard library only, so that a server process loads no HTTP client for it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import typing
from collections.abc import Iterator

__all__ = ["base_url", "bind", "served_in_thread"]


def bind(host: str, port: int) -> socket.socket:
    """A socket ready to listen on (`host`, `port`); port 0 picks a free one. Raises OSError
    when the address is taken. Every server of ours (the mock, the proxy) listens on one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that name it, and
    # without it every small answer waits for the peer's delayed ACK (about 40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """`http://HOST:PORT` of a bound socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(typing.Protocol):
    """What `served_in_thread` needs of a server: uvicorn.Server's start/stop flags."""

    started: bool
    should_exit: bool

    def run(self, sockets: list[socket.socket] | None = None) -> None: ...


@contextlib.contextmanager
def served_in_thread(
    server: _Server,
    sock: socket.socket,
    *,
    name: str,
    start_timeout: float = 15.0,
    stop_timeout: float = 15.0,
) -> Iterator[str]:
    """Run `server` (a uvicorn.Server) on `sock` in a daemon thread for the `with` block and
    yield its base URL; RuntimeError naming `name` when it does not start in time. At the end
    the server is told to exit, waited for up to `stop_timeout` and the socket closed."""
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    try:
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=stop_timeout)
        sock.close()
