"""The proxy's HTTP/1.1 client to its upstream: asyncio streams and h11, kept-alive connections.

A general-purpose client (httpx) costs the proxy several times what the exchange itself
costs on a small machine; this one does only what forwarding needs: send a request as given
(its body as bytes or as it comes), read the answer's head, hand out the body as it arrives,
raw (never decoded), and put the connection back for the next request once the answer was
read to its end. It never retries and never follows a redirect. A pooled connection the
server has closed is dropped before it is used, never discovered by sending on it twice.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Sequence
from urllib.parse import urlsplit

import h11

__all__ = ["Upstream", "UpstreamError", "UpstreamResponse"]

_READ = 64 * 1024
_MAX_IDLE = 32
# The largest answer head accepted (status line and headers).
_MAX_HEAD = 64 * 1024


class UpstreamError(Exception):
    """No usable answer: `kind` is `cannot-reach`, `closed` or `too-slow`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)

    @property
    def usable(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


class UpstreamResponse:
    """An answer whose head has arrived; `chunks()` gives its body, `aclose()` ends it."""

    def __init__(
        self,
        upstream: Upstream,
        connection: _Connection,
        head: h11.Response,
        read_timeout: float,
    ) -> None:
        self._upstream = upstream
        self._connection = connection
        self._read_timeout = read_timeout
        self._done = False
        self.status_code = head.status_code
        self.headers: list[tuple[str, str]] = [
            (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
            for k, v in head.headers.raw_items()
        ]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives, raw."""
        while not self._done:
            event = await self._upstream.next_event(self._connection, self._read_timeout)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
            else:
                raise UpstreamError("closed", "the upstream closed the connection mid-answer")

    async def aclose(self) -> None:
        """Give the connection back when the answer was read whole, else close it."""
        conn = self._connection.h11
        if self._done and conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            self._upstream.release(self._connection)
        else:
            self._connection.close()


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
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.host,
                    self.port,
                    ssl=self._tls,
                    server_hostname=self.host if self._tls else None,
                    limit=_READ * 4,
                ),
                self.connect_timeout,
            )
        except TimeoutError:
            raise UpstreamError(
                "cannot-reach", "cannot reach the upstream (connect timeout)"
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamError("cannot-reach", f"cannot reach the upstream: {exc}") from None
        return _Connection(reader, writer)

    def release(self, connection: _Connection) -> None:
        if connection.usable and len(self._idle) < _MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    async def next_event(self, connection: _Connection, timeout: float) -> object:
        """The next h11 event of an answer, reading as needed within `timeout` per read."""
        while True:
            try:
                event = connection.h11.next_event()
            except h11.RemoteProtocolError as exc:
                connection.close()
                raise UpstreamError("closed", f"the upstream broke HTTP/1.1: {exc}") from None
            if event is not h11.NEED_DATA:
                return event
            try:
                # asyncio.timeout, not wait_for: no task made per read.
                async with asyncio.timeout(timeout):
                    data = await connection.reader.read(_READ)
            except TimeoutError:
                connection.close()
                raise UpstreamError("too-slow", "the upstream sent nothing in time") from None
            except OSError as exc:
                connection.close()
                raise UpstreamError("closed", f"the upstream's connection failed: {exc}") from None
            connection.h11.receive_data(data)

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

    async def _exchange(
        self,
        connection: _Connection,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | AsyncIterator[bytes],
    ) -> UpstreamResponse:
        names = {name.lower() for name, _ in headers}
        fields = [("host", self.authority), *headers]
        if isinstance(body, bytes):
            if body and "content-length" not in names:
                fields.append(("content-length", str(len(body))))
        elif "content-length" not in names:
            fields.append(("transfer-encoding", "chunked"))
        try:
            request = h11.Request(method=method, target=self.base_path + target, headers=fields)
            writer = connection.writer
            writer.write(connection.h11.send(request) or b"")
            if isinstance(body, bytes):
                if body:
                    writer.write(connection.h11.send(h11.Data(data=body)) or b"")
            else:
                async for chunk in body:
                    writer.write(connection.h11.send(h11.Data(data=chunk)) or b"")
                    await writer.drain()
            writer.write(connection.h11.send(h11.EndOfMessage()) or b"")
            await writer.drain()
        except h11.LocalProtocolError as exc:
            connection.close()
            raise UpstreamError("closed", f"the request could not be forwarded: {exc}") from None
        except OSError as exc:
            connection.close()
            raise UpstreamError("closed", f"the upstream's connection failed: {exc}") from None
        while True:
            event = await self.next_event(connection, self.read_timeout)
            if isinstance(event, h11.Response):
                return UpstreamResponse(self, connection, event, self.read_timeout)
            if isinstance(event, h11.InformationalResponse):
                continue  # 100 Continue and the like
            connection.close()
            raise UpstreamError("closed", "the upstream closed the connection without answering")

    async def aclose(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
