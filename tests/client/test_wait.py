"""`wait`: follows the job to the end, honours the server's pace, stops at once on nonsense."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.client.conftest import ClientFactory, Helpers, VideoFactory
from videos_contract.client import (
    ApiError,
    JobFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from videos_contract.client.wait import MIN_INTERVAL, POLL_AFTER_HEADER


class Clock:
    """A clock that only moves when the poller sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Job:
    """Answers retrieves with the given bodies in turn (the last one repeats)."""

    def __init__(self, *bodies: Any, headers: dict[str, str] | None = None) -> None:
        self.bodies = list(bodies)
        self.headers = headers or {}
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "GET"
        self.polls += 1
        body = self.bodies.pop(0) if len(self.bodies) > 1 else self.bodies[0]
        return httpx.Response(200, json=body, headers=self.headers)


def test_follows_the_job_to_completed(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    queued = make_video()
    running = make_video(status="in_progress", progress=40)
    done = make_video(status="completed", progress=100, completed_at=queued["created_at"] + 9)
    job = Job(queued, running, done)
    clock = Clock()
    seen: list[str] = []
    video = helpers.wait(
        make_client(job),
        queued["id"],
        interval=1.5,
        on_progress=lambda v: seen.append(f"{v.status}:{v.progress}"),
        sleep=clock.sleep,
        clock=clock,
    )
    assert video.status == "completed"
    assert seen == ["queued:0", "in_progress:40", "completed:100"]
    assert clock.sleeps == [1.5, 1.5]


def test_honours_poll_after_header(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    job = Job(make_video(), make_video(status="completed"), headers={POLL_AFTER_HEADER: "250"})
    clock = Clock()
    helpers.wait(make_client(job), make_video()["id"], interval=5, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [0.25]


@pytest.mark.parametrize(("advice", "expected"), [("0", MIN_INTERVAL), ("soon", 2.0)])
def test_unusable_poll_after_is_bounded(
    helpers: Helpers,
    advice: str,
    expected: float,
    make_client: ClientFactory,
    make_video: VideoFactory,
) -> None:
    job = Job(make_video(), make_video(status="completed"), headers={POLL_AFTER_HEADER: advice})
    clock = Clock()
    helpers.wait(make_client(job), make_video()["id"], interval=2.0, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [expected]


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"status": "expired"}, "expired"),
        ({"seconds": None}, "seconds"),
        ({"progress": 123}, "progress"),
        ({"width": 0}, "width"),
    ],
)
def test_stops_at_once_on_a_body_outside_the_contract(
    helpers: Helpers,
    change: dict[str, Any],
    shown: str,
    make_client: ClientFactory,
    make_video: VideoFactory,
) -> None:
    job = Job(make_video(**change))
    clock = Clock()
    with pytest.raises(UnexpectedResponseError) as caught:
        helpers.wait(
            make_client(job), make_video()["id"], timeout=60, sleep=clock.sleep, clock=clock
        )
    assert job.polls == 1
    assert clock.sleeps == []
    assert shown in str(caught.value)


def test_stops_at_once_on_a_task_id_body(helpers: Helpers, make_client: ClientFactory) -> None:
    job = Job({"task_id": "abc123"})
    with pytest.raises(UnexpectedResponseError, match="task_id"):
        helpers.wait(make_client(job), "abc123", timeout=60)
    assert job.polls == 1


def test_stops_on_a_body_that_is_not_json(helpers: Helpers, make_client: ClientFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>gateway error</html>")

    with pytest.raises(UnexpectedResponseError, match=r"not JSON.*gateway error"):
        helpers.wait(make_client(handler), "video_x", timeout=60)


def test_stops_when_the_answer_is_another_job(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    job = Job(make_video(id="video_someone_else"))
    with pytest.raises(UnexpectedResponseError, match="video_someone_else"):
        helpers.wait(make_client(job), "video_mine", timeout=60)


def test_failed_raises_with_the_server_reason(
    helpers: Helpers, make_client: ClientFactory, failed_example: dict[str, Any]
) -> None:
    job = Job(failed_example)
    with pytest.raises(JobFailedError) as caught:
        helpers.wait(make_client(job), failed_example["id"])
    assert caught.value.code == failed_example["error"]["code"]
    assert caught.value.message == failed_example["error"]["message"]
    assert failed_example["error"]["message"] in str(caught.value)


def test_the_gateway_s_failure_body_is_read(
    helpers: Helpers, make_client: ClientFactory, failed_example: dict[str, Any]
) -> None:
    """The unified page's failed job: `{"message", "type"}`, no `code`."""
    gateway = {"message": "Video generation failed", "type": "video_generation_error"}
    job = Job({**failed_example, "error": gateway})
    with pytest.raises(JobFailedError) as caught:
        helpers.wait(make_client(job), failed_example["id"])
    assert caught.value.code == gateway["type"]
    assert caught.value.message == gateway["message"]


def test_timeout_carries_the_last_state(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    job = Job(make_video(status="in_progress", progress=37))
    clock = Clock()
    with pytest.raises(WaitTimeoutError) as caught:
        helpers.wait(
            make_client(job),
            make_video()["id"],
            timeout=10,
            interval=3,
            sleep=clock.sleep,
            clock=clock,
        )
    assert caught.value.video is not None
    assert caught.value.video.status == "in_progress"
    assert caught.value.video.progress == 37
    assert "37%" in str(caught.value)
    # Polls at 0, 3, 6, 9 and one last time at the deadline, never sleeping past it.
    assert clock.sleeps == [3, 3, 3, 1]
    assert job.polls == 5


def test_error_status_ends_the_wait(helpers: Helpers, make_client: ClientFactory) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = {"message": "No video with id video_x", "type": "invalid_request_error"}
        return httpx.Response(404, json={"error": {**error, "param": None, "code": "not_found"}})

    with pytest.raises(ApiError) as caught:
        helpers.wait(make_client(handler), "video_x")
    assert (caught.value.status_code, caught.value.code) == (404, "not_found")


def _cut_at_the_deadline(clock: Clock, deadline: float, *answers: Any) -> Any:
    """Answers retrieves in turn; past the answers, a poll that the deadline cuts short."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        if queue:
            return httpx.Response(200, json=queue.pop(0))
        clock.now = deadline  # the attempt ran out of the time left
        raise httpx.ReadTimeout("cut to the deadline", request=request)

    return handler


def test_a_poll_cut_by_the_deadline_is_not_called_a_silent_server(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    """`--timeout 0.1`: the server answered, the job was simply not done in time."""
    clock = Clock()
    queued = make_video(status="queued", progress=0)
    handler = _cut_at_the_deadline(clock, 1.0, queued)
    with pytest.raises(WaitTimeoutError) as caught:
        helpers.wait(
            make_client(handler), queued["id"], timeout=1.0, sleep=clock.sleep, clock=clock
        )
    message = str(caught.value)
    assert caught.value.problem is None, message
    assert "last seen queued at 0%" in message and "did not answer" not in message


def test_a_server_that_never_answered_in_time_is_said_so(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    clock = Clock()
    handler = _cut_at_the_deadline(clock, 1.0)
    with pytest.raises(WaitTimeoutError) as caught:
        helpers.wait(
            make_client(handler), make_video()["id"], timeout=1.0, sleep=clock.sleep, clock=clock
        )
    assert "the server did not answer a poll within 1 s" in str(caught.value)
