"""PoolGate: no more requests in flight than the pool has connections, on any event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from videos_contract.client.pool import PoolGate


class _Body(httpx.AsyncByteStream):
    """A body that arrives as a stream, as over a real connection (a body given to
    `httpx.Response` up front is never read, so it is never closed and frees no place)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"{}"


class _Counting:
    """An async handler that records how many requests it holds at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return httpx.Response(200, stream=_Body())


def _run(gate: PoolGate, requests: int) -> list[int]:
    async def main() -> list[int]:
        async with httpx.AsyncClient(transport=gate, base_url="http://pool.test") as client:
            replies = await asyncio.gather(*(client.get(f"/{n}") for n in range(requests)))
        return [reply.status_code for reply in replies]

    return asyncio.run(main())


def test_requests_wait_for_a_free_connection() -> None:
    handler = _Counting()
    gate = PoolGate(3, transport=httpx.MockTransport(handler))
    assert _run(gate, 40) == [200] * 40
    assert handler.most == 3


def test_the_gate_works_on_a_second_event_loop() -> None:
    handler = _Counting()
    gate = PoolGate(2, transport=httpx.MockTransport(handler))
    _run(gate, 5)
    assert _run(gate, 5) == [200] * 5  # a semaphore of the first loop would fail here
    assert handler.most == 2
