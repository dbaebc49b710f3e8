"""Poll a job until it is `completed` or `failed`, with a deadline.

The pause between polls follows the server's `openai-poll-after-ms` header when it sends
one, else `interval`. The wait ends at once, with an error that quotes the body, when the
server answers with something the contract does not allow (`status: "expired"`,
`seconds: null`, a `{task_id}` object): a poller that trusted such an answer would loop until
its deadline.

The deadline holds whatever the server does: each poll carries it to the retry transport
(whose pauses and timeouts are cut to the time left), a transient failure (429, 5xx, a lost
or timed-out connection) that outlasts the retry policy is polled through until the deadline,
and at the deadline `WaitTimeoutError` says what was last seen and why.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models import Video

from videos_contract.client.arguments import check_seconds
from videos_contract.client.defaults import DEFAULT_INTERVAL, DEFAULT_TIMEOUT
from videos_contract.client.errors import (
    ApiError,
    JobFailedError,
    WaitTimeoutError,
)
from videos_contract.client.generated_requests import retrieve_request
from videos_contract.client.parsing import parse_video
from videos_contract.client.retry import DEADLINE, RETRY_STATUSES
from videos_contract.http_rules import retry_after_seconds
from videos_contract.protocol import MIN_POLL_PAUSE, protocol

__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_TIMEOUT",
    "MIN_INTERVAL",
    "POLL_AFTER_HEADER",
    "ProgressHook",
    "async_wait",
    "wait",
]

POLL_AFTER_HEADER = protocol().poll_after_header
# Floor under any pause, so that a server advising 0 ms cannot make the client spin.
MIN_INTERVAL = MIN_POLL_PAUSE

ProgressHook = Callable[[Video], None]


def poll_after(response: httpx.Response, interval: float) -> float:
    """The pause the server advises, or `interval` when it advises nothing usable."""
    return protocol().poll_pause(response.headers.get(POLL_AFTER_HEADER), interval)


@dataclass
class _Poll:
    """What the sync and async loops share: reading one answer and deciding what is next."""

    client: AuthenticatedClient
    video_id: str
    timeout: float
    interval: float
    on_progress: ProgressHook | None
    clock: Callable[[], float]
    last: Video | None = None

    last_problem: str | None = None

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.timeout

    def request(self) -> dict[str, object]:
        """The retrieve request, carrying the deadline on the transport's clock."""
        kwargs: dict[str, object] = dict(retrieve_request(self.video_id))
        remaining = self.deadline - self.clock()
        kwargs["extensions"] = {DEADLINE: time.monotonic() + remaining}
        return kwargs

    def timed_out(self, cause: str | None = None) -> WaitTimeoutError:
        return WaitTimeoutError(self.video_id, self.timeout, self.last, cause or self.last_problem)

    def transient(self, problem: str, *, cut_by_deadline: bool = False) -> None:
        """A poll that failed for a passing reason: poll on, unless the deadline is here.

        A poll whose timeout was cut short by the wait's own deadline says nothing new about
        the server: the problem seen before it is the one worth reporting, and when the server
        did answer an earlier poll, there is none (the job was simply not finished in time).
        """
        at_deadline = self.deadline - self.clock() <= 0
        if cut_by_deadline and at_deadline:
            if self.last_problem is None and self.last is None:
                self.last_problem = f"the server did not answer a poll within {self.timeout:g} s"
        else:
            self.last_problem = problem
        if at_deadline:
            raise self.timed_out()

    def read(self, response: httpx.Response) -> Video | None:
        """The finished video, or None to poll again; raises on failure or nonsense."""
        if response.status_code in RETRY_STATUSES:
            error = ApiError.from_response(response, self.client.token)
            self.transient(str(error))
            return None
        video = parse_video(response, self.client.token, self.video_id)
        self.last_problem = None
        self.last = video
        if self.on_progress is not None:
            self.on_progress(video)
        if video.status == "completed":
            return video
        if video.status == "failed":
            raise JobFailedError(video)
        return None

    def pause(self, response: httpx.Response | None) -> float:
        """Seconds to sleep before the next poll; raises when the deadline has passed."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            raise self.timed_out()
        if response is None:
            return min(max(MIN_INTERVAL, self.interval), remaining)
        pause = poll_after(response, self.interval)
        if response.status_code in RETRY_STATUSES:
            # The retry transport gave up (its pause would pass the deadline): the server's
            # Retry-After still sets the pace, up to the deadline.
            advised = retry_after_seconds(response.headers.get("retry-after"))
            pause = max(pause, advised or 0.0)
        return min(pause, remaining)


def wait(
    client: AuthenticatedClient,
    video_id: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    on_progress: ProgressHook | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Video:
    """Poll `video_id` until it completes, and return it.

    Raises `JobFailedError` (the server's code and message) when it fails,
    `WaitTimeoutError` (with the last state seen, and the last transient error) after
    `timeout` seconds, `UnexpectedResponseError` at once on an answer outside the contract,
    and `ApiError` at once on an error status that is not transient (401, 404, ...).
    """
    check_seconds("timeout", timeout)
    check_seconds("interval", interval)
    poll = _Poll(client, video_id, timeout, interval, on_progress, clock)
    http = client.get_httpx_client()
    while True:
        response: httpx.Response | None = None
        try:
            response = http.request(**poll.request())  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            poll.transient(
                f"{type(exc).__name__}: the server did not answer",
                cut_by_deadline=isinstance(exc, httpx.TimeoutException),
            )
            finished = None
        else:
            finished = poll.read(response)
        if finished is not None:
            return finished
        sleep(poll.pause(response))


async def async_wait(
    client: AuthenticatedClient,
    video_id: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    on_progress: ProgressHook | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Video:
    """`wait` for asyncio code."""
    check_seconds("timeout", timeout)
    check_seconds("interval", interval)
    poll = _Poll(client, video_id, timeout, interval, on_progress, clock)
    http = client.get_async_httpx_client()
    while True:
        response: httpx.Response | None = None
        try:
            response = await http.request(**poll.request())  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            poll.transient(
                f"{type(exc).__name__}: the server did not answer",
                cut_by_deadline=isinstance(exc, httpx.TimeoutException),
            )
            finished = None
        else:
            finished = poll.read(response)
        if finished is not None:
            return finished
        await sleep(poll.pause(response))
