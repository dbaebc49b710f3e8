"""uvicorn's h11 protocol, with its refusals of unreadable requests in the API's error shape.

A request whose head (request line and headers) outgrows the parser's buffer, or that is not
HTTP/1.1 at all, never reaches the app: uvicorn answers a plain-text 400 itself. This
subclass answers the same cases with the OpenAI-style JSON error, and says which: 431
`request_header_too_large` when the head passed `max_header_bytes`, 400 `invalid_request`
otherwise. The connection is closed either way.

It also bounds the time a client may take to send a request head (`HEAD_TIMEOUT_ATTRIBUTE`
on the uvicorn config, set from `MockConfig.body_timeout_seconds`): uvicorn has no such
limit, so a client trickling header bytes, or connecting and sending nothing, would hold its
connection for ever. Past the limit a partial head is answered 408 `request_timeout`, and an
empty connection is closed.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from videos_contract.http_rules import error_bytes

__all__ = ["DEFAULT_HEAD_TIMEOUT", "HEAD_TIMEOUT_ATTRIBUTE", "GuardedH11Protocol"]

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}
# The uvicorn config attribute that holds the head timeout (it travels to worker processes
# with the config); without it, DEFAULT_HEAD_TIMEOUT applies.
HEAD_TIMEOUT_ATTRIBUTE = "videos_contract_head_timeout"
DEFAULT_HEAD_TIMEOUT = 30.0


def _error(status: int, code: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer carrying the API's JSON error, closing the connection."""
    body = error_bytes(message, "invalid_request_error", code=code)
    head = (
        f"HTTP/1.1 {status} {_REASONS[status].decode()}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class GuardedH11Protocol(H11Protocol):
    """`H11Protocol` whose parser-level refusals are JSON errors, with a head timeout."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _watch_head(self) -> None:
        """Time the head while one is awaited (and the previous answer is out)."""
        awaiting = (
            self.conn.their_state is h11.IDLE
            and not self.transport.is_closing()
            and (self.cycle is None or self.cycle.response_complete)
        )
        if not awaiting:
            self._stop_head_timer()
        elif self._head_timer is None:
            timeout = getattr(self.config, HEAD_TIMEOUT_ATTRIBUTE, DEFAULT_HEAD_TIMEOUT)
            self._head_timer = self.loop.call_later(float(timeout), self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return
        if len(getattr(self.conn, "_receive_buffer", b"")):
            timeout = getattr(self.config, HEAD_TIMEOUT_ATTRIBUTE, DEFAULT_HEAD_TIMEOUT)
            self.transport.write(
                _error(
                    408,
                    "request_timeout",
                    f"The request head did not arrive within {float(timeout):g} seconds.",
                )
            )
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        limit = getattr(self.conn, "_max_incomplete_event_size", None)
        buffered = len(getattr(self.conn, "_receive_buffer", b""))
        if isinstance(limit, int) and buffered > limit:
            answer = _error(
                431,
                "request_header_too_large",
                f"The request head is larger than this server accepts ({limit} bytes).",
            )
        else:
            answer = _error(400, "invalid_request", "The request is not valid HTTP/1.1.")
        self._stop_head_timer()
        self.transport.write(answer)
        self.transport.close()
