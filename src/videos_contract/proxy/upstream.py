"""The proxy's HTTP/1.1 client to its upstream: asyncio protocols with a C parser (httptools,
the parser uvicorn uses), kept-alive connections, events delivered by callback.

A general-purpose client (httpx) costs the proxy several times what the exchange itself
costs on a small machine, and so does a pure-Python parser (h11), and so does every hop
through the event loop between a socket read and the write it causes: here the bytes of an
answer reach the exchange (`Listener`) in the very callback that read them. This client does
only what forwarding needs: send a request as given, hand the answer's head and body to the
listener raw (never decoded), and take the connection back for the next request once the
answer came whole. It never retries and never follows a redirect; a pooled connection the
server has closed is dropped before it is used.

Bounded: an answer's head may take at most `MAX_HEAD` bytes; the listener pauses and resumes
reading (`pause`/`resume`) to hold a body no faster than it can pass it on.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from typing import Protocol, cast
from urllib.parse import urlsplit

import httptools

__all__ = ["MAX_HEAD", "Connection", "Listener", "Upstream", "UpstreamError"]

_MAX_IDLE = 32
# A body of declared length from this size on is passed on as read, past the parser.
_BYPASS = 64 * 1024
# The largest answer head accepted (status line and headers).
MAX_HEAD = 64 * 1024


class UpstreamError(Exception):
    """No usable answer: `kind` is `cannot-reach`, `closed` or `too-slow`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Listener(Protocol):
    """What hears one answer: its head, its body as it comes, its end or its failure."""

    def upstream_head(self, status: int, headers: list[tuple[str, str]]) -> None: ...
    def upstream_body(self, data: bytes) -> None: ...
    def upstream_done(self) -> None: ...
    def upstream_failed(self, error: UpstreamError) -> None: ...
    def upstream_writable(self) -> None: ...


class Connection(asyncio.Protocol):
    """One connection to the upstream, one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.listener: Listener | None = None
        self.keep_alive = False
        self.write_paused = False
        self._head_only = False
        self._head_done = False
        self._complete = False
        self._head_bytes = 0
        self._delimited = False
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        # Bytes of a large body of declared length still to come: they bypass the parser
        # (`_raw`); a small body goes through it, and the parser serves the next answer too.
        self._left: int | None = None
        self._bypassed = False
        self._parser = httptools.HttpResponseParser(self)

    # -- the exchange's side ------------------------------------------------------------
    def start(self, listener: Listener, head: bytes, *, head_only: bool) -> None:
        """Send a request's head (and body, when it comes with it) for `listener`."""
        self.listener = listener
        self._head_only = head_only
        self._head_done = self._complete = False
        self._head_bytes = 0
        self.keep_alive = False
        if self._bypassed:
            # The last body went past the parser, which still waits for it: a new one.
            self._parser = httptools.HttpResponseParser(self)
            self._bypassed = False
        self._left = None
        self.write(head)

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(data)

    def pause(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    @property
    def reusable(self) -> bool:
        return self._complete and self.keep_alive and self.usable

    @property
    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    def close(self) -> None:
        self.closed = True
        self.listener = None
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: UpstreamError) -> None:
        listener = self.listener
        self.close()
        if listener is not None and not self._complete:
            listener.upstream_failed(error)

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.listener is None or self._complete:
            if data.strip():
                # Bytes nobody asked for: the connection cannot be trusted with another one.
                self._fail(UpstreamError("closed", "the upstream sent bytes nobody asked for"))
            return
        left = self._left
        if left is not None and self._head_done:
            self._bypassed = True
            self._raw(data, left)
            return
        if not self._head_done:
            self._head_bytes += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamError("closed", "the upstream switched protocols"))
            return
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            error = (
                cause
                if isinstance(cause, UpstreamError)
                else UpstreamError("closed", f"the upstream broke HTTP/1.1: {exc}")
            )
            self._fail(error)
            return
        if not self._head_done and self._head_bytes > MAX_HEAD:
            self._fail(
                UpstreamError("closed", f"the upstream's answer head passed {MAX_HEAD} bytes")
            )

    def _raw(self, data: bytes, left: int) -> None:
        """A piece of a body of declared length, passed on as read (no parser, no copy)."""
        listener = self.listener
        assert listener is not None
        size = len(data)
        if size < left:
            self._left = left - size
            listener.upstream_body(data)
            return
        self._left = None
        listener.upstream_body(data if size == left else data[:left])
        if size > left and data[left:].strip():
            self._fail(UpstreamError("closed", "the upstream sent more than it declared"))
            return
        self._complete = True
        if self.listener is not None:
            self.listener.upstream_done()

    def eof_received(self) -> bool | None:
        self._ended()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended()
        listener = self.listener
        if self.write_paused and listener is not None:
            self.write_paused = False
            listener.upstream_writable()
        self.closed = True

    def _ended(self) -> None:
        listener = self.listener
        if listener is None or self._complete:
            self.closed = True
            return
        if self._head_done and not self._delimited:
            # An answer with neither a length nor chunks ends when the connection does.
            self._complete = True
            self.keep_alive = False
            self.closed = True
            listener.upstream_done()
            return
        where = "mid-answer" if self._head_done else "without answering"
        self._fail(UpstreamError("closed", f"the upstream closed the connection {where}"))

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.listener is not None:
            self.listener.upstream_writable()

    # -- httptools callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self._head_done:
            # A second answer to one request: nothing of it may reach the client.
            raise UpstreamError("closed", "the upstream sent a second answer to one request")
        self._headers = []

    def on_header(self, name: bytes, value: bytes) -> None:
        # Names in lower case, as everywhere in the proxy (HTTP/1.1 ignores their case).
        self._headers.append((name.lower().decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:
            return  # 100 Continue and the like: the answer is still to come
        self._head_done = True
        self._status = status
        self.keep_alive = self._parser.should_keep_alive()
        length = None
        chunked = False
        for name, value in self._headers:
            if name == "content-length":
                length = value
            elif name == "transfer-encoding":
                chunked = True
        self._delimited = status in (204, 304) or chunked or length is not None
        if length is not None and not chunked and not self._head_only:
            size = int(length)
            if size >= _BYPASS and status not in (204, 304):
                # The parser counts this body's first bytes (read with the head); the rest
                # bypasses it (`_raw`).
                self._left = size
        listener = self.listener
        if listener is not None:
            listener.upstream_head(status, self._headers)
        if self._head_only and not self.closed:
            # The answer to HEAD has no body whatever its headers say; the parser cannot be
            # told so, so the connection is not used again.
            self._complete = True
            self.keep_alive = False
            if self.listener is not None:
                self.listener.upstream_done()

    def on_body(self, body: bytes) -> None:
        if self._left is not None:
            self._left -= len(body)
        listener = self.listener
        if listener is not None and not self._head_only:
            listener.upstream_body(body)

    def on_message_complete(self) -> None:
        self._left = None
        if self._head_done and not self._complete:
            self._complete = True
            listener = self.listener
            if listener is not None:
                listener.upstream_done()


class Upstream:
    """Requests to one origin (and base path), over kept-alive connections."""

    def __init__(self, base_url: str, *, connect_timeout: float) -> None:
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
        self._idle: list[Connection] = []
        self._tls = ssl.create_default_context() if self.secure else None

    def idle(self) -> Connection | None:
        """A kept-alive connection ready for a request, if one is at hand."""
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close()
        return None

    async def connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(
                    Connection,
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

    def release(self, connection: Connection) -> None:
        """Take a connection back after its answer; kept when it can carry another."""
        connection.listener = None
        if connection.reusable and len(self._idle) < _MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    def head(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        *,
        length: int | None,
    ) -> bytes:
        """A request's head; `length` None: the body follows in chunks."""
        lines = [f"{method} {self.base_path}{target} HTTP/1.1", f"host: {self.authority}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if length is None:
            if not any(name.lower() == "content-length" for name, _ in headers):
                lines.append("transfer-encoding: chunked")
        elif length and not any(name.lower() == "content-length" for name, _ in headers):
            lines.append(f"content-length: {length}")
        lines.append("\r\n")
        text = "\r\n".join(lines)
        # Each line ends in CR LF and holds no other CR, LF or NUL (no header smuggled in).
        if "\0" in text or text.count("\n") != len(lines) or text.count("\r") != len(lines):
            raise UpstreamError(
                "closed", "the request could not be forwarded: a header holds CR, LF or NUL"
            )
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError:
            raise UpstreamError(
                "closed", "the request could not be forwarded: a header is not latin-1"
            ) from None

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
