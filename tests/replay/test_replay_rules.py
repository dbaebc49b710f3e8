"""The replay's rules on hand-made cassettes, in-process: tapes, headers, ranges, speed."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from videos_contract.cassette import Recorder
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app

_T = TypeVar("_T")
JOB = "video_" + "cd" * 24
AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
JSON = [("content-type", "application/json")]


def _exchange(
    rec: Recorder,
    method: str,
    target: str,
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    *,
    request: bytes = b"",
    at: float = 0.0,
    error: str | None = None,
) -> None:
    start = rec._origin + at  # recorded times are relative to the recorder's start
    exchange = rec.begin(method, target, [("content-type", "application/json")], started=start)
    exchange.request_body(request)
    exchange.response(status, headers, at=start)
    exchange.response_body(body)
    exchange.finish(at=start, error=error)


def _video(status: str) -> bytes:
    return json.dumps({"id": JOB, "object": "video", "status": status}).encode()


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    media = bytes(range(256)) * 4
    with Recorder.create(tmp_path / "c", upstream="https://gateway.example") as rec:
        create = json.dumps({"prompt": "A fox.", "model": "sora-2"}).encode()
        gz = [*JSON, ("content-encoding", "gzip")]
        _exchange(
            rec, "POST", "/v1/videos", 200, gz, gzip.compress(_video("queued")), request=create
        )
        poll = [*JSON, ("openai-poll-after-ms", "1000"), ("x-request-id", "req_1")]
        _exchange(rec, "GET", f"/v1/videos/{JOB}", 200, poll, _video("in_progress"), at=0.01)
        _exchange(rec, "GET", f"/v1/videos/{JOB}", 200, poll, _video("completed"), at=0.02)
        partial = [("content-type", "video/mp4"), ("content-range", "bytes 0-99/1024")]
        _exchange(rec, "GET", f"/v1/videos/{JOB}/content", 206, partial, media[:100], at=0.03)
        whole = [("content-type", "video/mp4"), ("content-length", "1024"), ("date", "then")]
        _exchange(rec, "GET", f"/v1/videos/{JOB}/content", 200, whole, media, at=0.04)
        cut = [("content-type", "image/webp")]
        path = f"/v1/videos/{JOB}/content?variant=thumbnail"
        _exchange(rec, "GET", path, 200, cut, b"RIFF", at=0.05, error="client went away")
    return tmp_path / "c"


def _run(cassette: Path, speed: float, calls: Callable[[httpx.AsyncClient], Awaitable[_T]]) -> _T:
    config = MockConfig(replay_path=cassette, replay_speed=speed, replay_strict=True)
    app = create_app(config)

    async def main() -> _T:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as c:
            return await calls(c)

    return asyncio.run(main())


def test_tapes_play_in_order_and_the_last_answer_repeats(cassette: Path) -> None:
    async def calls(client: httpx.AsyncClient) -> tuple[httpx.Response, list[httpx.Response]]:
        created = await client.post("/v1/videos", json={"model": "sora-2", "prompt": "A fox."})
        polls = [await client.get(f"/v1/videos/{JOB}") for _ in range(3)]
        return created, polls

    created, polls = _run(cassette, 1000.0, calls)
    assert created.status_code == 200 and created.json()["status"] == "queued"
    assert "content-encoding" not in created.headers  # stored decoded, served plainly
    assert [p.json()["status"] for p in polls] == ["in_progress", "completed", "completed"]
    assert polls[0].headers["openai-poll-after-ms"] == "1"  # 1000 ms at 1000x
    assert polls[0].headers["x-request-id"] == "req_1"


def test_downloads_serve_the_recorded_bytes_with_ranges(cassette: Path) -> None:
    media = bytes(range(256)) * 4

    async def calls(client: httpx.AsyncClient) -> list[httpx.Response]:
        content = f"/v1/videos/{JOB}/content"
        first = await client.get(content, headers={"Range": "bytes=0-99"})  # the recorded 206
        whole = await client.get(content)
        tail = await client.get(content, headers={"Range": "bytes=-24"})
        beyond = await client.get(content, headers={"Range": "bytes=5000-"})
        thumb = await client.get(content, params={"variant": "thumbnail"})
        return [first, whole, tail, beyond, thumb]

    first, whole, tail, beyond, thumb = _run(cassette, 1000.0, calls)
    assert first.status_code == 206 and first.content == media[:100]
    assert first.headers["content-range"] == "bytes 0-99/1024"
    assert whole.status_code == 200 and whole.content == media
    assert (
        whole.headers["content-length"] == "1024" and whole.headers["content-type"] == "video/mp4"
    )
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers.get("date") != "then"
    assert tail.status_code == 206 and tail.content == media[-24:]
    assert beyond.status_code == 416 and beyond.headers["content-range"] == "bytes */1024"
    # The thumbnail download was cut short while recording: never served.
    assert thumb.status_code == 404 and thumb.json()["error"]["code"] == "not_recorded"
    assert "thumbnail" in thumb.json()["error"]["message"]


def test_answers_keep_the_recorded_pace_over_speed(cassette: Path) -> None:
    """A lower bound only, which no machine can break: the second poll (recorded 0.02 s
    after the create) is not answered before 0.04 s at half speed."""

    async def calls(client: httpx.AsyncClient) -> float:
        before = time.monotonic()  # the replayed create is answered after this
        await client.post("/v1/videos", json={"model": "sora-2", "prompt": "A fox."})
        await client.get(f"/v1/videos/{JOB}")
        await client.get(f"/v1/videos/{JOB}")
        return time.monotonic() - before

    waited = _run(cassette, 0.5, calls)  # recorded 0.02 s after the create, at half speed
    assert waited >= 0.04


def test_a_dashscope_create_is_matched_by_its_nested_prompt(tmp_path: Path) -> None:
    """HappyHorse's prompt is `input.prompt`: two recorded creates of one model with two
    prompts are told apart by it, and a third prompt is not recorded (strict: refused)."""
    model = "happyhorse-1.0-t2v"
    jobs = {"a white horse": "video_" + "ab" * 24, "a black horse": "video_" + "ef" * 24}
    with Recorder.create(tmp_path / "c", upstream="https://gateway.example") as rec:
        for i, (prompt, job) in enumerate(jobs.items()):
            body = json.dumps({"model": model, "input": {"prompt": prompt}}).encode()
            answer = json.dumps({"id": job, "object": "video", "status": "in_progress"}).encode()
            _exchange(rec, "POST", "/v1/videos", 200, JSON, answer, request=body, at=0.01 * i)

    async def calls(client: httpx.AsyncClient) -> list[httpx.Response]:
        asked = ["a black horse", "a white horse", "a grey horse"]
        return [
            await client.post("/v1/videos", json={"model": model, "input": {"prompt": p}})
            for p in asked
        ]

    black, white, grey = _run(tmp_path / "c", 1000.0, calls)
    assert black.json()["id"] == jobs["a black horse"]
    assert white.json()["id"] == jobs["a white horse"]
    assert grey.status_code == 400 and "a grey horse" in grey.text
