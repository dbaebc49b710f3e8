"""Sockets whose every read is cut to the time left before the request's deadline.

httpx's read timeout applies to each read alone: a server that sends its status line and
headers one byte a second never trips it, and the body guard of `client.retry` only starts
once the headers are complete. Here the httpcore network backend of the default transports is
wrapped so that each read of a request made under a deadline waits at most until that
deadline: past it, the read fails at once with `httpcore.ReadTimeout` (which httpx turns into
`httpx.ReadTimeout`, and the retry transport into `DeadlineExceeded`). The deadline travels in
a context variable set by the retry transport around the request, so the same backend serves
every request, in threads and in tasks alike.
"""

from __future__ import annotations

import contextlib
import ssl
import time
import typing
from collections.abc import Iterator
from contextvars import ContextVar

import httpcore
import httpx

__all__ = [
    "LARGE_READ_BYTES",
    "READ_DEADLINE",
    "READ_SIZE",
    "async_transport",
    "reads_until",
    "transport",
]

# The `time.monotonic()` moment no read of the current request may wait past, or None.
READ_DEADLINE: ContextVar[float | None] = ContextVar("videos_contract_read_deadline", default=None)
# The most bytes one read of the socket may take, when more than httpcore asks (64 KiB).
# A body streamed to a file (a download) is read 1 MiB at a time where the socket has that
# much ready: a sixteenth of the chunks, and so of the per-chunk work of httpcore, h11, httpx
# and the writer, for the same bytes. Small answers are read as before.
READ_SIZE: ContextVar[int] = ContextVar("videos_contract_read_size", default=0)
LARGE_READ_BYTES = 1024 * 1024

_SocketOption = typing.Any


def _cut(timeout: float | None) -> float | None:
    deadline = READ_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's deadline passed while its answer arrived")
    return left if timeout is None else min(timeout, left)


@contextlib.contextmanager
def reads_until(deadline: float | None) -> Iterator[None]:
    """Reads made inside the block wait at most until `deadline` (a monotonic moment)."""
    token = READ_DEADLINE.set(deadline)
    try:
        yield
    finally:
        READ_DEADLINE.reset(token)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max(max_bytes, READ_SIZE.get()), _cut(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _cut(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[_SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[_SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[_SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(path, timeout, socket_options)
        return _AsyncStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def transport(**kwargs: typing.Any) -> httpx.HTTPTransport:
    """`httpx.HTTPTransport(**kwargs)` whose reads keep the request's deadline."""
    made = httpx.HTTPTransport(**kwargs)
    pool = made._pool
    pool._network_backend = _Backend(pool._network_backend)
    return made


def async_transport(**kwargs: typing.Any) -> httpx.AsyncHTTPTransport:
    """`httpx.AsyncHTTPTransport(**kwargs)` whose reads keep the request's deadline."""
    made = httpx.AsyncHTTPTransport(**kwargs)
    pool = made._pool
    pool._network_backend = _AsyncBackend(pool._network_backend)
    return made
