"""When a request may be sent again, as an httpx transport that wraps the real one.

Idempotent requests (GET, HEAD, OPTIONS, DELETE) are retried on connection errors, 429 and
5xx, after a capped exponential backoff with jitter, or after `Retry-After` when the server
gives one. A request that is not idempotent (a create or a remix: every accepted one is a
billed video) is retried only when the connection could not even be opened, so that nothing
was sent; once a byte may have reached the server, its outcome is the caller's to judge.

A request may carry a deadline (`DEADLINE`, a `time.monotonic()` value, set by `wait` and
`download`): no pause runs past it, and each attempt's timeouts are cut to the time left, so
a burst of errors or a server that stops answering ends the call at the deadline.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from videos_contract.client.errors import retry_after_seconds
from videos_contract.client.pool import PoolGate

__all__ = [
    "DEADLINE",
    "IDEMPOTENT_METHODS",
    "NOT_SENT_ERRORS",
    "RETRY_STATUSES",
    "STREAMED",
    "RetryPolicy",
    "RetryTransport",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# Raised before any byte of the request left this machine: safe to retry for every method.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

RetryHook = Callable[[httpx.Request, int, str, float], None]

# Request extension that marks a response the caller streams itself (downloads): its body is
# left on the wire, and a break in it is the caller's to handle (by resuming with Range).
STREAMED = "videos_contract.streamed"
# Request extension: the `time.monotonic()` moment after which no attempt or pause may run.
DEADLINE = "videos_contract.deadline"
# Below this much time left, no new attempt is started: it could not get an answer anyway.
_MIN_ATTEMPT = 0.01


def _remaining(request: httpx.Request) -> float | None:
    deadline = request.extensions.get(DEADLINE)
    return None if deadline is None else float(deadline) - time.monotonic()


def _fit_timeouts(request: httpx.Request, remaining: float | None) -> None:
    """Cut the request's timeouts to the time left before its deadline."""
    if remaining is None:
        return
    timeouts = dict(request.extensions.get("timeout") or {})
    left = max(_MIN_ATTEMPT, remaining)
    for phase in ("connect", "read", "write", "pool"):
        current = timeouts.get(phase)
        timeouts[phase] = left if current is None else min(float(current), left)
    request.extensions["timeout"] = timeouts


def _past_deadline(request: httpx.Request, delay: float) -> bool:
    """Whether a pause of `delay` and another attempt no longer fit before the deadline."""
    remaining = _remaining(request)
    return remaining is not None and delay + _MIN_ATTEMPT >= remaining


def _read_here(request: httpx.Request) -> bool:
    """Whether the body is read inside the retry loop, so that a connection lost while it
    arrives is retried like one lost before the headers (idempotent requests only)."""
    return request.method.upper() in IDEMPOTENT_METHODS and not request.extensions.get(STREAMED)


@dataclass
class RetryPolicy:
    """How often and how long to wait; `sleep`, `async_sleep` and `rng` can be swapped in tests."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    # Share of each backoff delay that is randomised, so that clients do not retry in step.
    jitter: float = 0.5
    # A `Retry-After` longer than this is not waited for: the error goes to the caller.
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    on_retry: RetryHook | None = None

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (0-based), without a `Retry-After`."""
        delay = min(self.max_delay, self.base_delay * (2.0**attempt))
        return delay * (1 - self.jitter * self.rng.random())

    def delay_for_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int
    ) -> float | None:
        """Seconds to wait before retrying after `response`, or None to give up."""
        if response.status_code not in RETRY_STATUSES:
            return None
        if request.method.upper() not in IDEMPOTENT_METHODS:
            return None
        advised = retry_after_seconds(response.headers.get("retry-after"))
        if advised is not None:
            return advised if advised <= self.max_retry_after else None
        return self.backoff(attempt)

    def delay_for_error(self, request: httpx.Request, exc: Exception, attempt: int) -> float | None:
        """Seconds to wait before retrying after a transport error, or None to give up."""
        if isinstance(exc, NOT_SENT_ERRORS):
            return self.backoff(attempt)
        if isinstance(exc, httpx.TransportError) and request.method.upper() in IDEMPOTENT_METHODS:
            return self.backoff(attempt)
        return None

    def _notify(self, request: httpx.Request, attempt: int, reason: str, delay: float) -> None:
        if self.on_retry is not None:
            self.on_retry(request, attempt, reason, delay)


class RetryTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a sync and an async transport with a `RetryPolicy`.

    One object serves both `httpx.Client` and `httpx.AsyncClient`, because the generated
    client passes the same `httpx_args` to both.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._transport = transport
        self._async_transport = async_transport

    @property
    def transport(self) -> httpx.BaseTransport:
        if self._transport is None:
            self._transport = httpx.HTTPTransport()
        return self._transport

    @property
    def async_transport(self) -> httpx.AsyncBaseTransport:
        if self._async_transport is None:
            self._async_transport = PoolGate()
        return self._async_transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = self.policy
        attempt = 0
        while True:
            response: httpx.Response | None = None
            _fit_timeouts(request, _remaining(request))
            try:
                response = self.transport.handle_request(request)
                if _read_here(request):
                    response.read()
            except Exception as exc:
                if response is not None:
                    response.close()
                delay = policy.delay_for_error(request, exc, attempt)
                if delay is None or attempt >= policy.max_retries:
                    raise
                if _past_deadline(request, delay):
                    raise
                policy._notify(request, attempt, type(exc).__name__, delay)
            else:
                delay = policy.delay_for_response(request, response, attempt)
                if delay is None or attempt >= policy.max_retries:
                    return response
                if _past_deadline(request, delay):
                    return response
                response.close()
                policy._notify(request, attempt, f"HTTP {response.status_code}", delay)
            policy.sleep(delay)
            attempt += 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        policy = self.policy
        attempt = 0
        while True:
            response: httpx.Response | None = None
            _fit_timeouts(request, _remaining(request))
            try:
                response = await self.async_transport.handle_async_request(request)
                if _read_here(request):
                    await response.aread()
            except Exception as exc:
                if response is not None:
                    await response.aclose()
                delay = policy.delay_for_error(request, exc, attempt)
                if delay is None or attempt >= policy.max_retries:
                    raise
                if _past_deadline(request, delay):
                    raise
                policy._notify(request, attempt, type(exc).__name__, delay)
            else:
                delay = policy.delay_for_response(request, response, attempt)
                if delay is None or attempt >= policy.max_retries:
                    return response
                if _past_deadline(request, delay):
                    return response
                await response.aclose()
                policy._notify(request, attempt, f"HTTP {response.status_code}", delay)
            await policy.async_sleep(delay)
            attempt += 1

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        if self._async_transport is not None:
            await self._async_transport.aclose()
