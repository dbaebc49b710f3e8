"""The relay's HTTP/1.1 client to its upstream: h11 (the maintained parser uvicorn and httpcore
use) on an asyncio protocol, with kept-alive connections to one origin.

It sends a request as given and hands back the answer's head and its body as it comes, raw
(never decoded); it never retries and never follows a redirect. What a general-purpose client
leaves to chance, it decides:

* a connection carries another request only when its last answer ended cleanly and nothing
  else came after it: an upstream that sends a second answer to one request (in the same read
  or later, while the connection is idle) has the connection closed, so that answer reaches
  no request (httpcore's pool keeps such bytes in its parser's buffer and reads them as the
  next request's answer);
* an answer head may take `MAX_HEAD` bytes in all, however many pieces it comes in; trailer
  fields end the body and are dropped (never merged into the head); a transfer coding other
  than `chunked`, a second `Content-Length`, and every other framing h11 refuses are
  `UpstreamError("closed", ...)`: what the upstream really did;
* the body is read no faster than the caller takes it (`Answer.chunks`): one read is held at
  a time, the socket is not read meanwhile. A body of declared length from 64 KiB on (an
  asset) is read past the parser, its bytes only counted (h11 would copy each piece it
  frames out of its buffer); its connection is not reused after it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import cast
from urllib.parse import urlsplit

import h11

from videos_contract.relay.rules import MAX_HEAD

__all__ = ["MAX_HEAD", "Answer", "Connector", "Upstream", "UpstreamError"]

# What connects a new connection's protocol to a transport (calls its `connection_made`);
# None: a TCP (or TLS) connection to the upstream. Tests drive the relay without sockets by
# connecting it to a scripted transport.
Connector = Callable[[asyncio.Protocol], Awaitable[None]]

# A body of declared length from this size on is read past the parser (an asset).
_BYPASS = 64 * 1024
# Kept-alive connections held at most.
_MAX_IDLE = 32


class UpstreamError(Exception):
    """No usable answer: `kind` is `cannot-reach`, `closed` or `too-slow`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Connection(asyncio.Protocol):
    """One connection to the upstream; its bytes fed to h11 as they are asked for."""

    def __init__(self) -> None:
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        # An exchange is under way (bytes are expected); else any byte spoils the connection.
        self.busy = True
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._write_paused = False
        self._reading = True
        self._eof_fed = False
        # A large body of declared length is read past the parser (`raw`): its pieces here.
        self._raw: deque[bytes] | None = None

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if not self.busy:
            # Bytes nobody asked for (a stray answer): the connection carries nothing more.
            self.close()
            return
        if self._raw is not None:
            self._raw.append(data)
        else:
            self.h11.receive_data(data)
        if self._waiter is None:
            self._pause()  # nobody is reading: hold this read, take no more
        self._wake()

    def eof_received(self) -> bool | None:
        self.closed = True
        self._wake()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    # -- the exchange's side ------------------------------------------------------------
    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _pause(self) -> None:
        if self._reading and self.transport is not None and not self.closed:
            self._reading = False
            self.transport.pause_reading()

    def _resume(self) -> None:
        if not self._reading and self.transport is not None and not self.closed:
            self._reading = True
            self.transport.resume_reading()

    @property
    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    async def send(self, *events: h11.Event) -> None:
        """Send h11 events in one write, waiting while the upstream takes no more."""
        try:
            data = b"".join([self.h11.send(event) or b"" for event in events])
        except h11.LocalProtocolError as exc:
            raise UpstreamError("closed", f"the request could not be forwarded: {exc}") from None
        if not data:
            return
        if not self.usable:
            raise UpstreamError("closed", "the upstream closed the connection without answering")
        assert self.transport is not None
        self.transport.write(data)
        while self._write_paused and not self.closed:
            self._drained = asyncio.get_running_loop().create_future()
            await self._drained

    async def next_event(self) -> h11.Event | type[h11.PAUSED]:
        """The next event of the answer (reading the socket as needed)."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                self.close()
                if self._eof_fed:
                    raise UpstreamError(
                        "closed", f"the upstream closed the connection mid-answer ({exc})"
                    ) from None
                raise UpstreamError("closed", f"the upstream broke HTTP/1.1: {exc}") from None
            if event is not h11.NEED_DATA:
                return cast("h11.Event | type[h11.PAUSED]", event)
            if self.closed:
                if not self._eof_fed:
                    if self.h11.their_state is h11.SEND_RESPONSE and not self.h11.trailing_data[0]:
                        raise UpstreamError(
                            "closed", "the upstream closed the connection without answering"
                        )
                    self._eof_fed = True
                    self.h11.receive_data(b"")  # a body that ends with the connection ends
                    continue
                raise UpstreamError("closed", "the upstream closed the connection mid-answer")
            self._waiter = asyncio.get_running_loop().create_future()
            self._resume()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def go_raw(self) -> bytes:
        """Read the rest of the connection past the parser (it is never reused after);
        what the parser held unread."""
        self._raw = deque()
        return self.h11.trailing_data[0]

    async def raw_read(self) -> bytes | None:
        """The next piece read past the parser; None once the connection closed."""
        raw = self._raw
        assert raw is not None
        while not raw:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            self._resume()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return raw.popleft()

    @property
    def reusable(self) -> bool:
        """The answer ended cleanly, the upstream keeps the connection, nothing came after."""
        state = self.h11
        if not self.usable or state.our_state is not h11.DONE or state.their_state is not h11.DONE:
            return False
        data, closed = state.trailing_data
        return not data and not closed

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()
        self._wake()


class Answer:
    """An answer's head, and its body as it comes (`chunks`); `close` ends it either way."""

    def __init__(
        self,
        upstream: Upstream,
        connection: _Connection,
        status: int,
        headers: list[tuple[str, str]],
        method: str,
    ) -> None:
        self.status = status
        self.method = method
        # Names in lower case, as everywhere in the relay (HTTP/1.1 ignores their case).
        self.headers = headers
        self.complete = False
        self._upstream = upstream
        self._connection: _Connection | None = connection

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        """The body's bytes as they come; trailer fields end it, dropped."""
        connection = self._connection
        if connection is None:
            return
        length = self._bypassed_length()
        if length is not None:
            async for piece in self._raw(connection, length):
                yield piece
            return
        while True:
            event = await connection.next_event()
            if isinstance(event, h11.Data):
                if event.data:
                    yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self.complete = True
                return
            else:
                connection.close()
                raise UpstreamError("closed", f"the upstream sent {type(event).__name__} mid-body")

    def _bypassed_length(self) -> int | None:
        """The length of a body large enough to be read past the parser, if it has one."""
        if self.method == "HEAD" or self.status in (204, 304):
            return None
        lengths = [value for name, value in self.headers if name == "content-length"]
        if len(lengths) != 1 or any(name == "transfer-encoding" for name, _ in self.headers):
            return None
        length = int(lengths[0])  # h11 read it as a length already
        return length if length >= _BYPASS else None

    async def _raw(self, connection: _Connection, length: int) -> AsyncGenerator[bytes, None]:
        """A body of declared length, read past the parser: h11 framed the head; the body's
        bytes are only counted, and the connection is not reused after it."""
        left = length
        piece = connection.go_raw()[:left]
        while True:
            if piece:
                left -= len(piece)
                yield piece
            if left == 0:
                self.complete = True
                return
            data = await connection.raw_read()
            if data is None:
                raise UpstreamError(
                    "closed",
                    f"the upstream closed the connection mid-answer ({length - left} of "
                    f"{length} bytes)",
                )
            piece = data if len(data) <= left else data[:left]

    def close(self) -> None:
        """The exchange is over: the connection kept for another request only if the answer
        came whole and clean (else closed)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self.complete and connection.reusable:
            self._upstream._release(connection)
        else:
            connection.close()


class Upstream:
    """Requests to one origin (and base path), over kept-alive connections."""

    def __init__(
        self, base_url: str, *, connect_timeout: float, connector: Connector | None = None
    ) -> None:
        parts = urlsplit(base_url)
        self.secure = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.secure else 80)
        default = (self.secure and self.port == 443) or (not self.secure and self.port == 80)
        self.authority = self.host if default else parts.netloc.rsplit("@", 1)[-1]
        if ":" in self.host and not self.authority.startswith("["):
            self.authority = f"[{self.host}]" + ("" if default else f":{self.port}")
        self.base_path = parts.path.rstrip("/")
        self.connect_timeout = connect_timeout
        self._idle: list[_Connection] = []
        self._tls = ssl.create_default_context() if self.secure else None
        self._connector = connector

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                connection.busy = True
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                if self._connector is not None:
                    connection = _Connection()
                    await self._connector(connection)
                    return connection
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

    def _release(self, connection: _Connection) -> None:
        connection.busy = False
        connection.h11.start_next_cycle()
        connection._resume()  # idle, it is read: a stray byte or the close is seen at once
        if len(self._idle) < _MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    async def send(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | AsyncIterator[bytes] = b"",
    ) -> Answer:
        """Send a request (its `Host` from the upstream's URL, its body whole or as it comes:
        `headers` then carry its framing) and return its answer's head.

        The caller reads the body with `Answer.chunks` and calls `Answer.close` at the end."""
        connection = await self._connection()
        try:
            try:
                request = h11.Request(
                    method=method,
                    target=f"{self.base_path}{target}",
                    headers=[("host", self.authority), *headers],
                )
            except h11.LocalProtocolError as exc:
                raise UpstreamError(
                    "closed", f"the request could not be forwarded: {exc}"
                ) from None
            if isinstance(body, bytes):
                # A whole request in one write.
                events: list[h11.Event] = [request]
                if body:
                    events.append(h11.Data(data=body))
                await connection.send(*events, h11.EndOfMessage())
            else:
                await connection.send(request)
                async for chunk in body:
                    if chunk:
                        await connection.send(h11.Data(data=chunk))
                await connection.send(h11.EndOfMessage())
            while True:
                event = await connection.next_event()
                if isinstance(event, h11.InformationalResponse):
                    continue  # 100 Continue and the like: the answer is still to come
                if isinstance(event, h11.Response):
                    size = sum(len(name) + len(value) + 4 for name, value in event.headers)
                    if size > MAX_HEAD:
                        # h11 bounds a head that comes in pieces; one read whole, here.
                        raise UpstreamError(
                            "closed", f"the upstream's answer head passed {MAX_HEAD} bytes"
                        )
                    headers_in = [
                        (name.decode("latin-1"), value.decode("latin-1"))
                        for name, value in event.headers
                    ]
                    return Answer(self, connection, event.status_code, headers_in, method)
                connection.close()
                raise UpstreamError(
                    "closed", "the upstream closed the connection without answering"
                )
        except BaseException:
            connection.close()
            raise

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
