"""The relay's exchange logic driven without sockets: its upstream connections are connected
to a scripted transport (`Upstream(connector=...)`) that answers each request with bytes cut
at chosen places, and the proxy's ASGI app is called directly. Each case is what a hostile or
broken upstream does on the wire; no socket, no server, no timing."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from videos_contract.proxy import Findings, TrafficChecker
from videos_contract.proxy.app import ValidatingProxy
from videos_contract.relay.upstream import MAX_HEAD, Upstream, UpstreamError
from videos_contract.spec import load_spec

UPSTREAM = "http://upstream.test"


def _answer(status: int, body: bytes, *headers: tuple[str, str]) -> bytes:
    head = [
        f"HTTP/1.1 {status} X",
        f"content-length: {len(body)}",
        *(f"{n}: {v}" for n, v in headers),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class ScriptedTransport(asyncio.Transport):
    """A connection's far end: each request written gets the next scripted reply, fed to the
    protocol in the given pieces, one piece per turn of the event loop."""

    def __init__(self, protocol: asyncio.Protocol, replies: deque[list[bytes]]) -> None:
        super().__init__()
        self.protocol = protocol
        self.replies = replies
        self.written = bytearray()
        self.closed = False
        self.paused = False
        self.answered = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        # The relay's requests here have no body: each head written gets the next reply.
        self.written += data
        while self.written.count(b"\r\n\r\n") > self.answered:
            self.answered += 1
            pieces = self.replies.popleft() if self.replies else []
            loop = asyncio.get_running_loop()
            for piece in pieces:
                loop.call_soon(self.feed, piece)

    def feed(self, data: bytes) -> None:
        if not self.closed:
            self.protocol.data_received(data)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)
            except RuntimeError:  # closed after the loop ended
                self.protocol.connection_lost(None)

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class Far:
    """The upstream's side of every connection the relay opens."""

    def __init__(self, *replies: list[bytes]) -> None:
        self.replies: deque[list[bytes]] = deque(replies)
        self.transports: list[ScriptedTransport] = []

    async def connect(self, protocol: asyncio.Protocol) -> None:
        transport = ScriptedTransport(protocol, self.replies)
        self.transports.append(transport)
        protocol.connection_made(transport)


async def _get(upstream: Upstream, path: str = "/v1/videos/video_1") -> tuple[int, bytes]:
    answer = await upstream.send("GET", path, [("authorization", "Bearer k")])
    try:
        body = b"".join([piece async for piece in answer.chunks()])
    finally:
        answer.close()
    return answer.status, body


def _run(far: Far, work: Callable[[Upstream], Any]) -> Any:
    async def main() -> Any:
        upstream = Upstream(UPSTREAM, connect_timeout=5, connector=far.connect)
        try:
            return await work(upstream)
        finally:
            upstream.close()

    return asyncio.run(main())


def test_an_answer_in_one_byte_pieces_arrives_whole_and_the_connection_is_reused() -> None:
    first, second = _answer(200, b'{"a":1}'), _answer(200, b'{"b":2}')
    far = Far([first[i : i + 1] for i in range(len(first))], [second])

    async def work(upstream: Upstream) -> list[tuple[int, bytes]]:
        return [await _get(upstream), await _get(upstream)]

    assert _run(far, work) == [(200, b'{"a":1}'), (200, b'{"b":2}')]
    assert len(far.transports) == 1
    assert far.transports[0].written.startswith(
        b"GET /v1/videos/video_1 HTTP/1.1\r\nhost: upstream.test\r\n"
    )


@pytest.mark.parametrize("split", ["same read", "next read"])
def test_a_second_answer_to_one_request_reaches_no_request(split: str) -> None:
    one, stray, own = _answer(200, b"one"), _answer(200, b"stray"), _answer(200, b"own")
    far = Far([one + stray] if split == "same read" else [one, stray], [own])

    async def work(upstream: Upstream) -> list[tuple[int, bytes]]:
        first = await _get(upstream)
        await asyncio.sleep(0)  # the stray bytes arrive while the connection is idle
        return [first, await _get(upstream)]

    assert _run(far, work) == [(200, b"one"), (200, b"own")]
    assert len(far.transports) == 2 and far.transports[0].closed


def test_trailer_fields_end_the_body_and_never_join_the_head() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n0\r\nauthorization: Bearer stolen\r\n\r\n"
    )

    async def work(upstream: Upstream) -> tuple[int, list[tuple[str, str]], bytes]:
        answer = await upstream.send("GET", "/v1/videos", [])
        body = b"".join([piece async for piece in answer.chunks()])
        answer.close()
        return answer.status, answer.headers, body

    status, headers, body = _run(Far([chunked]), work)
    assert (status, body) == (200, b"abc")
    assert all(name != "authorization" for name, _ in headers)


def test_an_answer_head_over_the_cap_in_many_pieces_is_refused() -> None:
    filler = b"x-filler: " + b"a" * 1000 + b"\r\n"
    head = b"HTTP/1.1 200 OK\r\n" + filler * (MAX_HEAD // len(filler) + 2) + b"\r\n"
    far = Far([head[i : i + 4096] for i in range(0, len(head), 4096)])
    with pytest.raises(UpstreamError) as caught:
        _run(far, _get)
    assert caught.value.kind == "closed"
    assert far.transports[0].closed


def test_an_upstream_that_closes_without_answering_is_named_so() -> None:
    far = Far([])

    async def work(upstream: Upstream) -> tuple[int, bytes]:
        task = asyncio.ensure_future(_get(upstream))
        while not far.transports:
            await asyncio.sleep(0)
        far.transports[0].close()
        return await task

    with pytest.raises(UpstreamError, match="closed the connection without answering"):
        _run(far, work)


# -- the proxy's ASGI app, whole exchanges, no sockets -------------------------------------


def _video(**fields: Any) -> bytes:
    spec = load_spec()
    video = dict(spec.raw["components"]["examples"]["CompletedVideo"]["value"])
    video.update(fields)
    return json.dumps(video).encode()


def _exchange(proxy: ValidatingProxy, path: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"proxy.test"), (b"authorization", b"Bearer sk-secret-key")],
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        await proxy(scope, receive, send)
        while proxy.busy:  # the checks after the answer
            await asyncio.sleep(0.01)

    asyncio.run(main())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), body


def _proxy(far: Far) -> tuple[ValidatingProxy, list[str]]:
    lines: list[str] = []
    checker = TrafficChecker(load_spec(), Findings(UPSTREAM, lines.append), UPSTREAM)
    return ValidatingProxy(UPSTREAM, checker, connector=far.connect), lines


def test_a_conforming_answer_is_relayed_byte_for_byte_and_judged_clean() -> None:
    video = _video()
    video_id = json.loads(video)["id"]
    answer = _answer(200, video, ("content-type", "application/json"))
    far = Far([answer[:10], answer[10:]])
    proxy, lines = _proxy(far)
    try:
        assert _exchange(proxy, f"/v1/videos/{video_id}") == (200, video)
    finally:
        proxy.close()
    assert lines == [] and proxy.findings.violations == ()
    assert b"sk-secret-key" in bytes(far.transports[0].written)  # forwarded, as given


def test_a_wrong_answer_is_relayed_and_reported_against_the_upstream() -> None:
    video = _video(status="exploded")
    video_id = json.loads(video)["id"]
    far = Far([_answer(200, video, ("content-type", "application/json"))])
    proxy, lines = _proxy(far)
    try:
        assert _exchange(proxy, f"/v1/videos/{video_id}") == (200, video)
    finally:
        proxy.close()
    assert proxy.findings.violations
    assert lines and all("sk-secret-key" not in line for line in lines)
