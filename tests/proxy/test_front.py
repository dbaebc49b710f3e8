"""The proxy's front end, the side its clients talk to, at the byte level.

What these tests guard is what an HTTP/1.1 server owes its clients and what the proxy's
promises rest on, whatever serves it: pipelined and kept-alive requests answered in order,
one upstream connection reused for many client requests, one held exchange holding no other
connection; malformed, ambiguous or oversized request heads refused and never forwarded;
chunked request bodies and `Expect: 100-continue`; answers framed by the close, by chunks, a
204 and a HEAD answer each passed on so that the next request on the connection still works;
connection-level headers stopped both ways, upgrades never switched, the raw target, repeated
fields and the upstream's own Server and Date passed unchanged; a client that asks for the
close gets it, an idle one gets it in the end; clients that go away mid-upload or
mid-download leave the proxy up with nothing leaked; a slow reader is not buffered for; an
exchange in flight when the proxy stops still gets its answer.

Only the public interface is used (`running_proxy`, the `proxy_for` fixture, sockets): an
upstream of our own (`tests.support.rawhttp.RawUpstream`) records what arrived and answers
with exact bytes, and clients write raw bytes where framing matters.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import httpx
import pytest

from tests.proxy.conftest import ProxyFactory
from tests.support.http_cases import MALFORMED
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
from videos_contract.proxy import ProxyConfig, ProxyLimits, running_proxy

MIB = 1024 * 1024
# No wait of these tests for a byte is longer: a front end that hangs fails, it does not stall.
TIMEOUT = 10.0
AUTH = ("Authorization", "Bearer sk-front-test")
Fields = Sequence[tuple[str, str]]


# -- clients and answers ----------------------------------------------------------------
def request(method: str, target: str, fields: Fields = (), body: bytes = b"") -> bytes:
    """A request's bytes: a Host and the key first, a Content-Length when there is a body."""
    lines = [f"{method} {target} HTTP/1.1", "Host: front.test", f"{AUTH[0]}: {AUTH[1]}"]
    lines += [f"{k}: {v}" for k, v in fields]
    if body and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in fields):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(wire: Wire, method: str, target: str, fields: Fields = ()) -> Answer:
    wire.sock.sendall(request(method, target, fields))
    return read_answer(wire, method)


def json_answer(value: object, fields: Fields = (), status: int = 200) -> bytes:
    body = json.dumps(value).encode()
    return (
        head(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *fields],
        )
        + body
    )


def echo(arrived: Arrived) -> Reply:
    """The default answer: what arrived, as JSON."""
    return Reply(
        [
            json_answer(
                {
                    "method": arrived.method,
                    "target": arrived.target,
                    "length": len(arrived.body),
                    "sha256": hashlib.sha256(arrived.body).hexdigest(),
                }
            )
        ]
    )


def routed(routes: Mapping[str, Callable[[Arrived], Reply]]) -> Callable[[Arrived], Reply]:
    """A handler answering by the target's path; `echo` for any other."""

    def handle(arrived: Arrived) -> Reply:
        return routes.get(arrived.target.split("?", 1)[0], echo)(arrived)

    return handle


def media(total: int, *, close: bool = False) -> Callable[[Arrived], Reply]:
    """An MP4 answer of `total` bytes (zeros), produced a MiB at a time, never held; with
    `close`, the upstream closes the connection after it."""

    def pieces() -> Iterator[bytes]:
        fields = [("Content-Type", "video/mp4"), ("Content-Length", str(total))]
        yield head(200, fields + ([("Connection", "close")] if close else []))
        piece = bytes(MIB)
        left = total
        while left > 0:
            yield piece[: min(MIB, left)]
            left -= MIB

    return lambda arrived: Reply(pieces(), close=close)


def still_answers(url: str) -> None:
    """A plain request on a new connection gets the upstream's answer."""
    with connected(url) as wire:
        answer = exchange(wire, "GET", "/v1/videos/video_after")
    assert answer.status == 200
    assert json.loads(answer.body)["target"] == "/v1/videos/video_after"


# -- this process (the proxy runs in it) --------------------------------------------------
def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def settles(condition: Callable[[], bool], within: float = TIMEOUT) -> bool:
    """Whether `condition` holds, now or before `within` seconds have passed."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- requests -----------------------------------------------------------------------------
def test_pipelined_requests_are_answered_in_order(proxy_for: ProxyFactory) -> None:
    """Catches a front end that reads one request per read, or answers the second (fast) one
    before the first (slow) one."""

    def slow(arrived: Arrived) -> Reply:
        time.sleep(0.3)
        return echo(arrived)

    with RawUpstream(routed({"/v1/videos/video_slow": slow})) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(
                request("POST", "/v1/videos/video_slow", body=b"first")
                + request("GET", "/v1/videos/video_fast")
            )
            first = read_answer(wire)
            second = read_answer(wire)
    assert (first.status, second.status) == (200, 200)
    assert json.loads(first.body) == {
        "method": "POST",
        "target": "/v1/videos/video_slow",
        "length": 5,
        "sha256": hashlib.sha256(b"first").hexdigest(),
    }
    assert json.loads(second.body)["target"] == "/v1/videos/video_fast"
    assert [a.target for a in upstream.arrived] == [
        "/v1/videos/video_slow",
        "/v1/videos/video_fast",
    ]


def test_one_kept_alive_client_connection_reuses_the_upstream_connection(
    proxy_for: ProxyFactory,
) -> None:
    """Catches a front end that closes after each answer, mis-frames the n-th one, or a proxy
    that opens an upstream connection per request."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            for n in range(100):
                answer = exchange(wire, "GET", f"/v1/videos/video_{n}")
                assert answer.status == 200, n
                assert json.loads(answer.body)["target"] == f"/v1/videos/video_{n}"
    assert len(upstream.arrived) == 100
    assert upstream.accepted <= 3, f"{upstream.accepted} upstream connections for 100 requests"


def test_a_held_answer_does_not_hold_other_connections(proxy_for: ProxyFactory) -> None:
    """Catches a front end that serves one exchange at a time: the upstream holds its first
    answer until the second request, sent on another connection, has arrived."""
    second_arrived = threading.Event()
    released: list[bool] = []  # whether the held answer went out because the second came

    def held(arrived: Arrived) -> Reply:
        released.append(second_arrived.wait(TIMEOUT))
        return echo(arrived)

    def other(arrived: Arrived) -> Reply:
        second_arrived.set()
        return echo(arrived)

    routes = {"/v1/videos/video_held": held, "/v1/videos/video_other": other}
    with RawUpstream(routed(routes)) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as first, connected(proxied.url) as second:
            first.sock.sendall(request("GET", "/v1/videos/video_held"))
            assert settles(lambda: len(upstream.arrived) == 1)
            other_answer = exchange(second, "GET", "/v1/videos/video_other")
            held_answer = read_answer(first)
    assert released == [True]
    assert json.loads(other_answer.body)["target"] == "/v1/videos/video_other"
    assert json.loads(held_answer.body)["target"] == "/v1/videos/video_held"


@pytest.mark.parametrize(
    "raw",
    MALFORMED.values(),
    ids=MALFORMED.keys(),
)
def test_a_malformed_request_is_refused_and_not_forwarded(raw: bytes, tmp_path: Path) -> None:
    """Catches a front end that forwards what it cannot parse (even after refusing it),
    answers with a 5xx, keeps the broken connection open, or dies with it."""
    with RawUpstream(echo) as upstream:
        config = ProxyConfig(upstream=upstream.url, report_dir=tmp_path / "reports")
        with running_proxy(config) as proxy:
            with connected(proxy.url) as wire:
                wire.sock.sendall(raw)
                answer = read_answer(wire)
                assert answer.status == 400
                assert wire.closed_by_peer()
            still_answers(proxy.url)
    # The proxy has stopped: nothing of the bad request can still be on its way.
    assert upstream.heads == ["GET /v1/videos/video_after HTTP/1.1"]


def test_a_request_head_over_64_kib_is_refused(tmp_path: Path) -> None:
    """Catches a front end with no bound on a request's head (memory, and forwarding heads
    the upstream may choke on)."""
    huge = request("GET", "/v1/videos", [("X-Huge", "a" * (80 * 1024))])
    with RawUpstream(echo) as upstream:
        config = ProxyConfig(upstream=upstream.url, report_dir=tmp_path / "reports")
        with running_proxy(config) as proxy:
            with connected(proxy.url) as wire:
                try:
                    wire.sock.sendall(huge)
                    status: int | None = read_answer(wire).status
                except (EOFError, ConnectionError):
                    status = None  # closed without an answer (even while it was sent)
                assert status in (400, 431, None)
            still_answers(proxy.url)
    assert upstream.heads == ["GET /v1/videos/video_after HTTP/1.1"]


def test_a_chunked_request_body_arrives_byte_identical(proxy_for: ProxyFactory) -> None:
    """Catches a front end that drops, reorders or re-frames chunk data into the body (chunk
    sizes, extensions, trailers) or stops at the first chunk."""
    pieces = [secrets.token_bytes(n) for n in (1, 4096, MIB, 17, 300_000)]
    data = b"".join(pieces)
    chunked = b"".join(b"%x;ext=1\r\n%b\r\n" % (len(p), p) for p in pieces)
    chunked += b"0\r\nx-trailer: 1\r\n\r\n"
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            fields = [("Content-Type", "application/octet-stream")]
            wire.sock.sendall(
                request("POST", "/v1/videos", [*fields, ("Transfer-Encoding", "chunked")])
            )
            wire.sock.sendall(chunked)
            answer = read_answer(wire)
            assert answer.status == 200
            # The connection goes on after a chunked body.
            assert exchange(wire, "GET", "/v1/videos/video_next").status == 200
    (arrived, _) = upstream.arrived
    assert len(arrived.body) == len(data)
    assert hashlib.sha256(arrived.body).hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("size", [1000, 2 * MIB], ids=["small", "large"])
def test_expect_100_continue_is_answered_before_the_body(
    size: int, proxy_for: ProxyFactory
) -> None:
    """Catches a front end that waits for a body its client holds back until `100 Continue`
    comes (a client without curl's 1 s fallback waits forever)."""
    data = secrets.token_bytes(size)
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            fields = [("Expect", "100-continue"), ("Content-Length", str(size))]
            wire.sock.sendall(request("POST", "/v1/videos", fields))
            interim = read_answer(wire)
            assert interim.status == 100
            wire.sock.sendall(data)
            answer = read_answer(wire)
    assert answer.status == 200
    assert json.loads(answer.body)["sha256"] == hashlib.sha256(data).hexdigest()
    (arrived,) = upstream.arrived
    assert arrived.body == data


def test_a_client_gone_mid_upload_leaves_the_proxy_up(tmp_path: Path) -> None:
    """Catches a front end that dies (or stalls the loop) when a client closes mid-body, or
    that forwards the part it got as a whole request."""
    declared = 8 * MIB
    with RawUpstream(echo) as upstream:
        # A short request_timeout: the upstream, promised 8 MiB, waits; the proxy's stop (at
        # the end of the block, once the exchange is over) need not wait long.
        limits = ProxyLimits(request_timeout=3.0)
        config = ProxyConfig(upstream.url, report_dir=tmp_path / "reports", limits=limits)
        with running_proxy(config) as proxy:
            with connected(proxy.url) as wire:
                fields = [("Content-Type", "application/octet-stream")]
                fields.append(("Content-Length", str(declared)))
                wire.sock.sendall(request("POST", "/v1/videos", fields))
                wire.sock.sendall(secrets.token_bytes(MIB))
            still_answers(proxy.url)
            with connected(proxy.url) as wire:
                body = secrets.token_bytes(1000)
                wire.sock.sendall(request("POST", "/v1/videos", body=body))
                assert json.loads(read_answer(wire).body)["length"] == 1000
    cut = [a for a in upstream.arrived if a.method == "POST" and len(a.body) != 1000]
    assert all(len(a.body) == declared for a in cut), "a cut upload went upstream as a whole"


# -- answers ------------------------------------------------------------------------------
def test_clients_gone_mid_download_leak_nothing(tmp_path: Path) -> None:
    """Catches a front end that dies when a client closes mid-answer, or leaks a thread, a
    socket or the spool file of each download cut short (while it runs, or past its stop)."""
    content = "/v1/videos/video_big/content"
    # Each download on a connection of its own, closed by the upstream after it: what stays
    # open is the proxy's, not a pool of idle upstream connections.
    with RawUpstream(routed({content: media(64 * MIB, close=True)})) as upstream:
        config = ProxyConfig(upstream=upstream.url, report_dir=tmp_path / "reports")

        def cut_short(url: str) -> None:
            with connected(url) as wire:
                wire.sock.sendall(request("GET", content))
                first, _ = wire.head()
                assert first.split(" ")[1] == "200"
                wire.exactly(MIB)
            still_answers(url)

        with running_proxy(config) as proxy:
            cut_short(proxy.url)  # what is set up once per process (uvloop keeps a pipe)
        files, tasks = open_files(), threads()
        with running_proxy(config) as proxy:
            for _ in range(2):  # the first ones open what is kept (workers, a connection)
                cut_short(proxy.url)
            running_files, running_tasks = open_files(), threads()
            for _ in range(5):
                cut_short(proxy.url)
            assert settles(lambda: open_files() <= running_files + 4), (
                running_files,
                open_files(),
            )
            assert settles(lambda: threads() <= running_tasks + 3), (running_tasks, threads())
        # Stopped: everything it opened is closed, every thread it started has ended.
        assert settles(lambda: open_files() <= files), (files, open_files())
        assert settles(lambda: threads() <= tasks), (tasks, threads())


UNTIL_CLOSE = json.dumps({"data": ["x" * 1000] * 100}).encode()
IN_CHUNKS = json.dumps({"data": ["y" * 1000] * 100}).encode()


def _until_close(arrived: Arrived) -> Reply:
    fields = [("Content-Type", "application/json"), ("Connection", "close")]
    return Reply([head(200, fields), UNTIL_CLOSE[:5000], UNTIL_CLOSE[5000:]], close=True)


def _in_chunks(arrived: Arrived) -> Reply:
    pieces = [IN_CHUNKS[:1], IN_CHUNKS[1:50_000], IN_CHUNKS[50_000:]]
    fields = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
    chunks = [b"%x\r\n%b\r\n" % (len(p), p) for p in pieces]
    return Reply([head(200, fields), *chunks, b"0\r\n\r\n"])


def then_goes_on(wire: Wire, answer: Answer) -> None:
    """The connection after `answer`: closed if the answer said so, else still working."""
    if "close" in (answer.header("connection") or "").lower():
        assert wire.closed_by_peer()
    else:
        assert exchange(wire, "GET", "/v1/videos/video_next").status == 200


@pytest.mark.parametrize(
    ("answer", "body"),
    [(_until_close, UNTIL_CLOSE), (_in_chunks, IN_CHUNKS)],
    ids=["ended-by-the-close", "chunked"],
)
def test_an_answer_without_a_length_arrives_whole(
    answer: Callable[[Arrived], Reply], body: bytes, proxy_for: ProxyFactory
) -> None:
    """Catches a front end that truncates or mis-frames an answer of unknown length (the
    length of its first piece, the upstream's chunks passed on inside another framing)."""
    with RawUpstream(routed({"/v1/videos": answer})) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            got = exchange(wire, "GET", "/v1/videos")
            assert got.status == 200
            assert got.body == body
            then_goes_on(wire, got)


def test_a_204_then_another_request_on_the_connection(proxy_for: ProxyFactory) -> None:
    """Catches a front end that gives a 204 a body or a chunked terminator (the next answer
    on the connection then reads as garbage), or waits for a body that never comes."""
    with RawUpstream(routed({"/v1/videos/video_1": lambda a: Reply([head(204, [])])})) as up:
        proxied = proxy_for(up.url)
        with connected(proxied.url) as wire:
            answer = exchange(wire, "DELETE", "/v1/videos/video_1")
            assert answer.status == 204
            assert answer.header("transfer-encoding") is None
            assert answer.header("content-length") in (None, "0")
            assert wire.buffer == b""
            then_goes_on(wire, answer)


def test_a_head_answer_has_no_body_and_the_connection_goes_on(proxy_for: ProxyFactory) -> None:
    """Catches a front end that sends (or waits for) the body a HEAD answer's Content-Length
    describes, or drops that Content-Length."""

    def described(arrived: Arrived) -> Reply:
        return Reply([head(200, [("Content-Type", "video/mp4"), ("Content-Length", "1234")])])

    with RawUpstream(routed({"/v1/videos/video_1/content": described})) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = exchange(wire, "HEAD", "/v1/videos/video_1/content")
            assert answer.status == 200
            assert answer.header("content-length") == "1234"
            second = exchange(wire, "GET", "/v1/videos/video_2")
            assert wire.buffer == b""
    assert second.status == 200
    assert json.loads(second.body)["target"] == "/v1/videos/video_2"
    assert [a.method for a in upstream.arrived] == ["HEAD", "GET"]


def test_connection_level_headers_stop_at_the_proxy(proxy_for: ProxyFactory) -> None:
    """Catches a front end (or its glue) that passes hop-by-hop headers, or those its peer's
    `Connection` names, on to the other side."""

    def hop(arrived: Arrived) -> Reply:
        fields = [
            ("Connection", "x-secret-hop"),
            ("X-Secret-Hop", "1"),
            ("Keep-Alive", "timeout=5, max=77"),
            ("X-Kept", "answer"),
        ]
        return Reply([json_answer({"ok": True}, fields)])

    sent = [
        ("Connection", "keep-alive, x-drop-me"),
        ("X-Drop-Me", "1"),
        ("Keep-Alive", "timeout=5"),
        ("Proxy-Connection", "keep-alive"),
        ("TE", "trailers"),
        ("Upgrade", "h2c"),
        ("X-Kept", "request"),
    ]
    with RawUpstream(hop) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = exchange(wire, "GET", "/v1/videos/video_1", sent)
            assert answer.status == 200
            then_goes_on(wire, answer)
    arrived = upstream.arrived[0]
    assert arrived.header("x-kept") == "request"
    dropped = {"x-drop-me", "connection", "keep-alive", "proxy-connection", "te", "upgrade"}
    assert arrived.names() & dropped == set()
    assert answer.header("x-kept") == "answer"
    assert answer.header("x-secret-hop") is None
    # The front end may send a Keep-Alive of its own, never the upstream's.
    assert not any("max=77" in value for value in answer.all("keep-alive"))
    assert "x-secret-hop" not in (answer.header("connection") or "").lower()


UPGRADES = {
    "websocket": [
        ("Connection", "Upgrade"),
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ],
    "h2c": [("Connection", "Upgrade, HTTP2-Settings"), ("Upgrade", "h2c"), ("HTTP2-Settings", "")],
}


@pytest.mark.parametrize("fields", UPGRADES.values(), ids=UPGRADES.keys())
def test_an_upgrade_request_is_not_switched(fields: Fields, proxy_for: ProxyFactory) -> None:
    """Catches a front end that switches protocols (a 101, then raw bytes tunnelled or
    dropped), passes the upgrade on, or breaks the connection on its parser's upgrade
    signal (httptools raises one for these requests)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = exchange(wire, "GET", "/v1/videos/video_1", fields)
            assert 200 <= answer.status < 500
            then_goes_on(wire, answer)
    for arrived in upstream.arrived:
        assert arrived.names() & {"upgrade", "connection", "http2-settings"} == set()


@pytest.mark.slow
def test_an_idle_client_connection_is_closed_in_the_end(proxy_for: ProxyFactory) -> None:
    """Catches a front end that keeps an idle kept-alive connection open for ever (uvicorn
    closed it after 30 s; each one held is a socket and a task)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            assert exchange(wire, "GET", "/v1/videos/video_1").status == 200
            wire.sock.settimeout(90.0)
            assert wire.closed_by_peer()


def test_the_upstream_server_and_date_headers_pass_alone(proxy_for: ProxyFactory) -> None:
    """Catches a front end that adds its own Server or Date next to the upstream's (two of
    each reach the client) or replaces them."""
    fields = [("Server", "upstream/1.0"), ("Date", "Tue, 01 Dec 2026 00:00:00 GMT")]
    with RawUpstream(lambda arrived: Reply([json_answer({}, fields)])) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = exchange(wire, "GET", "/v1/videos")
    assert answer.all("server") == ["upstream/1.0"]
    assert answer.all("date") == ["Tue, 01 Dec 2026 00:00:00 GMT"]


def test_the_raw_target_and_repeated_headers_pass_unchanged(proxy_for: ProxyFactory) -> None:
    """Catches a front end that decodes or normalises the target (%2F, %20, `+`, the query),
    or keeps one of several fields of the same name, either way."""
    target = "/v1/videos/video%2F1%20x+y?after=a%26b&limit=2&q=%C3%A9"

    def repeated(arrived: Arrived) -> Reply:
        return Reply([json_answer({}, [("X-Multi", "a"), ("X-Multi", "b")])])

    with RawUpstream(repeated) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            answer = exchange(wire, "GET", target, [("X-Multi", "one"), ("X-Multi", "two")])
    (arrived,) = upstream.arrived
    assert arrived.target == target
    assert [v for k, v in arrived.headers if k.lower() == "x-multi"] == ["one", "two"]
    assert answer.all("x-multi") == ["a", "b"]


@pytest.mark.parametrize(
    ("version", "fields"),
    [("HTTP/1.1", [("Connection", "close")]), ("HTTP/1.0", [])],
    ids=["connection-close", "http-1.0"],
)
def test_a_client_that_asks_for_close_gets_its_answer_then_the_close(
    version: str, fields: Fields, proxy_for: ProxyFactory
) -> None:
    """Catches a front end that keeps a connection open its client asked to close (an
    HTTP/1.0 client reading to the end of the connection then hangs)."""
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            raw = request("GET", "/v1/videos/video_1", fields).replace(
                b"HTTP/1.1", version.encode(), 1
            )
            wire.sock.sendall(raw)
            answer = read_answer(wire)
            assert answer.status == 200
            assert json.loads(answer.body)["target"] == "/v1/videos/video_1"
            assert wire.closed_by_peer()


def test_a_slow_reader_is_not_buffered_for(proxy_for: ProxyFactory) -> None:
    """Catches a front end that reads the upstream's answer as fast as it comes and holds
    what its client has not taken yet (memory as large as the asset)."""
    content = "/v1/videos/video_big/content"
    with RawUpstream(routed({content: media(256 * MIB), "/warm": media(4 * MIB)})) as upstream:
        # No spool worth the name: the disk is not what this is about.
        proxied = proxy_for(upstream.url, max_spool=MIB)
        with connected(proxied.url) as wire:
            wire.sock.sendall(request("GET", "/warm"))
            assert len(read_answer(wire).body) == 4 * MIB
        before = peak = rss_mib()
        with connected(proxied.url) as wire:
            wire.sock.sendall(request("GET", content))
            first, _ = wire.head()
            assert first.split(" ")[1] == "200"
            taken, start = len(wire.buffer), time.monotonic()
            wire.buffer.clear()
            while (elapsed := time.monotonic() - start) < 2.0:
                if taken > 4 * MIB * elapsed:
                    time.sleep(0.02)
                    continue
                piece = wire.sock.recv(64 * 1024)
                assert piece, "the answer ended early"
                taken += len(piece)
                peak = max(peak, rss_mib())
        assert taken < 16 * MIB  # the pace held: the rest waited somewhere
        assert peak - before < 64, f"RSS grew {peak - before:.0f} MiB for a slow reader"


def test_an_exchange_in_flight_finishes_when_the_proxy_stops(tmp_path: Path) -> None:
    """Catches a front end whose stop cuts the connections it is answering (the client gets
    a reset or half an answer) instead of letting exchanges in flight end."""
    body = secrets.token_hex(50_000)

    def slow(arrived: Arrived) -> Reply:
        time.sleep(1.5)
        return Reply([json_answer({"body": body})])

    got: list[httpx.Response | BaseException] = []
    with RawUpstream(slow) as upstream:
        config = ProxyConfig(upstream=upstream.url, report_dir=tmp_path / "reports")
        with running_proxy(config) as proxy:

            def ask() -> None:
                try:
                    got.append(httpx.get(f"{proxy.url}/v1/videos/video_1", timeout=30.0))
                except BaseException as exc:
                    got.append(exc)

            asking = threading.Thread(target=ask)
            asking.start()
            assert settles(lambda: len(upstream.arrived) == 1)
            time.sleep(0.3)
            assert got == []  # the stop begins while the upstream holds its answer
        asking.join(timeout=30)
    (reply,) = got
    assert isinstance(reply, httpx.Response), reply
    assert reply.status_code == 200
    assert reply.json() == {"body": body}


def test_refusals_are_in_the_api_error_shape(proxy_for: ProxyFactory) -> None:
    """Catches a front end whose refusals are plain text (a client's error handling reads
    `error.message`), or that forwards a head too large or an upgrade carrying a body."""
    cases = {
        b"GARBAGE\r\n\r\n": 400,
        request("GET", "/v1/videos", [("X-Huge", "a" * (80 * 1024))]): 431,
        request("POST", "/v1/videos", [("Connection", "Upgrade"), ("Upgrade", "h2c")], b"abc"): 400,
    }
    with RawUpstream(echo) as upstream:
        proxied = proxy_for(upstream.url)
        for raw, status in cases.items():
            with connected(proxied.url) as wire:
                wire.sock.sendall(raw)
                answer = read_answer(wire)
                assert answer.status == status
                assert answer.header("content-type") == "application/json"
                error = json.loads(answer.body)["error"]
                assert set(error) == {"message", "type", "param", "code"}
                assert error["type"] == "invalid_request_error"
                assert wire.closed_by_peer()
        assert upstream.heads == []


def test_an_http_1_0_client_gets_media_of_unknown_length_unchunked(
    proxy_for: ProxyFactory,
) -> None:
    """Catches a front end that answers an HTTP/1.0 client in chunks (which it cannot read):
    a body of unknown length must end with the connection."""
    body = bytes(range(256)) * 4096

    def unknown_length(arrived: Arrived) -> Reply:
        fields = [("Content-Type", "video/mp4"), ("Connection", "close")]
        return Reply([head(200, fields), body[:300_000], body[300_000:]], close=True)

    with RawUpstream(unknown_length) as upstream:
        proxied = proxy_for(upstream.url)
        with connected(proxied.url) as wire:
            wire.sock.sendall(b"GET /v1/videos/video_1/content HTTP/1.0\r\nHost: x\r\n\r\n")
            first, fields = wire.head()
            assert first.startswith("HTTP/1.1 200")
            names = {name.lower() for name, _ in fields}
            assert "transfer-encoding" not in names
            assert wire.to_eof() == body
