"""`relay.rules.head_refusal`: the head rules both fronts apply (the mock's llhttp lets each
of them by, the proxy's h11 some), each crossed by a head it refuses and matched by one it
lets by."""

from __future__ import annotations

import pytest

from videos_contract.relay.rules import head_refusal, request_refusal

Headers = list[tuple[bytes, bytes]]
HOST: Headers = [(b"host", b"mock.test")]

ACCEPTED: dict[str, tuple[str, Headers]] = {
    "HTTP/1.1 with a Host": ("1.1", HOST),
    "HTTP/1.0 without one": ("1.0", []),
    "chunked": ("1.1", [*HOST, (b"transfer-encoding", b"chunked")]),
    "chunked, spelled loosely": ("1.1", [*HOST, (b"transfer-encoding", b" Chunked ")]),
    "a length": ("1.1", [*HOST, (b"content-length", b"5")]),
    "an upgrade without a body": ("1.1", [*HOST, (b"upgrade", b"h2c")]),
    "an upgrade with a zero length": (
        "1.1",
        [*HOST, (b"upgrade", b"h2c"), (b"content-length", b"0")],
    ),
}

REFUSED: dict[str, tuple[str, Headers, int, str]] = {
    "HTTP/2.0": ("2.0", HOST, 505, "HTTP/2.0 is not served"),
    "HTTP/0.9": ("0.9", [], 505, "HTTP/0.9 is not served"),
    "no Host in HTTP/1.1": ("1.1", [], 400, "must carry a Host"),
    "two Hosts": ("1.1", [*HOST, *HOST], 400, "one Host field"),
    "gzip": ("1.1", [*HOST, (b"transfer-encoding", b"gzip")], 400, "`chunked`, alone"),
    "gzip, then chunked": (
        "1.1",
        [*HOST, (b"transfer-encoding", b"gzip, chunked")],
        400,
        "`chunked`, alone",
    ),
    "chunked twice, in two fields": (
        "1.1",
        [*HOST, (b"transfer-encoding", b"chunked"), (b"transfer-encoding", b"chunked")],
        400,
        "`chunked`, alone",
    ),
    "a length and chunks": (
        "1.1",
        [*HOST, (b"content-length", b"5"), (b"transfer-encoding", b"chunked")],
        400,
        "both Content-Length and chunks",
    ),
    "an upgrade with a body": (
        "1.1",
        [*HOST, (b"upgrade", b"h2c"), (b"content-length", b"5")],
        400,
        "may have no body",
    ),
}


@pytest.mark.parametrize(("version", "headers"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_head_both_fronts_read_is_let_by(version: str, headers: Headers) -> None:
    assert head_refusal("POST", version, headers) is None
    assert request_refusal("GET", "/v1/videos", version, headers) is None


@pytest.mark.parametrize(
    ("version", "headers", "status", "words"), REFUSED.values(), ids=REFUSED.keys()
)
def test_a_head_rfc_9112_refuses_is_refused_by_both_fronts(
    version: str, headers: Headers, status: int, words: str
) -> None:
    refusal = head_refusal("POST", version, headers)
    assert refusal is not None
    assert (refusal.status, words in str(refusal)) == (status, True)
    # The proxy's rules include these.
    relayed = request_refusal("POST", "/v1/videos", version, headers)
    assert relayed is not None and relayed.status == status


def test_connect_is_refused_by_both_fronts() -> None:
    """llhttp reads no body after a CONNECT head: a body would be read as the next request."""
    for refusal in (
        head_refusal("CONNECT", "1.1", HOST),
        request_refusal("CONNECT", "example.com:443", "1.1", HOST),
    ):
        assert refusal is not None
        assert (refusal.status, "tunnels nothing" in str(refusal)) == (501, True)
