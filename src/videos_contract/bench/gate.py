"""A transport that lets at most as many requests into httpx's connection pool as it has
connections; the others wait on a semaphore.

httpcore's pool keeps every waiting request in a list and, each time a connection is freed,
compares every waiting request with every connection (`AsyncConnectionPool.
_assign_requests_to_connections`). With 1,000 polling jobs on a 100-connection pool that scan
is the client's whole CPU budget. Waiting on a semaphore instead costs nothing per release.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

__all__ = ["PoolGate"]

POOL_CONNECTIONS = 10


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
    """`httpx.AsyncHTTPTransport` behind a semaphore of the pool's size."""

    def __init__(self, connections: int = POOL_CONNECTIONS) -> None:
        limits = httpx.Limits(max_connections=connections)
        self._transport = httpx.AsyncHTTPTransport(limits=limits)
        self._gate = asyncio.Semaphore(connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._gate.acquire()
        try:
            response = await self._transport.handle_async_request(request)
        except BaseException:
            self._gate.release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasingStream(response.stream, self._gate)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()
