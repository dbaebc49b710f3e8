"""uvicorn's h11 protocol, with its refusals of unreadable requests in the API's error shape.

A request whose head (request line and headers) outgrows the parser's buffer, or that is not
HTTP/1.1 at all, never reaches the app: uvicorn answers a plain-text 400 itself. This
subclass answers the same cases with the OpenAI-style JSON error, and says which: 431
`request_header_too_large` when the head passed `max_header_bytes`, 400 `invalid_request`
otherwise. The connection is closed either way.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["GuardedH11Protocol"]

_REASONS = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}


class GuardedH11Protocol(H11Protocol):
    """`H11Protocol` whose parser-level refusals are JSON errors."""

    def send_400_response(self, msg: str) -> None:
        limit = getattr(self.conn, "_max_incomplete_event_size", None)
        buffered = len(getattr(self.conn, "_receive_buffer", b""))
        if isinstance(limit, int) and buffered > limit:
            status, code = 431, "request_header_too_large"
            message = f"The request head is larger than this server accepts ({limit} bytes)."
        else:
            status, code = 400, "invalid_request"
            message = "The request is not valid HTTP/1.1."
        error = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
        body = json.dumps({"error": error}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            for event in (
                h11.Response(status_code=status, headers=headers, reason=_REASONS[status]),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:
            pass  # a response had already begun: closing is all that is left
        self.transport.close()
