"""The proxy's side towards its clients: an HTTP/1.1 server on an asyncio protocol with the
httptools parser, and the loop that serves it.

Each connection parses its requests and hands each one to an `app.Exchange`, one at a time
and in order (a pipelined request waits, unread further, for the answer before it). What
uvicorn used to guarantee, this guarantees: a request head of at most `MAX_HEAD` bytes that
must come within `HEAD_TIMEOUT` seconds of the connection going idle, an unreadable request
answered 400 (431 for a head too large) in the API's error shape and the connection closed,
`Expect: 100-continue` answered, connection headers honoured, and on stop: no new connection,
idle ones closed, exchanges in flight given `GRACEFUL_SECONDS` to end.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, cast

import httptools

from videos_contract.http_rules import error_bytes
from videos_contract.proxy.app import Exchange, ValidatingProxy, answer_head

__all__ = [
    "GRACEFUL_SECONDS",
    "HEAD_TIMEOUT",
    "MAX_HEAD",
    "ClientConnection",
    "ProxyServer",
    "Request",
]

# The largest request head accepted (request line and headers).
MAX_HEAD = 64 * 1024
# Seconds a connection may stay without a whole request head (idle or sending one).
HEAD_TIMEOUT = 30.0
# Exchanges in flight at Ctrl-C or SIGTERM get this long to finish (and be checked).
GRACEFUL_SECONDS = 10.0
# How often timeouts are looked at (their resolution).
_SWEEP_SECONDS = 0.1
# Bytes the client's socket may have waiting to go out before the upstream is read no more.
_WRITE_HIGH = 1024 * 1024


@dataclass
class Request:
    """A request's head as the client sent it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    # Content-Length, when given; a body without one comes in chunks.
    declared: int | None
    has_body: bool
    expects_continue: bool
    keep_alive: bool
    # HTTP/1.0: no chunked answer; a body of unknown length ends with the connection.
    http10: bool = False


def _try_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # uvloop has no Windows build: the standard loop there
        return None
    return cast(Callable[[], asyncio.AbstractEventLoop], uvloop.new_event_loop)


class ClientConnection(asyncio.Protocol):
    """One client's connection: its requests parsed, answered one after the other."""

    def __init__(self, server: ProxyServer) -> None:
        self.server = server
        self.proxy = server.proxy
        self.transport: asyncio.Transport | None = None
        self.write_paused = False
        self._parser = httptools.HttpRequestParser(self)
        self._exchanges: deque[Exchange] = deque()
        # The exchange whose request the parser is reading (the last one begun).
        self._parsing: Exchange | None = None
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._head_bytes = 0
        self._head_size = 0
        self._in_head = False
        # What an unreadable request gets, when the proxy chose it (else 400).
        self._refusal: tuple[int, str] | None = None
        self._closing = False
        self._reading_paused = False
        # Since when the connection has had no request under way (None: it has one).
        self._idle_since: float | None = None

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.set_write_buffer_limits(high=_WRITE_HIGH)
        self.server.connections.add(self)
        self._idle_since = asyncio.get_running_loop().time()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        if self._in_head or self._parsing is None:
            # A head's bytes (and maybe a body's after it in the same read): counted against
            # the limit only while the head is still incomplete after this read.
            self._head_bytes += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            # A request asking to switch protocols (a WebSocket, h2c), without a body: it is
            # forwarded as plain HTTP, its upgrade headers dropped as hop-by-hop, and the
            # connection goes on in HTTP/1.1 with what followed it.
            self._parser = httptools.HttpRequestParser(self)
            offset = upgrade.args[0] if upgrade.args else len(data)
            if isinstance(offset, int) and offset < len(data):
                self.data_received(data[offset:])
        except httptools.HttpParserError as exc:
            if self._refusal is not None:
                self._refuse(*self._refusal)
            else:
                self._refuse(400, f"the request is not readable HTTP/1.1: {exc}")
        else:
            if self._in_head and self._head_bytes > MAX_HEAD:
                self._refuse(431, f"the request head passed {MAX_HEAD} bytes")

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        self.server.connections.discard(self)
        for exchange in self._exchanges:
            exchange.client_lost()
        self._exchanges.clear()

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        if self._exchanges:
            self._exchanges[0].client_writable()

    # -- httptools callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._in_head = True
        self._url = b""
        self._headers = []

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_size = len(self._url)

    def on_header(self, name: bytes, value: bytes) -> None:
        # Names in lower case, as everywhere in the proxy (HTTP/1.1 ignores their case).
        self._headers.append((name.lower().decode("latin-1"), value.decode("latin-1")))
        self._head_size += len(name) + len(value) + 4

    def on_headers_complete(self) -> None:
        if self._head_size > MAX_HEAD:
            self._refusal = (431, f"the request head passed {MAX_HEAD} bytes")
            raise ValueError(self._refusal[1])  # the parser stops: nothing is forwarded
        self._in_head = False
        self._head_bytes = 0
        self._idle_since = None
        parser = self._parser
        headers = self._headers
        declared: int | None = None
        chunked = False
        expects = False
        for name, value in headers:
            if name == "content-length":
                declared = int(value.strip())
            elif name == "transfer-encoding":
                chunked = True
                if value.rsplit(",", 1)[-1].strip().lower() != "chunked":
                    # RFC 9112: a request body's length is then unknowable.
                    self._refusal = (400, "a request's last transfer coding must be chunked")
                    raise ValueError(self._refusal[1])
            elif name == "expect":
                expects = value.strip().lower() == "100-continue"
        if parser.should_upgrade() and (chunked or declared):
            # The parser would pass the body by as the new protocol's bytes.
            self._refusal = (400, "a request that asks to switch protocols may have no body")
            raise ValueError(self._refusal[1])
        request = Request(
            method=parser.get_method().decode("latin-1"),
            target=self._url.decode("latin-1"),
            headers=headers,
            declared=None if chunked else declared,
            has_body=chunked or bool(declared),
            expects_continue=expects,
            keep_alive=parser.should_keep_alive(),
            http10=parser.get_http_version() == "1.0",
        )
        exchange = self.proxy.exchange(self, request)
        self._parsing = exchange
        self._exchanges.append(exchange)
        if len(self._exchanges) == 1:
            exchange.start()
        else:
            self.pause_reading()  # pipelined: read on once the answers before it went out

    def on_body(self, body: bytes) -> None:
        if self._parsing is not None:
            self._parsing.client_body(body)

    def on_message_complete(self) -> None:
        parsing, self._parsing = self._parsing, None
        if parsing is not None:
            parsing.client_body_done()

    # -- used by the exchange -----------------------------------------------------------
    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def framed(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """An answer's headers as they go out on this connection (`Connection: close` when
        it is the last)."""
        current = self._exchanges[0] if self._exchanges else None
        last = (
            self._closing
            or self.server.stopping
            or (current is not None and not (current.request.keep_alive and current.body_done))
        )
        return [*headers, ("connection", "close")] if last else headers

    def pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self._reading_paused and self.transport is not None and not self._closing:
            self._reading_paused = False
            self.transport.resume_reading()

    def abort(self) -> None:
        self._closing = True
        if self.transport is not None:
            self.transport.abort()

    def exchange_ended(self, exchange: Exchange, *, clean: bool) -> None:
        """`exchange`'s answer went out: the next request, or the end of the connection."""
        if self._exchanges and self._exchanges[0] is exchange:
            self._exchanges.popleft()
        if not clean or not exchange.request.keep_alive or self.server.stopping:
            self.close()
            return
        if self._exchanges:
            self._exchanges[0].start()
            if len(self._exchanges) == 1:
                self.resume_reading()
        else:
            self.resume_reading()
            self._idle_since = asyncio.get_running_loop().time()

    # -- the connection -----------------------------------------------------------------
    def close(self) -> None:
        """Close once what was written went out."""
        self._closing = True
        if self.transport is not None:
            self.transport.close()

    @property
    def idle(self) -> bool:
        return not self._exchanges

    def sweep(self, now: float) -> None:
        """Close the connection when no whole request head came in `HEAD_TIMEOUT` seconds."""
        since = self._idle_since
        if since is not None and now - since > HEAD_TIMEOUT and not self._exchanges:
            self.close()

    def _refuse(self, status: int, message: str) -> None:
        """An unreadable request: an error answer, if none is being given, and the end."""
        if self._exchanges:
            self.abort()  # an answer is under way: the connection can only break
            return
        body = error_bytes(message, "invalid_request_error", code="invalid_request")
        headers = [
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            ("connection", "close"),
        ]
        self.write(answer_head(status, headers) + body)
        self.close()


class ProxyServer:
    """Serves a `ValidatingProxy` on listening sockets until `should_exit` (what
    `listening.served_in_thread` needs of a server), or Ctrl-C/SIGTERM in the main thread."""

    def __init__(self, proxy: ValidatingProxy, *, graceful: float = GRACEFUL_SECONDS) -> None:
        self.proxy = proxy
        self.graceful = graceful
        self.started = False
        self.should_exit = False
        self.stopping = False
        self.connections: set[ClientConnection] = set()
        self._force = False

    def run(self, sockets: Sequence[socket.socket] | None = None) -> None:
        with asyncio.Runner(loop_factory=_try_loop_factory()) as runner:
            runner.run(self.serve(list(sockets or [])))

    async def serve(self, sockets: list[socket.socket]) -> None:
        loop = asyncio.get_running_loop()
        servers = [
            await loop.create_server(lambda: ClientConnection(self), sock=sock, backlog=2048)
            for sock in sockets
        ]
        previous: dict[signal.Signals, Any] = {}
        added: list[signal.Signals] = []
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                before = signal.getsignal(signum)
                try:
                    loop.add_signal_handler(signum, self._stop_now)
                except NotImplementedError:  # Windows' loops: a plain handler
                    signal.signal(signum, self._signalled)
                else:
                    added.append(signum)
                previous[signum] = before
        # What was loaded to start (the spec, its validators, the decoders' modules) lives
        # as long as the process: the collector need not walk it after every few hundred
        # objects an exchange makes.
        if __import__("os").environ.get("FREEZE"):
            gc.freeze()
        self.started = True
        try:
            while not self.should_exit:
                await asyncio.sleep(_SWEEP_SECONDS)
                self._sweep(loop.time())
            await self._shutdown(servers)
        finally:
            for signum, before in previous.items():
                if signum in added:
                    loop.remove_signal_handler(signum)
                signal.signal(signum, before)

    def _sweep(self, now: float) -> None:
        """One timer for every timeout: exchanges waiting too long for the upstream, and
        connections waiting too long for a request."""
        self.proxy.sweep(now)
        for connection in list(self.connections):
            connection.sweep(now)

    def _signalled(self, signum: int, frame: FrameType | None) -> None:
        self._stop_now()

    def _stop_now(self) -> None:
        """Ctrl-C or SIGTERM: stop gracefully; a second one: stop at once."""
        if self.should_exit:
            self._force = True
        self.should_exit = True

    async def _shutdown(self, servers: list[asyncio.Server]) -> None:
        self.stopping = True
        for server in servers:
            server.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.graceful
        while loop.time() < deadline and not self._force:
            for connection in list(self.connections):
                if connection.idle:
                    connection.close()
            # Answers going out, and assets being decoded after theirs went out.
            if not self.connections and self.proxy.busy == 0:
                break
            await asyncio.sleep(0.02)
            self.proxy.sweep(loop.time())
        for connection in list(self.connections):
            connection.abort()
        self.proxy.close()
        await asyncio.sleep(0)  # the aborted connections' callbacks
