"""The proxy's timeout is the upstream's, never the client's: a client that reads a large
asset slowly, for longer than `request_timeout`, still gets all of it, because while the
client's socket is full the proxy does not read the upstream and does not count that time
against it. An upstream that stops sending in the middle of an asset is still cut off."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.proxy.conftest import ProxyFactory
from videos_contract.audit.serving import serve_in_thread

MIB = 1024 * 1024
TOTAL = 48 * MIB
PATH = "/v1/videos/video_slow/content"


def _app(stall_after: int | None) -> Starlette:
    async def body() -> AsyncIterator[bytes]:
        sent = 0
        piece = bytes(MIB)
        while sent < TOTAL:
            if stall_after is not None and sent >= stall_after:
                await asyncio.sleep(3600)
            yield piece
            sent += len(piece)

    async def content(request: Request) -> Response:
        return StreamingResponse(
            body(), media_type="video/mp4", headers={"content-length": str(TOTAL)}
        )

    return Starlette(routes=[Route("/v1/videos/{video_id}/content", content)])


@pytest.fixture
def fast_upstream() -> Iterator[str]:
    with serve_in_thread(_app(None)) as url:
        yield url


@pytest.fixture
def stalling_upstream() -> Iterator[str]:
    with serve_in_thread(_app(4 * MIB)) as url:
        yield url


def test_a_slow_client_is_not_timed_out(fast_upstream: str, proxy_for: ProxyFactory) -> None:
    """Catches a proxy that counts a slow client's reading time against the upstream: with a
    timeout of 1 s, a 48 MiB asset whose client stops reading for 2.5 s would be broken off."""
    proxied = proxy_for(fast_upstream, request_timeout=1.0)
    host, port = proxied.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(f"GET {PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        received = 0
        paused = False
        while True:
            data = sock.recv(256 * 1024)
            if not data:
                break
            received += len(data)
            if received > 8 * MIB and not paused:
                # The client reads nothing for 2.5 s, more than twice the timeout, while the
                # asset waits in the buffers and the proxy reads no more of the upstream.
                paused = True
                time.sleep(2.5)
    # The pause (2.5 s of no reading, more than twice the timeout) did happen mid-asset.
    assert paused, "the client never paused: nothing was tested"
    assert received > TOTAL, f"only {received} bytes (head and body) of {TOTAL} came"
    failed = proxied.checks("failed")
    assert not any(check == "upstream_answers" for _, check in failed), failed


def test_an_upstream_that_stalls_mid_asset_is_cut_off(
    stalling_upstream: str, proxy_for: ProxyFactory
) -> None:
    """Catches a proxy that never times out an asset once its head went out."""
    proxied = proxy_for(stalling_upstream, request_timeout=1.0)
    received = 0
    # The proxy closes the connection (the head went out already): the body ends short. Had
    # the proxy waited on, the client's own 30 s timer would end it with `ReadTimeout`
    # instead, so the kind of error says who cut it off, with no clock read here.
    with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|closed"):
        with httpx.stream("GET", proxied.url + PATH, timeout=30.0) as reply:
            assert reply.status_code == 200
            for chunk in reply.iter_raw():
                received += len(chunk)
    assert 4 * MIB <= received < TOTAL
    failed = proxied.checks("failed")
    assert any(check == "upstream_answers" for _, check in failed), failed
