"""Fixtures shared by every test: the mock (in-process and on a socket) and the live target.

The same contract tests run against the embedded mock by default and against a real server
when `VIDEOS_API_URL` and `VIDEOS_API_KEY` are both set (`api_target`). Tests marked `live`
only run in that case and are skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from videos_contract.mock import MockConfig, MockServer, create_app, running_mock
from videos_contract.paths import PROJECT_ROOT
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


@dataclass(frozen=True)
class Checkout:
    """A copy of this checkout in `root`, with `../shared`'s page copies beside it.

    `run` runs a command there as the README shows it: `make` targets and `.venv/bin/...`
    use this environment (never syncing it: `RUN=env`), and the copy's own `src/` and
    `generated/` come first on the import path, so what runs is the copy's code.
    """

    root: Path

    @property
    def page(self) -> Path:
        return self.root.parent / "shared" / "docs-pages" / "create-a-video.txt"

    def run(self, command: str, *, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        if command.startswith("make "):
            command = "make -o .venv/.synced RUN=env " + command.removeprefix("make ")
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOS_API_")}
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = os.pathsep.join(str(self.root / d) for d in ("src", "generated"))
        return subprocess.run(
            command.replace(".venv/bin/", f"{VENV_BIN}/"),
            shell=True,
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


VENV_BIN = Path(sys.executable).parent


def _checkout_files() -> list[str]:
    """The files of the checkout: tracked or new, without what git ignores."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("the checkout is not a git work tree")
    return [n for n in listed.stdout.decode().split("\0") if n and (PROJECT_ROOT / n).is_file()]


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    """A copy of the checkout to change freely (`Checkout`); the real one is never touched."""
    root = tmp_path / "repo"
    for name in _checkout_files():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target)
    shared = PROJECT_ROOT.parent / "shared" / "docs-pages"
    if shared.is_dir():
        shutil.copytree(shared, tmp_path / "shared" / "docs-pages")
        for path in (tmp_path / "shared").rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
    return Checkout(root)
