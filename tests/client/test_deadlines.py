"""Deadlines reach the retry transport and each read of the socket, and `Retry-After` may
be an HTTP date."""

from __future__ import annotations

import asyncio
import email.utils
import time
from types import SimpleNamespace
from typing import Any

import httpcore
import httpx
import pytest

from tests.client.conftest import ClientFactory, Helpers, VideoFactory
from videos_contract import sockets
from videos_contract.client import WaitTimeoutError
from videos_contract.http_rules import retry_after_seconds


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    moment = 1_445_412_475.0  # 2015-10-21 07:27:55 GMT
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(" 1.5 ") == 1.5
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=moment) == 5.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:20:00 GMT", now=moment) == 0.0  # past
    for unusable in (None, "", "soon", "-3", "nan", "inf", "Wed, 21 Oct 2015 07:28:00"):
        assert retry_after_seconds(unusable, now=moment) is None


def test_the_transport_waits_until_a_retry_after_date(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory, sleeps: list[float]
) -> None:
    answers = iter(
        [
            httpx.Response(
                503, headers={"Retry-After": email.utils.formatdate(time.time() + 4, usegmt=True)}
            ),
            httpx.Response(200, json=make_video()),
        ]
    )
    video = helpers.retrieve(make_client(lambda request: next(answers)), make_video()["id"])
    assert video.id == make_video()["id"]
    assert len(sleeps) == 1 and 2.0 <= sleeps[0] <= 4.0  # whole seconds: the date's precision


def _always_503(retry_after: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        error = {"message": "Overloaded.", "type": "server_error", "param": None, "code": None}
        return httpx.Response(503, json={"error": error}, headers={"Retry-After": retry_after})

    return handler


def test_a_long_retry_after_does_not_hold_wait_past_its_deadline(
    helpers: Helpers, make_client: ClientFactory, sleeps: list[float]
) -> None:
    client = make_client(_always_503("30"))
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    with pytest.raises(WaitTimeoutError) as caught:
        helpers.wait(client, "video_x", timeout=0.5, sleep=sleep)
    # The transport took no 30 s pause; wait's own pauses ended at the deadline.
    assert sleeps == []
    assert pauses and sum(pauses) <= 0.5 + 1e-6
    assert "HTTP 503" in str(caught.value)


def test_a_transient_error_is_polled_through_until_the_job_completes(
    helpers: Helpers,
    make_client: ClientFactory,
    make_video: VideoFactory,
    completed_example: dict[str, Any],
) -> None:
    video_id = make_video()["id"]
    answers = iter(
        [
            httpx.Response(502),
            httpx.Response(502),
            httpx.Response(200, json=make_video()),
            httpx.Response(200, json={**completed_example, "id": video_id}),
        ]
    )
    # No retries in the transport: every 502 reaches wait, which polls on.
    client = make_client(lambda request: next(answers), max_retries=0)
    video = helpers.wait(client, video_id, timeout=30, interval=0.01)
    assert video.status == "completed"


class _Recorded(httpcore.NetworkStream):
    """A stream that answers every read at once and remembers the timeout it was given."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return b"x"


class _AsyncRecorded(httpcore.AsyncNetworkStream):
    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return b"x"


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_each_read_waits_at_most_until_the_deadline_on_a_fake_clock(
    monkeypatch: pytest.MonkeyPatch, asynchronous: bool
) -> None:
    """What keeps a trickled answer (a byte a second, head or body) to its call deadline: each
    read of the socket is given the time left, never its own longer timeout, and past the
    deadline a read fails at once. So a call overruns its deadline by at most the one read in
    progress, whatever the machine's speed."""
    now = [100.0]
    monkeypatch.setattr(sockets, "time", SimpleNamespace(monotonic=lambda: now[0]))
    inner: _Recorded | _AsyncRecorded = _AsyncRecorded() if asynchronous else _Recorded()

    def read() -> bytes:
        if isinstance(inner, _AsyncRecorded):
            return asyncio.run(sockets._AsyncStream(inner).read(1, timeout=30.0))
        return sockets._Stream(inner).read(1, timeout=30.0)

    assert read() == b"x" and inner.timeouts == [30.0]  # no deadline: the read's own timeout
    with sockets.reads_until(102.0):
        assert read() == b"x"
        now[0] = 101.5
        assert read() == b"x"
        now[0] = 102.0
        with pytest.raises(httpcore.ReadTimeout, match="deadline passed"):
            read()
    assert inner.timeouts == [30.0, 2.0, 0.5]  # the read past the deadline never waited
    assert read() == b"x" and inner.timeouts[-1] == 30.0  # the deadline ends with its block
