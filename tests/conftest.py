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

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.postgres import LocalPostgres, Unavailable, local_postgres
from videos_contract.audit.fuzz import CACHE_ENV
from videos_contract.mock import MockConfig, MockServer, create_app
from videos_contract.paths import PROJECT_ROOT
from videos_contract.protocol import KEY_ENV, URL_ENV, protocol

# The audit's fuzzer keeps Hypothesis' Unicode tables in a cache folder (`audit.fuzz.fuzzer_cache`):
# the suite's audits share one inside the checkout (git-ignored), not the user's ~/.cache.
os.environ.setdefault(CACHE_ENV, str(PROJECT_ROOT / ".cache"))

# Loaded here, not through its entry point (addopts blocks that), so that coverage sees it
# from its first line; and never imported above, or pytest could not rewrite its asserts.
pytest_plugins = ["videos_contract.pytest_plugin", "tests.support.groups"]

if TYPE_CHECKING:
    from videos_contract.pytest_plugin import VideosTarget


def plugin_live_target(config: pytest.Config) -> VideosTarget | None:
    from videos_contract.pytest_plugin import live_target

    return live_target(config)


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """The machine's PostgreSQL server with a role and a database for this run (dropped
    after); the tests that use it are skipped, with the reason, where none can be had. Mark
    them `xdist_group(tests.support.postgres.GROUP)`."""
    try:
        server = local_postgres()
        running = server.__enter__()
    except Unavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield running
    finally:
        server.__exit__(None, None, None)
