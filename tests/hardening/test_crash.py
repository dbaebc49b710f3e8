"""A file store loses nothing: not to `kill -9` (one process, or two workers), not to SIGTERM
with a request in flight; a restart on the same file serves every job accepted before."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.hardening import KEY, CliMock, start_cli_mock, wait_until_serving
from videos_contract.families import families
from videos_contract.mock.sqlite_store import SqliteJobStore

MODEL = families().default_family.models[0]

JOBS = 60


async def _create(url: str, count: int) -> list[str]:
    """`count` creates at once (JSON and multipart alternately); the ids answered 200."""
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60.0) as client:

        async def one(index: int) -> httpx.Response:
            if index % 2:
                return await client.post(
                    "/v1/videos", json={"model": MODEL, "prompt": f"Fox {index}."}
                )
            return await client.post(
                "/v1/videos", files={"model": (None, MODEL), "prompt": (None, f"Fox {index}.")}
            )

        responses = await asyncio.gather(*(one(index) for index in range(count)))
    assert {response.status_code for response in responses} == {200}
    return [response.json()["id"] for response in responses]


def _all_retrievable(mock: CliMock, ids: list[str]) -> None:
    with mock.client() as client:
        for video_id in ids:
            answer = client.get(f"/v1/videos/{video_id}")
            assert answer.status_code == 200, (video_id, answer.text)
            assert answer.json()["status"] == "completed"
        listed = client.get("/v1/videos", params={"limit": 100}).json()["data"]
    assert sorted(video["id"] for video in listed) == sorted(ids)


@pytest.mark.parametrize("workers", [pytest.param("1", marks=pytest.mark.slow), "2"])
def test_kill_9_then_restart_keeps_every_accepted_job(
    tmp_path: Path, cli_mocks: list[CliMock], workers: str
) -> None:
    args = ("--store", str(tmp_path / "jobs.db"), "--workers", workers, "--render-seconds", "0.2")
    first = start_cli_mock(*args)
    cli_mocks.append(first)
    wait_until_serving(first.url)
    ids = asyncio.run(_create(first.url, JOBS))
    first.kill_all()  # no shutdown code runs: only what was committed survives

    second = start_cli_mock(*args)
    cli_mocks.append(second)
    wait_until_serving(second.url)
    _all_retrievable(second, ids)
    assert second.stop() == 0


def _refused(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return False
    except OSError:
        return True


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path, cli_mocks: list[CliMock]) -> None:
    store = tmp_path / "jobs.db"
    mock = start_cli_mock("--store", str(store), "--render-seconds", "0.2")
    cli_mocks.append(mock)
    parts = urlsplit(mock.url)
    body = json.dumps({"model": MODEL, "prompt": "A fox that arrives slowly."}).encode()
    upload = socket.create_connection((parts.hostname, parts.port), timeout=30)
    with upload:
        upload.sendall(
            b"POST /v1/videos HTTP/1.1\r\nHost: mock\r\n"
            + f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:10]
        )
        # A full round trip on another connection: the server has read the upload's head.
        with mock.client() as client:
            assert client.get("/v1/videos").status_code == 200
        mock.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while not _refused(mock.url):  # shutting down: no new connection is accepted
            assert time.monotonic() < deadline, "the mock kept accepting after SIGTERM"
            time.sleep(0.05)
        upload.sendall(body[10:])
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = upload.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer
    video_id = json.loads(payload)["id"]
    assert mock.process.wait(timeout=30) == 0
    mock.close()
    # The store is consistent and holds the job accepted during the shutdown.
    reopened = SqliteJobStore(store)
    try:
        assert [
            job.id for job in reopened.page(_owner(), after=None, limit=10, order="asc")[0]
        ] == [video_id]
    finally:
        reopened.close()


def _owner() -> str:
    from videos_contract.mock.service import MockService

    return MockService.owner_id(KEY)
