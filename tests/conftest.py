"""Fixtures shared by every test: the mock (in-process and on a socket) and the live target.

The mock servers come from the toolkit's own pytest plugin (`videos_contract.pytest_plugin`,
which users get through its `pytest11` entry point), so the plugin is tested by use:
`mock_config` is the plugin's `videos_mock_config` (jobs finish in 0.3 s,
`videos_render_seconds` in pyproject.toml), `mock_server` its `videos_mock`, and `api_target`
its `videos_target`. The same contract tests run against the embedded mock by default and
against a real server when `VIDEOS_API_URL` and `VIDEOS_API_KEY` are both set. Tests marked
`live` only run in that case and are skipped with the reason otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from videos_contract.mock import MockConfig, MockServer, create_app
from videos_contract.protocol import KEY_ENV, URL_ENV, protocol
from videos_contract.pytest_plugin import VideosTarget
from videos_contract.pytest_plugin import live_target as plugin_live_target

# The toolkit's pytest plugin, loaded here rather than through its entry point (disabled in
# pyproject.toml's addopts) so that coverage sees its module run.
pytest_plugins = ["videos_contract.pytest_plugin"]


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if plugin_live_target(config) is not None:
        return
    skip = pytest.mark.skip(reason=f"live test: set {URL_ENV} and {KEY_ENV} to run it")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def mock_config(videos_mock_config: MockConfig) -> MockConfig:
    """The plugin's mock configuration: jobs finish fast (0.3 s), seeded for repeatable ids."""
    return videos_mock_config


@pytest.fixture
def mock_app(mock_config: MockConfig) -> Starlette:
    """The mock as an in-process ASGI app (use with `httpx.ASGITransport`)."""
    return create_app(mock_config)


@pytest.fixture
def mock_server(videos_mock: MockServer) -> MockServer:
    """The plugin's mock on a real loopback socket; `.url` and `.key`."""
    return videos_mock


@pytest.fixture
def api_target(videos_target: VideosTarget) -> ApiTarget:
    """The live server when configured, else a fresh mock on a socket (the plugin's target)."""
    return ApiTarget(url=videos_target.url, key=videos_target.key, live=videos_target.live)


@pytest.fixture
def live_target(pytestconfig: pytest.Config) -> ApiTarget:
    """The live server; skips the test when none is configured."""
    live = plugin_live_target(pytestconfig)
    if live is None:
        pytest.skip(f"live test: set {URL_ENV} and {KEY_ENV} to run it")
    return ApiTarget(url=live.url, key=live.key, live=True)


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
