"""What RFC 9112 asks of a relay, at the byte level, where a hand-written HTTP/1.1 layer
failed: no answer lost to the bytes that follow a request, no answer delivered to the wrong
request, no stalled request body held for ever, no chunked framing on an answer that has no
body, no trailer forwarded as a header, every request the RFC says to refuse refused and not
forwarded, no `100 Continue` for HTTP/1.0, answer heads bounded however they come, no spool
allocated for a size an upstream only declared; and the proxy's own faults reported as its
own, never as the upstream's.

Each test crosses its guard: an upstream of our own (`RawUpstream`) sends exact bytes, and
clients write raw bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.proxy.conftest import ProxyFactory
from tests.proxy.test_front import TIMEOUT, echo, json_answer, request, routed
from tests.support.http_cases import REFUSED
from tests.support.rawhttp import (
    Answer,
    Arrived,
    RawUpstream,
    Reply,
    Wire,
    connected,
    head,
    read_answer,
)
from videos_contract.proxy import PROXY_ERROR_HEADER, ProxyConfig, ProxyLimits, running_proxy
from videos_contract.proxy.app import INTERNAL_CHECK

MIB = 1024 * 1024


def _target(answer_body: bytes) -> str:
    return str(json.loads(answer_body)["target"])


# -- no answer lost -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "first",
    [
        request("POST", "/v1/videos", [("Connection", "close")], b'{"prompt": "a"}'),
        request("POST", "/v1/videos", body=b'{"prompt": "a"}').replace(b"HTTP/1.1", b"HTTP/1.0", 1),
    ],
    ids=["connection-close", "http-1.0"],
)
def test_a_last_request_followed_by_more_bytes_gets_its_answer(
    first: bytes, proxy_for: ProxyFactory
) -> None:
    """Catches a front end that reads the bytes after a connection's last request as an
    error and drops the answer of the request it already forwarded (a billed create)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(first + request("GET", "/v1/videos/video_2"))
            answer = read_answer(wire)
            assert answer.status == 200
            assert _target(answer.body) == "/v1/videos"
            assert wire.closed_by_peer()
    assert [a.target for a in upstream.arrived] == ["/v1/videos"]


def test_a_request_followed_by_garbage_gets_its_answer(proxy_for: ProxyFactory) -> None:
    """Catches a front end that refuses the garbage before the request before it is
    answered: the upstream executed it, the client got nothing."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(request("GET", "/v1/videos/video_1") + b"GARBAGE\r\n\r\n")
            answer = read_answer(wire)
            assert answer.status == 200
            assert _target(answer.body) == "/v1/videos/video_1"
            refusal = read_answer(wire)
            assert refusal.status == 400
            assert wire.closed_by_peer()
    assert [a.target for a in upstream.arrived] == ["/v1/videos/video_1"]


# -- none misdelivered --------------------------------------------------------------------
STRAY = json_answer({"target": "/stray"})


def _twice(arrived: Arrived) -> Reply:
    """Two answers to one request, in one write."""
    return Reply([json_answer({"target": arrived.target}) + STRAY])


def _twice_later(arrived: Arrived) -> Iterator[bytes]:
    yield json_answer({"target": arrived.target})
    time.sleep(0.3)
    yield STRAY


def test_a_second_answer_to_one_request_reaches_no_other_request(
    proxy_for: ProxyFactory,
) -> None:
    """Catches a client to the upstream that reuses a connection with bytes left after an
    answer: the next request (pipelined behind it on the same client connection, then on
    another connection) would get the stray answer as its own."""
    with RawUpstream(routed({"/v1/videos/video_twice": _twice})) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(
                request("GET", "/v1/videos/video_twice") + request("GET", "/v1/videos/video_next")
            )
            first = read_answer(wire)
            second = read_answer(wire)
        with connected(proxied.url) as other:
            third = read_answer_after(other, "/v1/videos/video_other")
    assert [_target(a.body) for a in (first, second, third)] == [
        "/v1/videos/video_twice",
        "/v1/videos/video_next",
        "/v1/videos/video_other",
    ]
    assert upstream.accepted >= 2  # the connection that sent two answers carried no more


def test_a_late_stray_answer_reaches_no_other_client(proxy_for: ProxyFactory) -> None:
    """Catches a pooled upstream connection that carries another client's request after it
    sent bytes nobody asked for while idle."""
    routes = {"/v1/videos/video_twice": lambda arrived: Reply(_twice_later(arrived))}
    with RawUpstream(routed(routes)) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            first = read_answer_after(wire, "/v1/videos/video_twice")
        time.sleep(0.6)  # the stray answer has come by now
        with connected(proxied.url) as other:
            second = read_answer_after(other, "/v1/videos/video_other")
    assert _target(first.body) == "/v1/videos/video_twice"
    assert _target(second.body) == "/v1/videos/video_other"


def read_answer_after(wire: Wire, target: str, method: str = "GET") -> Answer:
    """`method target` sent on `wire`, and its answer."""
    wire.sock.sendall(request(method, target))
    return read_answer(wire, method)


# -- stalled bodies -----------------------------------------------------------------------
@pytest.mark.parametrize("declared", [100, 4 * MIB], ids=["small", "streamed"])
def test_a_request_body_that_never_arrives_is_timed_out(declared: int, tmp_path: Path) -> None:
    """Catches a front end that waits for ever for a body its client promised (each such
    connection a descriptor held)."""
    with RawUpstream(echo) as upstream:
        limits = ProxyLimits(request_timeout=1.0)
        config = ProxyConfig(upstream.url, report_dir=tmp_path / "reports", limits=limits)
        with running_proxy(config) as proxy:
            with connected(proxy.url) as wire:
                wire.sock.sendall(
                    request("POST", "/v1/videos", [("Content-Length", str(declared))]) + b"x" * 10
                )
                answer = read_answer(wire)  # within the socket's TIMEOUT, or it fails
                assert answer.status == 408
                assert json.loads(answer.body)["error"]["code"] == "request_timeout"
                assert wire.closed_by_peer()
            result = proxy.run.findings.result()
    assert not any(o.failed for o in result.outcomes), result.outcomes
    assert all(len(a.body) == declared for a in upstream.arrived)


# -- bodiless answers ---------------------------------------------------------------------
@pytest.mark.parametrize("status", [204, 304])
@pytest.mark.parametrize("ctype", ["video/mp4", "application/json"])
def test_a_bodiless_answer_is_never_chunked(
    status: int, ctype: str, proxy_for: ProxyFactory
) -> None:
    """Catches a front end that frames a 204 or 304 (of media: streamed) in chunks: its
    `0` terminator would be read as the start of the next answer."""
    bodiless = {
        "/v1/videos/video_1/content": lambda a: Reply([head(status, [("Content-Type", ctype)])])
    }
    with RawUpstream(routed(bodiless)) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(request("GET", "/v1/videos/video_1/content"))
            first, fields = wire.head()
            assert first.split(" ")[1] == str(status)
            assert "transfer-encoding" not in {name.lower() for name, _ in fields}
            next_answer = read_answer_after(wire, "/v1/videos/video_2")
    assert wire.buffer == b""
    assert _target(next_answer.body) == "/v1/videos/video_2"


def test_a_head_answer_of_media_without_a_length_has_no_body(proxy_for: ProxyFactory) -> None:
    """Catches a front end that sends a chunked terminator after a HEAD answer."""
    described = {
        "/v1/videos/video_1/content": lambda a: Reply([head(200, [("Content-Type", "video/mp4")])])
    }
    with RawUpstream(routed(described)) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(request("HEAD", "/v1/videos/video_1/content"))
            answer = read_answer(wire, "HEAD")
            assert answer.status == 200
            next_answer = read_answer_after(wire, "/v1/videos/video_2")
    assert wire.buffer == b""
    assert _target(next_answer.body) == "/v1/videos/video_2"


# -- trailers -----------------------------------------------------------------------------
def test_request_trailers_are_not_forwarded_as_headers(proxy_for: ProxyFactory) -> None:
    """Catches a front end that merges trailer fields into the head it forwards (a second
    Authorization reaching the upstream)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            fields = [("Transfer-Encoding", "chunked"), ("Content-Type", "application/json")]
            wire.sock.sendall(
                request("POST", "/v1/videos", fields)
                + b"2\r\n{}\r\n0\r\nAuthorization: Bearer sk-trailer\r\nX-Trailer: 1\r\n\r\n"
            )
            assert read_answer(wire).status == 200
    (arrived,) = upstream.arrived
    assert [v for k, v in arrived.headers if k.lower() == "authorization"] == [
        "Bearer sk-front-test"
    ]
    assert "x-trailer" not in arrived.names()
    assert b"sk-trailer" not in arrived.body


def test_answer_trailers_are_not_passed_on_as_headers(proxy_for: ProxyFactory) -> None:
    """Catches a client to the upstream that merges an answer's trailers into its head."""

    def trailed(arrived: Arrived) -> Reply:
        fields = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
        return Reply([head(200, fields), b"2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n"])

    with RawUpstream(trailed) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = read_answer_after(wire, "/v1/videos")
    assert answer.status == 200
    assert answer.header("x-trailer") is None
    assert answer.body == b"{}"


# -- requests RFC 9112 refuses --------------------------------------------------------------
@pytest.mark.parametrize(("raw", "statuses"), REFUSED.values(), ids=REFUSED.keys())
def test_a_request_rfc_9112_refuses_is_refused_and_not_forwarded(
    raw: bytes, statuses: set[int | None], tmp_path: Path
) -> None:
    """Catches a front end that forwards what RFC 9112 says to refuse."""
    with RawUpstream(echo) as upstream:
        config = ProxyConfig(upstream=upstream.url, report_dir=tmp_path / "reports")
        with running_proxy(config) as proxy:
            with connected(proxy.url) as wire:
                wire.sock.sendall(raw)
                try:
                    status: int | None = read_answer(wire).status
                except EOFError:
                    status = None
                assert status in statuses
                assert wire.closed_by_peer()
    assert upstream.heads == []


def test_an_absolute_form_target_goes_upstream_as_a_path(proxy_for: ProxyFactory) -> None:
    """Catches a front end that forwards an absolute-form target as it came (RFC 9112
    §3.2.2: a server must accept it; the upstream gets the origin form)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(
                b"GET http://front.test/v1/videos/video_1?limit=2 HTTP/1.1\r\n"
                b"Host: front.test\r\n\r\n"
            )
            assert read_answer(wire).status == 200
    assert [a.target for a in upstream.arrived] == ["/v1/videos/video_1?limit=2"]


def test_an_http_1_0_client_gets_no_100_continue(proxy_for: ProxyFactory) -> None:
    """Catches a front end that answers `Expect: 100-continue` from HTTP/1.0, which RFC 9110
    says to ignore (the client reads the 100 as its answer)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            raw = request("POST", "/v1/videos", [("Expect", "100-continue")], b"abc")
            wire.sock.sendall(raw.replace(b"HTTP/1.1", b"HTTP/1.0", 1))
            first, _ = wire.head()
    assert first.split(" ")[1] == "200"


# -- answers the client to the upstream refuses ----------------------------------------------
def _huge_head(pieces: bool) -> Reply:
    fields = [("Content-Type", "application/json"), ("Content-Length", "2")]
    fields += [(f"X-Big-{n}", "a" * 1000) for n in range(80)]
    data = head(200, fields) + b"{}"
    if not pieces:
        return Reply([data])

    def slowly() -> Iterator[bytes]:
        for start in range(0, len(data), 4096):
            yield data[start : start + 4096]
            time.sleep(0.002)

    return Reply(slowly())


@pytest.mark.parametrize("pieces", [False, True], ids=["one-write", "in-pieces"])
def test_an_answer_head_over_64_kib_is_refused(pieces: bool, proxy_for: ProxyFactory) -> None:
    """Catches a client to the upstream that bounds a head only within one read."""
    with RawUpstream(lambda arrived: _huge_head(pieces)) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = read_answer_after(wire, "/v1/videos")
    assert answer.status == 502
    assert answer.header(PROXY_ERROR_HEADER) == "closed"
    assert ("listVideos", "upstream_answers") in proxied.checks()


def _spool_bytes() -> int:
    """Disk blocks held by the proxy's spool files now (this process's temporary dir)."""
    folder = Path(tempfile.gettempdir())
    total = 0
    for path in folder.glob("videos-contract-proxy-*.asset"):
        try:
            total += os.stat(path).st_blocks * 512
        except FileNotFoundError:
            continue
    return total


def test_no_spool_is_allocated_for_a_declared_size(proxy_for: ProxyFactory) -> None:
    """Catches a proxy that allocates an asset's declared size before its bytes come (an
    upstream that declares 3,000 MiB and sends 1 KiB would take 3,000 MiB of disk)."""
    declared = 3000 * MIB
    arrived_bytes = []

    def claims(arrived: Arrived) -> Reply:
        def pieces() -> Iterator[bytes]:
            yield head(200, [("Content-Type", "video/mp4"), ("Content-Length", str(declared))])
            yield bytes(1024)
            time.sleep(2.0)

        return Reply(pieces(), close=True)

    before = _spool_bytes()
    with RawUpstream(routed({"/v1/videos/video_1/content": claims})) as upstream:
        proxied = proxy_for(upstream.url, request_timeout=5.0)
        with connected(proxied.url) as wire:
            wire.sock.sendall(request("GET", "/v1/videos/video_1/content"))
            first, _ = wire.head()
            assert first.split(" ")[1] == "200"
            arrived_bytes.append(len(wire.exactly(1024)))
            held = _spool_bytes() - before
    assert arrived_bytes == [1024]
    assert held < MIB, f"{held} bytes of spool for 1 KiB received"


# -- fault attribution --------------------------------------------------------------------
def test_a_fault_of_the_proxy_is_its_own_not_the_upstreams(
    proxy_for: ProxyFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches a proxy that reports its own exception as the upstream breaking HTTP/1.1 (a
    502 and an `upstream_answers` violation against a server that did nothing wrong)."""
    import videos_contract.proxy.app as app

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug of the proxy")

    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        monkeypatch.setattr(app._Exchange, "_pass_whole", broken)
        with connected(proxied.url) as wire:
            answer = read_answer_after(wire, "/v1/videos/video_1")
        monkeypatch.undo()
        result = proxied.proxy.run.findings.result()
    assert answer.status == 500
    assert answer.header(PROXY_ERROR_HEADER) == "internal"
    failed = {(o.operation, o.check) for o in result.outcomes if o.failed}
    assert failed == {("(the proxy)", INTERNAL_CHECK)}
    assert result.exit_code != 0
    (violation,) = result.outcomes[0].violations
    assert violation.at_fault == "videos-contract proxy"


def test_a_fault_of_a_check_is_the_proxys_own(
    proxy_for: ProxyFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches a proxy whose checks' own exception is lost, or blamed on the upstream."""
    from videos_contract.proxy.checks import TrafficChecker

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug of a check")

    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        monkeypatch.setattr(TrafficChecker, "whole", broken)
        with connected(proxied.url) as wire:
            answer = read_answer_after(wire, "/v1/videos/video_1")
        assert proxied.proxy.run.app.wait_idle(TIMEOUT)
        monkeypatch.undo()
        result = proxied.proxy.run.findings.result()
    assert answer.status == 200
    failed = {(o.operation, o.check) for o in result.outcomes if o.failed}
    assert failed == {("(the proxy)", INTERNAL_CHECK)}
    assert result.exit_code != 0


def test_bytes_after_an_asset_reach_no_other_request(proxy_for: ProxyFactory) -> None:
    """Catches a client to the upstream that, reading an asset's body past its parser,
    passes on more than the declared length or reuses the connection after it."""
    asset = bytes(range(256)) * 1024  # 256 KiB: read past the parser

    def asset_then_stray(arrived: Arrived) -> Reply:
        fields = [("Content-Type", "video/mp4"), ("Content-Length", str(len(asset)))]
        return Reply([head(200, fields) + asset + STRAY])

    routes = {"/v1/videos/video_1/content": asset_then_stray}
    with RawUpstream(routed(routes)) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(
                request("GET", "/v1/videos/video_1/content")
                + request("GET", "/v1/videos/video_next")
            )
            first = read_answer(wire)
            second = read_answer(wire)
    assert first.body == asset
    assert _target(second.body) == "/v1/videos/video_next"
