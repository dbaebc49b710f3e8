"""What a relay refuses, and its bounds: the rules of the relay core's front that need no
server (so the client side, the audit's checks and `--help` load no uvicorn).

Standard library only, with the API's error document from `http_rules`.
"""

from __future__ import annotations

from collections.abc import Sequence

from videos_contract.http_rules import error_bytes

__all__ = [
    "DEFAULT_HEAD_TIMEOUT",
    "GRACEFUL_SECONDS",
    "HEAD_TIMEOUT_ATTRIBUTE",
    "MAX_HEAD",
    "Refusal",
    "error_answer",
    "head_refusal",
    "head_too_large",
    "request_refusal",
]

_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}
# The uvicorn config attribute that holds the head timeout (it travels to worker processes
# with the config); without it, DEFAULT_HEAD_TIMEOUT applies.
HEAD_TIMEOUT_ATTRIBUTE = "videos_contract_head_timeout"
DEFAULT_HEAD_TIMEOUT = 30.0
# The largest request head accepted (request line and headers), in one piece or many.
MAX_HEAD = 64 * 1024
# Exchanges in flight at Ctrl-C or SIGTERM get this long to finish.
GRACEFUL_SECONDS = 10.0


def error_answer(status: int, code: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer carrying the API's JSON error, closing the connection."""
    body = error_bytes(message, "invalid_request_error", code=code)
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Refusal(Exception):
    """A request a server refuses: its status, the error's code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    def answer(self) -> bytes:
        """The refusal as a whole answer that closes the connection (`error_answer`)."""
        return error_answer(self.status, self.code, str(self))


def head_too_large(limit: int) -> Refusal:
    """A request head over `limit` bytes."""
    return Refusal(
        431,
        "request_header_too_large",
        f"The request head is larger than this server accepts ({limit} bytes).",
    )


def head_refusal(
    method: str, http_version: str, headers: Sequence[tuple[bytes, bytes]]
) -> Refusal | None:
    """Why a parsed request head must be refused whatever the server (RFC 9112 §2.3, §3.2,
    §6.1, §6.3; RFC 9110 §9.3.6), or None: an HTTP version other than 1.0 and 1.1;
    `CONNECT` (neither server tunnels); more than one `Host` field, or none in HTTP/1.1; a
    transfer coding other than `chunked` alone (none is decoded); both a length and chunks;
    an upgrade that carries a body. llhttp reads no body after a `CONNECT` head or an
    upgrade's: it would read the body as the next request.

    h11 refuses the codings, the length with chunks and no `Host` itself; llhttp (httptools)
    refuses only the length with chunks."""
    if http_version not in ("1.0", "1.1"):
        return Refusal(505, "http_version_not_supported", f"HTTP/{http_version} is not served.")
    if method == "CONNECT":
        return Refusal(
            501, "invalid_request", "CONNECT is not served: this server tunnels nothing."
        )
    hosts = 0
    length = upgrade = False
    codings: list[bytes] = []
    for name, value in headers:
        if name == b"host":
            hosts += 1
        elif name == b"content-length":
            length = True
        elif name == b"transfer-encoding":
            codings += [coding.strip().lower() for coding in value.split(b",")]
        elif name == b"upgrade":
            upgrade = True
    if hosts > 1:
        return Refusal(400, "invalid_request", "A request may carry one Host field, not several.")
    if hosts == 0 and http_version == "1.1":
        return Refusal(400, "invalid_request", "An HTTP/1.1 request must carry a Host field.")
    if codings and codings != [b"chunked"]:
        return Refusal(
            400, "invalid_request", "The only transfer coding accepted is `chunked`, alone."
        )
    if length and codings:
        return Refusal(
            400, "invalid_request", "A request may not carry both Content-Length and chunks."
        )
    if upgrade and (codings or _has_length(headers)):
        return Refusal(
            400, "invalid_request", "A request that asks to switch protocols may have no body."
        )
    return None


def request_refusal(
    method: str, target: str, http_version: str, headers: Sequence[tuple[bytes, bytes]]
) -> Refusal | None:
    """Why a request h11 parsed must still be refused (RFC 9112 §3.2, §6.1, §6.3; RFC 9110
    §9.3.6), or None.

    h11 refuses what it cannot frame (a malformed line or field, two different lengths, a
    transfer coding other than `chunked`, no `Host` in HTTP/1.1, a head over `MAX_HEAD`
    bytes still incomplete); this adds what it lets by: a head over `MAX_HEAD` bytes that
    came in one read, `head_refusal`'s rules (among them two `Host` fields, an HTTP version
    other than 1.0 and 1.1, `CONNECT` (a relay to one origin tunnels nothing), both a length
    and chunks, whose length would be forwarded, an upgrade that carries a body), and a
    target neither in origin form nor in absolute form."""
    size = len(method) + len(target) + sum(len(name) + len(value) + 4 for name, value in headers)
    if size > MAX_HEAD:
        # h11 bounds a head that comes in pieces; one that came whole is measured here.
        return head_too_large(MAX_HEAD)
    refusal = head_refusal(method, http_version, headers)
    if refusal is not None:
        return refusal
    if not target.startswith("/") and not target.lower().startswith(("http://", "https://")):
        return Refusal(400, "invalid_request", "The request target must be a path.")
    return None


def _has_length(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    return any(
        name == b"content-length" and value.strip() not in (b"", b"0") for name, value in headers
    )
