"""Fixtures shared by every test: the mock (in-process and on a socket) and the live target.

The same contract tests run against the embedded mock by default and against a real server
when `VIDEOS_API_URL` and `VIDEOS_API_KEY` are both set (`api_target`). Tests marked `live`
only run in that case and are skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from videos_contract.mock import MockConfig, MockServer, create_app, running_mock
from videos_contract.protocol import KEY_ENV, URL_ENV, protocol


@dataclass(frozen=True)
class ApiTarget:
    """Where contract tests send requests; `live` is True for a real (billed) server."""

    url: str
    key: str
    live: bool

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client with the key set; the caller closes it."""
        headers = {"Authorization": f"Bearer {self.key}", **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0, **kwargs)


def _live_target() -> ApiTarget | None:
    url, key = os.environ.get(URL_ENV), os.environ.get(KEY_ENV)
    if url and key:
        return ApiTarget(url=url.rstrip("/"), key=key, live=True)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _live_target() is not None:
        return
    skip = pytest.mark.skip(reason=f"live test: set {URL_ENV} and {KEY_ENV} to run it")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def mock_config() -> MockConfig:
    """A mock whose jobs finish fast (0.3 s), seeded for repeatable ids."""
    return MockConfig(render_seconds=0.3, seed=0)


@pytest.fixture
def mock_app(mock_config: MockConfig) -> Starlette:
    """The mock as an in-process ASGI app (use with `httpx.ASGITransport`)."""
    return create_app(mock_config)


@pytest.fixture
def mock_server(mock_config: MockConfig) -> Iterator[MockServer]:
    """The mock on a real loopback socket; `.url` and `.key`."""
    with running_mock(mock_config) as server:
        yield server


@pytest.fixture
def api_target(request: pytest.FixtureRequest) -> ApiTarget:
    """The live server when configured, else a fresh mock on a socket."""
    live = _live_target()
    if live is not None:
        return live
    server: MockServer = request.getfixturevalue("mock_server")
    return ApiTarget(url=server.url, key=server.key, live=False)


@pytest.fixture
def live_target() -> ApiTarget:
    """The live server; skips the test when none is configured."""
    live = _live_target()
    if live is None:
        pytest.skip(f"live test: set {URL_ENV} and {KEY_ENV} to run it")
    return live


def wait_for_video(client: httpx.Client, video_id: str, *, timeout: float = 60.0) -> dict[str, Any]:
    """Poll `GET /v1/videos/{id}` until the job is completed or failed; its last state.

    Waits as the server's `openai-poll-after-ms` header says (100 ms when absent).
    """
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/v1/videos/{video_id}")
        response.raise_for_status()
        video: dict[str, Any] = response.json()
        if protocol().is_terminal(video["status"]):
            return video
        if time.monotonic() > deadline:
            raise TimeoutError(f"video {video_id} still {video['status']} after {timeout} s")
        advice = response.headers.get(protocol().poll_after_header)
        time.sleep(protocol().poll_pause(advice, 0.1, cap=5.0))


@pytest.fixture
def wait_for_job() -> Callable[..., dict[str, Any]]:
    """`wait_for_job(client, video_id, timeout=60)`: poll until completed or failed."""
    return wait_for_video
