"""The relay's side towards its clients: uvicorn's h11 protocol (h11 is the stricter of
uvicorn's two parsers), with what a relay owes its clients that uvicorn leaves out.

* Refusals of unreadable requests in the API's error shape: 431 `request_header_too_large`
  when the head passed the parser's limit, 400 `invalid_request` otherwise; the connection
  is closed either way. uvicorn answers a plain-text 400 itself.
* No answer lost: when bytes that cannot be read follow a request being answered (a request
  with `Connection: close` and more bytes in the same write, a valid request then garbage),
  uvicorn answers them 400 at once and the answer under way never reaches its client. Here
  the answer under way goes out first; the connection then ends (refused with a 400 when it
  was to go on).
* A bound on the time a client may take to send a request head (`HEAD_TIMEOUT_ATTRIBUTE` on
  the uvicorn config): a client trickling header bytes, or connecting and sending nothing,
  would otherwise hold its connection for ever. Past the limit a partial head is answered 408
  `request_timeout`, and an empty connection is closed.

`request_refusal` says which well-formed requests a relay must still refuse (RFC 9112/9110:
the Host field, the request line's version and method, framing h11 accepts but a relay
cannot forward).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Generator
from typing import Any, cast

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from videos_contract.relay.rules import (
    DEFAULT_HEAD_TIMEOUT,
    GRACEFUL_SECONDS,
    HEAD_TIMEOUT_ATTRIBUTE,
    MAX_HEAD,
    error_answer,
    head_too_large,
)

__all__ = [
    "NOT_HTTP",
    "Coalescing",
    "GuardedH11Protocol",
    "HeadGuards",
    "RelayServer",
]

_logger = logging.getLogger("videos_contract.relay")


# Writes are held for the turn of the loop only while they add up to less than this; a
# larger one goes to the transport at once, so that its flow control sees it.
COALESCE_BYTES = 64 * 1024


class Coalescing:
    """A transport whose small writes within one turn of the loop go out as one: an answer's
    head and body in one segment, not two (each segment wakes its reader once more).

    Once the writes held reach `COALESCE_BYTES` they are written at once: a body streamed
    from memory (an app that never waits between its pieces) would otherwise pile up here
    whole, unseen by uvicorn's flow control, which pauses the app only when the transport's
    own buffer is full."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._held = 0

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)
        self._held += len(data)
        if self._held >= COALESCE_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._held = 0
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HeadGuards:
    """What a guarded uvicorn protocol adds, whichever parser it stands on: a head timeout,
    refusals in the API's error shape that never cut an answer under way, and an answer's
    writes coalesced (`Coalescing`).

    A subclass says, from its parser's state, whether a request head is awaited
    (`_awaiting_head`) and whether part of one has arrived (`_partial_head`)."""

    # The uvicorn protocol's own attributes (both of uvicorn's HTTP/1.1 protocols have them).
    config: uvicorn.Config
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any
    flow: Any
    _head_timer: asyncio.TimerHandle | None = None

    def _awaiting_head(self) -> bool:
        raise NotImplementedError

    def _partial_head(self) -> bool:
        raise NotImplementedError

    def _answer_idle(self) -> bool:
        """No answer is under way on the connection."""
        return self.cycle is None or bool(self.cycle.response_complete)

    def _watch_head(self) -> None:
        """Time the head while one is awaited (and the previous answer is out)."""
        if not (self._awaiting_head() and self._answer_idle() and not self.transport.is_closing()):
            self._stop_head_timer()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self._head_timeout(), self._head_timed_out)

    def _head_timeout(self) -> float:
        return float(getattr(self.config, HEAD_TIMEOUT_ATTRIBUTE, DEFAULT_HEAD_TIMEOUT))

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._awaiting_head() or not self._answer_idle() or self.transport.is_closing():
            return
        if self._partial_head():
            self.transport.write(
                error_answer(
                    408,
                    "request_timeout",
                    f"The request head did not arrive within {self._head_timeout():g} seconds.",
                )
            )
        self.transport.close()

    def _refuse(self, answer: bytes) -> None:
        """Answer an unreadable request and end the connection.

        When an answer is under way to a request read whole, that answer goes out whole
        first, and the connection then ends (the bytes after its request are not read). When
        the unreadable bytes are the body of the request under way and its answer has not
        begun, the refusal is its answer: the app reading the body learns that the client
        is gone (it would otherwise wait for the rest until its body timeout)."""
        self._stop_head_timer()
        cycle = self.cycle
        if not self._answer_idle() and not (cycle.more_body and not cycle.response_started):
            cycle.keep_alive = False
            self.flow.pause_reading()
            return
        self.transport.write(answer)
        self.transport.close()


NOT_HTTP = error_answer(400, "invalid_request", "The request is not valid HTTP/1.1.")


class GuardedH11Protocol(HeadGuards, H11Protocol):
    """`H11Protocol` whose parser-level refusals are JSON errors that never cut an answer
    under way, with a head timeout; an answer's writes coalesced (`Coalescing`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = cast(asyncio.Transport, Coalescing(transport, self.loop))
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_head()

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _partial_head(self) -> bool:
        return bool(len(getattr(self.conn, "_receive_buffer", b"")))

    def send_400_response(self, msg: str) -> None:
        limit = getattr(self.conn, "_max_incomplete_event_size", None)
        buffered = len(getattr(self.conn, "_receive_buffer", b""))
        too_large = isinstance(limit, int) and buffered > limit
        self._refuse(head_too_large(limit).answer() if too_large and limit else NOT_HTTP)


def quiet_uvicorn() -> None:
    """uvicorn's own lines about a connection the relay ended on purpose are not errors."""
    logging.getLogger("uvicorn.error").addFilter(_drop_expected)


def _drop_expected(record: logging.LogRecord) -> bool:
    text = str(record.msg)
    return not (
        text.startswith("ASGI callable returned without completing response")
        or text.startswith("Invalid HTTP request received")
    )


class RelayServer(uvicorn.Server):
    """uvicorn's server for a relay's ASGI app: `GuardedH11Protocol`, no Server or Date header
    of its own (a relayed answer keeps the upstream's), no access log, no logging set up
    (it would bind handlers to the stderr of the moment), heads of at most `MAX_HEAD` bytes
    within `head_timeout` seconds, and on stop: no new connection, idle ones closed,
    exchanges in flight given `graceful` seconds to end.

    Ctrl-C or SIGTERM in the main thread stops it gracefully (a second Ctrl-C at once), and
    `run` returns: unlike uvicorn's own, it does not raise the signal again afterwards, so
    that its caller still writes what it must (reports, a cassette)."""

    def __init__(
        self,
        app: Any,
        *,
        head_timeout: float = DEFAULT_HEAD_TIMEOUT,
        graceful: float = GRACEFUL_SECONDS,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        self._on_started = on_started
        config = uvicorn.Config(
            app,
            http=GuardedH11Protocol,
            ws="none",
            lifespan="on",
            log_config=None,
            log_level="error",
            access_log=False,
            # A relay passes X-Forwarded-For on; it does not act on it.
            proxy_headers=False,
            server_header=False,
            date_header=False,
            timeout_keep_alive=int(head_timeout),
            timeout_graceful_shutdown=int(graceful),
            h11_max_incomplete_event_size=MAX_HEAD,
            backlog=2048,
        )
        setattr(config, HEAD_TIMEOUT_ATTRIBUTE, head_timeout)
        super().__init__(config)
        quiet_uvicorn()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's start-up, then `on_started`: the server listens and Ctrl-C is already
        handled, so whatever the caller announces (a URL, "stop with Ctrl-C") is true."""
        await super().startup(sockets)
        if self.started and self._on_started is not None:
            self._on_started()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)
