"""Requests a server must refuse, at the byte level: the proxy's front and the mock's are
tested against the same ones, so that they refuse unreadable requests alike."""

from __future__ import annotations

__all__ = ["MALFORMED", "REFUSED"]

# Each is refused with a 400. RFC 9112 allows nothing else for all but the last; for the
# last it also allows reading the body by its chunks, but the proxy drops Transfer-Encoding
# (hop-by-hop) and would forward the client's Content-Length with it: an upstream waiting
# for bytes that never come, or reading the next request as this one's body (h11, which
# accepts such a request, gets the upstream a `content-length: 5` and no body).
MALFORMED = {
    "request line": b"GARBAGE\r\n\r\n",
    "header without a colon": b"GET /v1/videos HTTP/1.1\r\nHost: front.test\r\nNoColonHere\r\n\r\n",
    "space before the colon": b"GET /v1/videos HTTP/1.1\r\nHost : front.test\r\n\r\n",
    "length not a number": (
        b"POST /v1/videos HTTP/1.1\r\nHost: front.test\r\nContent-Length: abc\r\n\r\n"
    ),
    "two lengths": (
        b"POST /v1/videos HTTP/1.1\r\nHost: front.test\r\nContent-Length: 5\r\n"
        b"Content-Length: 6\r\n\r\nhello!"
    ),
    "coding not chunked": (
        b"POST /v1/videos HTTP/1.1\r\nHost: front.test\r\nTransfer-Encoding: gzip\r\n\r\n"
    ),
    "length and chunks": (
        b"POST /v1/videos HTTP/1.1\r\nHost: front.test\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ),
}


# What RFC 9112 says to refuse though a parser may read it, with the statuses allowed.
REFUSED = {
    "gzip-then-chunked": (
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        {400},
    ),
    "no-host": (b"GET /v1/videos HTTP/1.1\r\n\r\n", {400}),
    "two-hosts": (b"GET /v1/videos HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {400}),
    "connect": (b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", {400, 501}),
    "http-0.9": (b"GET /v1/videos\r\n\r\n", {400, 505}),
    "http-2.0": (b"GET /v1/videos HTTP/2.0\r\nHost: x\r\n\r\n", {505}),
    "asterisk": (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
}
