"""The mock's HTTP/1.1 protocol: uvicorn's httptools protocol (llhttp, the parser Node.js
uses) with the relay front's guards (`videos_contract.relay.front.HeadGuards`), so that the
mock refuses unreadable requests as the proxy does, in the API's error shape:

* 400 `invalid_request` for what llhttp cannot parse, and for heads it lets by that the
  relay's h11 refuses or that RFC 9112 says to refuse (`relay.rules.head_refusal`: no `Host`
  in HTTP/1.1, several, an HTTP version other than 1.0 and 1.1 (505), `CONNECT` (501), after
  whose head llhttp would read the body as the next request);
* 431 `request_header_too_large` for a head that keeps growing past the limit
  (`HEAD_LIMIT_ATTRIBUTE` on the uvicorn config, set from `MockConfig.max_header_bytes`);
  uvicorn's httptools protocol has no such bound. The bytes of a head are counted from the
  read after the one it began in, so what is buffered stays under the limit plus one read;
  a head that came whole is measured exactly by the app (`MockService`). The reads of a body
  that carry none of it (chunk framing, trailer fields, which httptools buffers) are bounded
  the same way;
* 408 `request_timeout` for a head that has not fully arrived in time (`HEAD_TIMEOUT_ATTRIBUTE`,
  set from `MockConfig.body_timeout_seconds`); a connection that sends nothing is closed, and
  so is one still sending a body its answer did not wait for, that long after the answer;
* no answer lost: requests read whole (pipelined ones too) are answered before the refusal
  of what follows them, and nothing after that is read; the refusal then ends the
  connection. A pipelined request whose body cannot be read is refused after the answers
  to those before it;
* no `100 Continue` to an HTTP/1.0 client (RFC 9110 §10.1.1);
* a chunked body's trailer fields never join the request's headers (llhttp reports them as
  headers, and uvicorn appends them to the list the app holds).

Why not h11, as the relay: on llhttp the mock's create costs about half the CPU (0.11 against
0.21 ms under load in `make bench`, 2026-12-06) and it serves twice the creates per second;
the mock is the server users load. The relay stays on h11, where its RFC 9112 cases were
written: among them an answer of unknown length to an HTTP/1.0 client, which uvicorn's
httptools protocol sends in chunks that client cannot read. Every answer of the mock carries
a length.
"""

from __future__ import annotations

import asyncio
from typing import cast

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from videos_contract.relay.front import NOT_HTTP, Coalescing, HeadGuards
from videos_contract.relay.rules import (
    DEFAULT_HEAD_TIMEOUT,
    HEAD_TIMEOUT_ATTRIBUTE,
    MAX_HEAD,
    error_answer,
    head_refusal,
    head_too_large,
)

__all__ = [
    "DEFAULT_HEAD_TIMEOUT",
    "HEAD_LIMIT_ATTRIBUTE",
    "HEAD_TIMEOUT_ATTRIBUTE",
    "GuardedHttpToolsProtocol",
]

# The uvicorn config attribute that holds the largest request head, in bytes (it travels to
# worker processes with the config); without it, the relay's `MAX_HEAD`.
HEAD_LIMIT_ATTRIBUTE = "videos_contract_head_limit"


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; the answer is in `_refusal`."""


class GuardedHttpToolsProtocol(HeadGuards, HttpToolsProtocol):
    """`HttpToolsProtocol` with the guards the module describes."""

    _in_head = False  # from a message's first byte until its head is complete
    _in_body = False  # from then until the message is complete
    _head_bytes = 0
    _framing_bytes = 0  # bytes of the body's reads that carried no body (chunk framing, trailers)
    _body_came = False  # whether the read being parsed carried body bytes
    _refusal: bytes | None = None  # the answer to a head refused in a parser callback
    _after: bytes | None = None  # a refusal held until the answers under way are out

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = cast(asyncio.Transport, Coalescing(transport, self.loop))
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's, but for what follows an upgrade request: the mock switches to no other
        # protocol, so the request is answered as any other and the bytes after its head are
        # the next request's (llhttp stops at the upgrade and would drop them; a CONNECT,
        # where it stops too, is refused on its head).
        if self._after is not None:
            return  # a refusal is decided: nothing after it is read (uvicorn resumes reading)
        self._unset_keepalive_if_required()
        counted = self._in_head
        self._body_came = False
        size = len(data)
        while data:
            try:
                self.parser.feed_data(data)
                data = b""
            except httptools.HttpParserUpgrade as upgrade:
                offset = int(upgrade.args[0])
                if offset <= 0:  # no progress: never seen, but no loop either
                    self.send_400_response("")
                    return
                data = data[offset:]
            except httptools.HttpParserError:
                self.send_400_response("")
                return
        if self.transport.is_closing():
            return
        limit = self._head_limit()
        if counted and self._in_head:
            self._head_bytes += size
            if self._head_bytes > limit:
                self._refuse(head_too_large(limit).answer())
                return
        elif self._in_body and not self._body_came:
            # Reads without a byte of body: chunk framing, or trailer fields, whose pieces
            # httptools joins in a buffer of its own. Bounded as a head is.
            self._framing_bytes += size
            if self._framing_bytes > limit:
                self._refuse(
                    error_answer(
                        431,
                        "request_header_too_large",
                        f"The request's trailer fields are larger than this server accepts "
                        f"({limit} bytes).",
                    )
                )
                return
        self._watch_head()

    def on_response_complete(self) -> None:
        if self._after is not None and not self.pipeline:
            # The last request read whole is answered: now the refusal of what followed it.
            answer, self._after = self._after, None
            self.server_state.total_requests += 1
            if not self.transport.is_closing():
                self.transport.write(answer)
                self.transport.close()
            return
        super().on_response_complete()
        self._watch_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        # llhttp reports a chunked body's trailer fields as headers; uvicorn would append them
        # to the head the app already holds (a second Authorization, read after the body).
        if self._in_head:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._in_body = True
        self._framing_bytes = 0
        version = self.parser.get_http_version()
        method = self.parser.get_method().decode("ascii", "replace")
        refusal = head_refusal(method, version, self.headers)
        if refusal is not None:
            self._refusal = refusal.answer()
            raise _Refused
        if version == "1.0":
            self.expect_100_continue = False
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_came = True
        self._framing_bytes = 0
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        refusal, self._refusal = self._refusal, None
        self._refuse(refusal or NOT_HTTP)

    def _refuse(self, answer: bytes) -> None:
        """As the relay front's, but the refusal of bytes that follow requests read whole goes
        out after their answers (as h11, which reads them in order, does). A pipelined
        request still queued whose body cannot be read is dropped unanswered but for that
        refusal."""
        cycle = self.cycle
        unreadable = cycle is not None and cycle.more_body
        queued = [entry for entry in self.pipeline if entry[0] is cycle and unreadable]
        for entry in queued:
            self.pipeline.remove(entry)
        if cycle is not None and not cycle.response_complete and (queued or not cycle.more_body):
            self._stop_head_timer()
            self._after = answer
            self.flow.pause_reading()
            return
        super()._refuse(answer)

    def _awaiting_head(self) -> bool:
        # Once the answer is out, the rest of an unread body is timed as a head would be.
        return not self._in_body or self._answer_idle()

    def _partial_head(self) -> bool:
        return self._in_head

    def _head_limit(self) -> int:
        return int(getattr(self.config, HEAD_LIMIT_ATTRIBUTE, MAX_HEAD))
