"""The pytest plugin, used here as a user's suite uses it, and run as a user runs it.

The in-process tests take the plugin's fixtures directly (the whole suite also gets its mock
servers from them, see tests/conftest.py); the subprocess tests run pytest on a user test file
to cover what only a fresh session shows: the live mode, the billed-job cap, usage errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models.video_model import check_video_model

from videos_contract import pytest_plugin
from videos_contract.client import JobFailedError, create, list_page, wait
from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.paths import PROJECT_ROOT
from videos_contract.protocol import KEY_ENV, URL_ENV
from videos_contract.pytest_plugin import VideosTarget

EXAMPLE = PROJECT_ROOT / "examples" / "test_videos_api.py"
# The multipart create helper is Sora's (past its sunset): its warning is tested elsewhere.
MODEL = check_video_model(families().default_family.models[0])
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)


def test_the_entry_point_names_the_plugin_module(pytestconfig: pytest.Config) -> None:
    (point,) = [p for p in entry_points(group="pytest11") if p.name == "videos_contract"]
    assert point.load() is pytest_plugin
    # This suite loads the same module from tests/conftest.py (see pyproject.toml's addopts);
    # the subprocess tests below and tests/packaging get it through the entry point.
    assert pytestconfig.pluginmanager.is_registered(pytest_plugin)


def test_videos_client_talks_to_this_tests_mock(
    videos_client: AuthenticatedClient, videos_mock: MockServer, videos_target: VideosTarget
) -> None:
    assert (videos_target.url, videos_target.live) == (videos_mock.url, False)
    job = create(videos_client, "a red fox", model=MODEL)
    assert [v.id for v in list_page(videos_client).data] == [job.id]
    assert len(videos_mock.store) == 1


@pytest.mark.videos_mock(
    fail_rate=1.0, render_seconds=0.0, defects=["wrong-type"], seed=3, default_model=MODEL
)
def test_the_marker_configures_the_mock(videos_mock: MockServer) -> None:
    config = videos_mock.config
    assert (config.fail_rate, config.render_seconds, config.defects, config.seed) == (
        1.0,
        0.0,
        ("wrong-type",),
        3,
    )
    assert config.default_model == MODEL


@pytest.mark.videos_mock(fail_rate=1.0)
def test_a_mock_that_fails_every_job(videos_client: AuthenticatedClient) -> None:
    job = create(videos_client, "a red fox", model=MODEL)
    with pytest.raises(JobFailedError):
        wait(videos_client, job.id, interval=0.05, timeout=30)


def test_the_session_mock_is_shared_and_takes_the_ini_render_time(
    videos_mock_session: MockServer, videos_mock: MockServer, pytestconfig: pytest.Config
) -> None:
    assert videos_mock_session.url != videos_mock.url
    assert videos_mock_session.config.render_seconds == float(
        str(pytestconfig.getini("videos_render_seconds"))
    )


@pytest.mark.videos_mock(render_secs=1)
def test_an_unknown_marker_option_is_a_usage_error(request: pytest.FixtureRequest) -> None:
    with pytest.raises(pytest.UsageError, match="render_secs"):
        request.getfixturevalue("videos_mock_config")


def _pytest(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (URL_ENV, KEY_ENV)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", *args],
        cwd=folder,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


BILLED = f"""
import pytest
from videos_contract.client import create

MODEL = {MODEL!r}


@pytest.mark.videos_billed(jobs=1)
def test_first(videos_client):
    create(videos_client, "one", model=MODEL)


@pytest.mark.videos_billed(jobs=1)
def test_second(videos_client):
    create(videos_client, "two", model=MODEL)


def test_free(videos_target):
    assert videos_target.live
"""


def test_on_a_live_server_billed_tests_stay_within_the_cap(
    tmp_path: Path, videos_mock: MockServer
) -> None:
    # This test's mock plays the live server of a user's session.
    (tmp_path / "test_billed.py").write_text(BILLED, encoding="utf-8")
    env = {URL_ENV: videos_mock.url, "MY_KEY": videos_mock.key}
    done = _pytest(tmp_path, "--videos-key-env", "MY_KEY", "--videos-max-billed", "1", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed, 1 skipped" in done.stdout
    assert "--videos-max-billed 1 leaves room for 0" in done.stdout
    assert len(videos_mock.store) == 1


def test_parallel_workers_share_the_cap(tmp_path: Path, videos_mock: MockServer) -> None:
    """Under pytest-xdist each worker counts its own jobs: the cap is split between them.
    `--dist each` runs every test on both workers, so each would bill one job on its own."""
    (tmp_path / "test_billed.py").write_text(BILLED, encoding="utf-8")
    env = {URL_ENV: videos_mock.url, "MY_KEY": videos_mock.key}
    args = ("-n", "2", "--dist", "each", "--videos-key-env", "MY_KEY", "--videos-max-billed", "1")
    done = _pytest(tmp_path, *args, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed, 3 skipped" in done.stdout
    assert len(videos_mock.store) == 1


def test_on_a_live_server_billed_tests_are_skipped_by_default(
    tmp_path: Path, videos_mock: MockServer
) -> None:
    (tmp_path / "test_billed.py").write_text(BILLED, encoding="utf-8")
    env = {URL_ENV: videos_mock.url, KEY_ENV: videos_mock.key}
    done = _pytest(tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 2 skipped" in done.stdout
    assert len(videos_mock.store) == 0


AUDITED = """
import pytest


def test_unbilled(videos_audit):
    videos_audit(fuzz=False)


@pytest.mark.videos_billed(jobs=2)
def test_billed(videos_audit):
    result = videos_audit(fuzz=False)
    print("VERDICT", result.final.word)
"""


def test_an_audit_of_a_live_server_bills_no_more_than_its_marker_says(
    tmp_path: Path, videos_mock: MockServer
) -> None:
    (tmp_path / "test_audited.py").write_text(AUDITED, encoding="utf-8")
    env = {URL_ENV: videos_mock.url, KEY_ENV: videos_mock.key}
    done = _pytest(tmp_path, "--videos-max-billed", "2", "-s", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 1 skipped" in done.stdout
    assert "an audit of a live server creates billed jobs" in done.stdout
    assert "videos-contract audits" in done.stdout and "VERDICT" in done.stdout
    assert videos_mock.key not in done.stdout + done.stderr
    assert 1 <= len(videos_mock.store) <= 2


def test_a_live_url_without_its_key_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_billed.py").write_text(BILLED, encoding="utf-8")
    done = _pytest(tmp_path, "--videos-url", "http://127.0.0.1:9")
    assert done.returncode == 4
    assert f"set {KEY_ENV}" in done.stderr


def test_the_example_file_passes_against_the_mock(tmp_path: Path) -> None:
    (tmp_path / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    done = _pytest(tmp_path, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


@pytest.mark.videos_mock(defects=["no-such-defect"])
def test_an_unknown_defect_is_a_usage_error(request: pytest.FixtureRequest) -> None:
    with pytest.raises(pytest.UsageError, match="no-such-defect"):
        request.getfixturevalue("videos_mock_config")
