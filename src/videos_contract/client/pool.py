"""Let at most as many requests into httpx's async connection pool as it has connections.

httpcore's pool keeps every waiting request in a list and, each time a connection is freed,
compares every waiting request with every connection (`AsyncConnectionPool.
_assign_requests_to_connections`). With 1,000 jobs polled at once that scan used the client's
whole CPU and no job finished in time (docs/benchmarks.md); waiting on a semaphore instead
costs nothing per release. One semaphore per event loop, since a semaphore belongs to one.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator

import httpx

from videos_contract.sockets import async_transport

__all__ = ["DEFAULT_CONNECTIONS", "PoolGate"]

# Fewer than httpx's default of 100: even gated, each request that enters the pool and each
# that leaves it makes httpcore walk every connection of the pool for every queued request
# (`is_idle`, `has_expired`, a `poll` of the socket), so its cost grows with the product.
# With 100, 1,000 jobs awaited at once spent half the client's CPU there; 10 connections
# keep a poller far ahead of any server's pace (docs/benchmarks.md).
DEFAULT_CONNECTIONS = 10


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that frees its place in the gate when closed."""

    def __init__(self, stream: httpx.AsyncByteStream, gate: asyncio.Semaphore) -> None:
        self._stream = stream
        self._gate: asyncio.Semaphore | None = gate

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._gate is not None:
                self._gate.release()
                self._gate = None


class PoolGate(httpx.AsyncBaseTransport):
    """An `httpx.AsyncHTTPTransport` of `connections` connections behind a semaphore.

    `transport` replaces the HTTP transport (tests pass a scripted one).
    """

    def __init__(
        self,
        connections: int = DEFAULT_CONNECTIONS,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.connections = connections
        self._transport = transport or async_transport(
            limits=httpx.Limits(max_connections=connections)
        )
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.connections)
        return gate

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        gate = self._gate()
        await gate.acquire()
        try:
            response = await self._transport.handle_async_request(request)
        except BaseException:
            gate.release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasingStream(response.stream, gate)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()
