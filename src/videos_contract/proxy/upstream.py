"""The proxy's HTTP/1.1 client to its upstream: an asyncio protocol with a C parser (httptools,
the parser uvicorn uses), kept-alive connections.

A general-purpose client (httpx) costs the proxy several times what the exchange itself
costs on a small machine, and a pure-Python parser (h11) most of what remains; this one does
only what forwarding needs: send a request as given (its body as bytes or as it comes), read
the answer's head, hand out the body as it arrives, raw (never decoded), and put the
connection back for the next request once the answer was read to its end. It never retries
and never follows a redirect. A pooled connection the server has closed is dropped before it
is used, never discovered by sending on it twice.

Bounded: an answer's head may take at most `_MAX_HEAD` bytes; a body is held at most
`_HIGH_WATER` bytes ahead of its reader (the socket is not read meanwhile); every wait for
the upstream is bounded by `read_timeout`.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from collections.abc import AsyncIterator, Sequence
from typing import cast
from urllib.parse import urlsplit

import httptools

__all__ = ["Upstream", "UpstreamError", "UpstreamResponse"]

_MAX_IDLE = 32
# The largest answer head accepted (status line and headers).
_MAX_HEAD = 64 * 1024
# A body is read from the socket until this much waits for the reader, and again once
# the reader has taken it down to `_LOW_WATER`.
_HIGH_WATER = 2 * 1024 * 1024
_LOW_WATER = 512 * 1024
# Request bodies of at most this size go out in the same write as the head.
_COALESCE = 64 * 1024
# Bytes that may not appear in a request line or header (h11 and llhttp refuse them too).
_FORBIDDEN = ("\r", "\n", "\0")


class UpstreamError(Exception):
    """No usable answer: `kind` is `cannot-reach`, `closed` or `too-slow`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Connection(asyncio.Protocol):
    """One connection to the upstream; one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._loop = asyncio.get_running_loop()
        self._can_write: asyncio.Future[None] | None = None
        self._paused = False
        self._reset(head_only=False)

    # -- one answer ---------------------------------------------------------------------
    def _reset(self, *, head_only: bool) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.head_only = head_only
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.error: UpstreamError | None = None
        self.body: collections.deque[bytes] = collections.deque()
        self.held = 0
        self._head_bytes = 0
        self._delimited = False
        self._waiter: asyncio.Future[None] | None = None

    def expect(self, *, head_only: bool) -> None:
        """Get ready for the answer to a request about to be sent."""
        self._reset(head_only=head_only)

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.complete or self.error is not None:
            if data.strip():
                # Bytes nobody asked for: the connection cannot be trusted for another one.
                self._fail(UpstreamError("closed", "the upstream sent bytes after its answer"))
            return
        if not self.head_done:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamError("closed", "the upstream switched protocols"))
            return
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            if isinstance(cause, UpstreamError):
                self._fail(cause)
            else:
                self._fail(UpstreamError("closed", f"the upstream broke HTTP/1.1: {exc}"))
            return
        if not self.head_done and self._head_bytes > _MAX_HEAD:
            self._fail(
                UpstreamError("closed", f"the upstream's answer head passed {_MAX_HEAD} bytes")
            )
            return
        if self.held >= _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self._ended()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._ended()
        if self._can_write is not None and not self._can_write.done():
            self._can_write.set_result(None)

    def _ended(self) -> None:
        self.closed = True
        if self.complete or self.error is not None:
            return
        if self.head_done and not self._delimited:
            # An answer with neither a length nor chunks ends when the connection does.
            self.complete = True
            self.keep_alive = False
        else:
            where = "mid-answer" if self.head_done else "without answering"
            self.error = UpstreamError("closed", f"the upstream closed the connection {where}")
        self._wake()

    def pause_writing(self) -> None:
        if self._can_write is None or self._can_write.done():
            self._can_write = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._can_write is not None and not self._can_write.done():
            self._can_write.set_result(None)

    # -- httptools callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self.head_done:
            # A second answer to one request: nothing of it may reach the client.
            raise UpstreamError("closed", "the upstream sent a second answer to one request")
        self.headers = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            return  # 100 Continue and the like: the answer is still to come
        self.status = status
        self.head_done = True
        self.keep_alive = self.parser.should_keep_alive()
        self._delimited = any(
            name.lower() in ("content-length", "transfer-encoding") for name, _ in self.headers
        ) or status in (204, 304)
        if self.head_only:
            # The answer to HEAD has no body whatever its headers say; the parser cannot be
            # told so, and the connection is not used again.
            self.complete = True
            self.keep_alive = False

    def on_body(self, body: bytes) -> None:
        if self.head_only:
            return
        self.body.append(body)
        self.held += len(body)

    def on_message_complete(self) -> None:
        if self.head_done:
            self.complete = True

    # -- used by the client -------------------------------------------------------------
    def _fail(self, error: UpstreamError) -> None:
        if self.error is None and not self.complete:
            self.error = error
        self.close()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, timeout: float) -> None:
        """Until the parser has something new (or the connection ended)."""
        self._waiter = self._loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                await self._waiter
        except TimeoutError:
            self.close()
            raise UpstreamError("too-slow", "the upstream sent nothing in time") from None
        finally:
            self._waiter = None

    def take(self) -> bytes:
        """The body bytes read so far (empty when none)."""
        if not self.body:
            return b""
        data = self.body.popleft() if len(self.body) == 1 else b"".join(self.body)
        self.body.clear()
        self.held = 0
        if self._paused and self.transport is not None and not self.closed:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def write(self, data: bytes) -> None:
        if self.closed or self.transport is None:
            raise UpstreamError("closed", "the upstream's connection closed")
        self.transport.write(data)
        if self._can_write is not None and not self._can_write.done():
            await self._can_write
        if self.closed and not self.head_done:
            raise UpstreamError("closed", "the upstream's connection closed")

    @property
    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class UpstreamResponse:
    """An answer whose head has arrived; `chunks()` gives its body, `aclose()` ends it."""

    def __init__(self, upstream: Upstream, connection: _Connection, read_timeout: float) -> None:
        self._upstream = upstream
        self._connection = connection
        self._read_timeout = read_timeout
        self._done = False
        self.status_code = connection.status
        self.headers: list[tuple[str, str]] = connection.headers

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives, raw: each piece is what came since the last one."""
        connection = self._connection
        while not self._done:
            data = connection.take()
            if data:
                yield data
                continue
            if connection.error is not None:
                raise connection.error
            if connection.complete:
                self._done = True
                return
            await connection.wait(self._read_timeout)

    async def aclose(self) -> None:
        """Give the connection back when the answer was read whole, else close it."""
        connection = self._connection
        if self._done and connection.keep_alive and connection.error is None:
            self._upstream.release(connection)
        else:
            connection.close()


def _checked(text: str, what: str) -> str:
    if any(c in text for c in _FORBIDDEN):
        raise UpstreamError(
            "closed", f"the request could not be forwarded: a {what} holds CR, LF or NUL"
        )
    return text


class Upstream:
    """Requests to one origin (and base path), over kept-alive connections."""

    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float) -> None:
        parts = urlsplit(base_url)
        self.secure = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.secure else 80)
        default = (self.secure and self.port == 443) or (not self.secure and self.port == 80)
        self.authority = parts.netloc.rsplit("@", 1)[-1] if not default else self.host
        if ":" in self.host and not self.authority.startswith("["):
            self.authority = f"[{self.host}]" + ("" if default else f":{self.port}")
        self.base_path = parts.path.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: list[_Connection] = []
        self._tls = ssl.create_default_context() if self.secure else None

    async def _connect(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(
                    _Connection,
                    self.host,
                    self.port,
                    ssl=self._tls,
                    server_hostname=self.host if self._tls else None,
                )
        except TimeoutError:
            raise UpstreamError(
                "cannot-reach", "cannot reach the upstream (connect timeout)"
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamError("cannot-reach", f"cannot reach the upstream: {exc}") from None
        return connection

    def release(self, connection: _Connection) -> None:
        if connection.usable and len(self._idle) < _MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    async def send(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | AsyncIterator[bytes],
    ) -> UpstreamResponse:
        """Send one request; return once the answer's head has arrived."""
        connection = await self._connect()
        try:
            return await self._exchange(connection, method, target, headers, body)
        except BaseException:
            connection.close()  # cut short (an error, a timeout, a cancel): never reused
            raise

    def _head(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: object
    ) -> tuple[bytes, bool]:
        """The request's head, and whether its body goes in chunks."""
        chunked = False
        names = {name.lower() for name, _ in headers}
        lines = [
            f"{_checked(method, 'method')} {_checked(self.base_path + target, 'target')} HTTP/1.1",
            f"host: {self.authority}",
        ]
        lines += [
            f"{_checked(k, 'header name')}: {_checked(v, 'header value')}" for k, v in headers
        ]
        if isinstance(body, bytes):
            if body and "content-length" not in names:
                lines.append(f"content-length: {len(body)}")
        elif "content-length" not in names:
            lines.append("transfer-encoding: chunked")
            chunked = True
        lines.append("\r\n")
        return "\r\n".join(lines).encode("latin-1"), chunked

    async def _exchange(
        self,
        connection: _Connection,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | AsyncIterator[bytes],
    ) -> UpstreamResponse:
        try:
            head, chunked = self._head(method, target, headers, body)
        except UnicodeEncodeError:
            raise UpstreamError(
                "closed", "the request could not be forwarded: a header is not latin-1"
            ) from None
        connection.expect(head_only=method.upper() == "HEAD")
        if isinstance(body, bytes):
            if len(body) <= _COALESCE:
                await connection.write(head + body)
            else:
                await connection.write(head)
                await connection.write(body)
        else:
            await connection.write(head)
            async for chunk in body:
                if not chunk:
                    continue
                if chunked:
                    await connection.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                else:
                    await connection.write(chunk)
            if chunked:
                await connection.write(b"0\r\n\r\n")
        while not connection.head_done:
            if connection.error is not None:
                raise connection.error
            await connection.wait(self.read_timeout)
        return UpstreamResponse(self, connection, self.read_timeout)

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
