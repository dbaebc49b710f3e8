"""A body streamed to a file is read in large pieces; every other read stays as httpcore asks."""

from __future__ import annotations

from collections.abc import Iterator

import httpcore
import httpx

from videos_contract.client.retry import STREAMED, RetryTransport
from videos_contract.sockets import LARGE_READ_BYTES, READ_SIZE, _Stream


class _Recording(httpcore.NetworkStream):
    def __init__(self) -> None:
        self.asked: list[int] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.asked.append(max_bytes)
        return b"x"


def test_a_read_takes_the_larger_of_httpcores_size_and_the_streamed_size() -> None:
    inner = _Recording()
    stream = _Stream(inner)
    stream.read(65536)
    token = READ_SIZE.set(LARGE_READ_BYTES)
    try:
        stream.read(65536)
    finally:
        READ_SIZE.reset(token)
    stream.read(65536)
    assert inner.asked == [65536, LARGE_READ_BYTES, 65536]


class _Body(httpx.SyncByteStream):
    """Notes the read size in force while each chunk is produced."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(3):
            self.seen.append(READ_SIZE.get())
            yield b"chunk"


def _read(streamed: bool) -> tuple[list[int], list[int]]:
    body = _Body()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=body, headers={"Content-Length": "15"})

    transport = RetryTransport(transport=httpx.MockTransport(handler))
    extensions = {STREAMED: True} if streamed else {}
    request = httpx.Request("GET", "http://127.0.0.1:1/v1/videos/v/content", extensions=extensions)
    response = transport.handle_request(request)
    between: list[int] = []
    assert isinstance(response.stream, httpx.SyncByteStream)
    for _ in response.stream:
        between.append(READ_SIZE.get())
    response.close()
    return body.seen, between


def test_streamed_bodies_are_read_in_large_pieces_only_while_reading() -> None:
    inside, between = _read(streamed=True)
    assert inside == [LARGE_READ_BYTES] * 3
    assert between == [0, 0, 0]  # the caller's own requests between chunks read as usual


def test_bodies_read_by_the_transport_keep_httpcores_size() -> None:
    inside, _ = _read(streamed=False)
    assert inside and set(inside) == {0}
