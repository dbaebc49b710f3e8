"""When a request may be sent again, as an httpx transport that wraps the real one.

Idempotent requests (GET, HEAD, OPTIONS, DELETE) are retried on connection errors, 429 and
5xx, after a capped exponential backoff with jitter, or after `Retry-After` when the server
gives one. Only where a retry can help: a connection refused (nothing listens at that address)
or a host name that does not exist fails at once (`hopeless`), with no retry of any request.
A request that is not idempotent (a create or a remix: every accepted one is a
billed video) is retried only when the connection could not even be opened, so that nothing
was sent; once a byte may have reached the server, its outcome is the caller's to judge.

A request may carry a deadline (`DEADLINE`, a `time.monotonic()` value, set by `wait` and
`download`): no pause runs past it, and each attempt's timeouts are cut to the time left, so
a burst of errors or a server that stops answering ends the call at the deadline. A request
without one gets the transport's own (`call_timeout`, `DEFAULT_CALL_TIMEOUT`): every call has
an overall deadline, not only per-read timeouts, which a server sending one byte a second never
trips. Every read of the socket is cut to the time left (`network`), and answers are read
through a guard that enforces it chunk by chunk (`DeadlineExceeded`, a `httpx.ReadTimeout`),
so a trickle, of the headers or of the body, ends at the deadline.

The transport also bounds what an answer may cost. Every request asks for
`Accept-Encoding: identity`, and an answer in any other `Content-Encoding` is refused before a
byte of it is read (`EncodingRefusedError`): nothing is ever inflated. A body the caller does
not stream itself (every JSON answer, and the error answers of downloads) may hold at most
`max_body` bytes (`DEFAULT_MAX_BODY`); a longer one is refused as soon as its
`Content-Length` says so, or when the bytes received pass the cap (`ResponseTooLargeError`).
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import httpx

from videos_contract.client.defaults import DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_BODY
from videos_contract.client.errors import (
    EncodingRefusedError,
    ResponseTooLargeError,
)
from videos_contract.client.pool import PoolGate
from videos_contract.http_rules import retry_after_seconds
from videos_contract.sockets import LARGE_READ_BYTES, READ_SIZE, reads_until, transport

__all__ = [
    "DEADLINE",
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "IDEMPOTENT_METHODS",
    "NOT_SENT_ERRORS",
    "RETRY_STATUSES",
    "STREAMED",
    "DeadlineExceeded",
    "RetryPolicy",
    "RetryTransport",
    "hopeless",
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


class DeadlineExceeded(httpx.ReadTimeout):
    """The call's overall deadline passed while its answer had not (completely) arrived."""


def hopeless(exc: BaseException) -> bool:
    """Whether a connection error is one that no retry mends: the address refused the
    connection (nothing listens there) or the host name does not exist. A temporary failure of
    name resolution (`EAI_AGAIN`) and a connection that timed out may pass, and are retried."""
    seen: BaseException | None = exc
    for _ in range(8):  # httpx's error, httpcore's, then the socket's
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError):
            return True
        if isinstance(seen, socket.gaierror):
            return seen.errno != socket.EAI_AGAIN
        seen = seen.__cause__ or seen.__context__
    return False


def _describe(request: httpx.Request) -> str:
    return f"{request.method} {request.url.path}"


class _Guard:
    """Counts the bytes of one answer and checks its cap and deadline at every chunk."""

    def __init__(self, request: httpx.Request, limit: int | None, timeout: float | None) -> None:
        self.request = request
        self.limit = limit
        self.timeout = timeout
        deadline = request.extensions.get(DEADLINE)
        self.deadline = None if deadline is None else float(deadline)
        self.received = 0

    def account(self, size: int) -> None:
        self.received += size
        if self.limit is not None and self.received > self.limit:
            raise ResponseTooLargeError(_describe(self.request), self.limit)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise _deadline_exceeded(self.request, self.timeout, self.received)


def _deadline_exceeded(
    request: httpx.Request, timeout: float | None, received: int | None = None
) -> DeadlineExceeded:
    within = f" within {timeout:g} s" if timeout is not None else " before its deadline"
    what = "no answer" if not received else f"only {received} bytes of the answer"
    return DeadlineExceeded(
        f"{_describe(request)}: {what}{within} (the server is too slow)", request=request
    )


class _GuardedStream(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream, guard: _Guard) -> None:
        self._stream = stream
        self._guard = guard
        # A body the caller streams (to a file) is read in large pieces (`sockets.READ_SIZE`).
        self._read_size = LARGE_READ_BYTES if guard.request.extensions.get(STREAMED) else 0

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._stream)
        while True:
            # Set around each read only: the caller's own requests between chunks read as usual.
            token = READ_SIZE.set(self._read_size)
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                READ_SIZE.reset(token)
            self._guard.account(len(chunk))
            yield chunk

    def close(self) -> None:
        self._stream.close()


class _AsyncGuardedStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, guard: _Guard) -> None:
        self._stream = stream
        self._guard = guard

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            self._guard.account(len(chunk))
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


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
        if isinstance(exc, httpx.ConnectError) and hopeless(exc):
            return None
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
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        max_body: int | None = DEFAULT_MAX_BODY,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._transport = transport
        self._async_transport = async_transport
        self.call_timeout = call_timeout
        self.max_body = max_body

    def _prepare(self, request: httpx.Request) -> float | None:
        """Ask for identity encoding and give the request a deadline when it has none;
        returns the deadline in seconds from now, for messages."""
        request.headers["Accept-Encoding"] = "identity"
        deadline = request.extensions.get(DEADLINE)
        if deadline is not None:
            return max(0.0, float(deadline) - time.monotonic())
        if self.call_timeout is None or request.extensions.get(STREAMED):
            return None  # a download sets its own deadline: its size is not known here
        request.extensions[DEADLINE] = time.monotonic() + self.call_timeout
        return self.call_timeout

    def _check(
        self, request: httpx.Request, response: httpx.Response, timeout: float | None
    ) -> _Guard:
        """Refuse an encoding nobody asked for and a declared length past the cap; the guard
        that counts the body as it arrives."""
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding not in ("", "identity"):
            raise EncodingRefusedError(_describe(request), encoding)
        streamed = bool(request.extensions.get(STREAMED)) and response.is_success
        limit = None if streamed else self.max_body
        length = response.headers.get("content-length", "").strip()
        if limit is not None and length.isdigit() and int(length) > limit:
            raise ResponseTooLargeError(_describe(request), limit, int(length))
        return _Guard(request, limit, timeout)

    def _timed_out(
        self, request: httpx.Request, exc: Exception, timeout: float | None
    ) -> Exception:
        """A timeout at the deadline, reworded to say so; any other error as it is."""
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, DeadlineExceeded):
            remaining = _remaining(request)
            if remaining is not None and remaining <= _MIN_ATTEMPT:
                return _deadline_exceeded(request, timeout)
        return exc

    @property
    def transport(self) -> httpx.BaseTransport:
        if self._transport is None:
            self._transport = transport()
        return self._transport

    @property
    def async_transport(self) -> httpx.AsyncBaseTransport:
        if self._async_transport is None:
            self._async_transport = PoolGate()
        return self._async_transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = self.policy
        attempt = 0
        timeout = self._prepare(request)
        while True:
            response: httpx.Response | None = None
            _fit_timeouts(request, _remaining(request))
            try:
                with reads_until(request.extensions.get(DEADLINE)):
                    response = self.transport.handle_request(request)
                guard = self._check(request, response, timeout)
                assert isinstance(response.stream, httpx.SyncByteStream)
                response.stream = _GuardedStream(response.stream, guard)
                if _read_here(request):
                    with reads_until(request.extensions.get(DEADLINE)):
                        response.read()
            except Exception as exc:
                if response is not None:
                    response.close()
                delay = policy.delay_for_error(request, exc, attempt)
                if delay is None or attempt >= policy.max_retries or _past_deadline(request, delay):
                    raised = self._timed_out(request, exc, timeout)
                    if raised is exc:
                        raise
                    raise raised from exc
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
        timeout = self._prepare(request)
        while True:
            response: httpx.Response | None = None
            _fit_timeouts(request, _remaining(request))
            try:
                with reads_until(request.extensions.get(DEADLINE)):
                    response = await self.async_transport.handle_async_request(request)
                guard = self._check(request, response, timeout)
                assert isinstance(response.stream, httpx.AsyncByteStream)
                response.stream = _AsyncGuardedStream(response.stream, guard)
                if _read_here(request):
                    with reads_until(request.extensions.get(DEADLINE)):
                        await response.aread()
            except Exception as exc:
                if response is not None:
                    await response.aclose()
                delay = policy.delay_for_error(request, exc, attempt)
                if delay is None or attempt >= policy.max_retries or _past_deadline(request, delay):
                    raised = self._timed_out(request, exc, timeout)
                    if raised is exc:
                        raise
                    raise raised from exc
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
