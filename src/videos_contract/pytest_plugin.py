"""The pytest plugin: a running mock, a client pointed at it or at a live server, billed jobs.

Installing `videos-contract` registers this module with pytest (entry point `pytest11`), so
a project's own test suite gets, with no import:

- `videos_mock`: the mock on a free loopback port for one test (`.url`, `.key`, `.store`).
  Options per test with `@pytest.mark.videos_mock(render_seconds=0.2, fail_rate=0.5,
  defects=["wrong-status"], seed=1)`, or for a folder by overriding `videos_mock_config`.
- `videos_mock_session`: one mock shared by the whole session (by each pytest-xdist worker).
- `videos_target`: where requests go: the live server given `--videos-url` (or
  `VIDEOS_API_URL`) with the key read from the environment variable `--videos-key-env` names
  (default `VIDEOS_API_KEY`), else `videos_mock`.
- `videos_client`: the generated client (`aihubmix_videos.AuthenticatedClient`, with the retry
  transport) for `videos_target`.
- `@pytest.mark.videos_billed(jobs=1)`: the test creates billed jobs. On the mock it always
  runs; on a live server it is skipped unless `--videos-max-billed N` leaves room for its jobs
  (counted over the session), so a suite never bills more than N jobs (under pytest-xdist,
  each worker gets an equal share of N).
- `videos_audit`: audits `videos_target` (`videos_audit(profile="quick")` returns the
  `AuditResult`); its `final` is the verdict `videos-contract audit` gives the same server with
  the same settings file (severities, baseline), and the terminal summary prints it. On a
  live server the audit creates at most the jobs of the test's `videos_billed` marker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aihubmix_videos import AuthenticatedClient

    from videos_contract.audit import AuditResult
    from videos_contract.mock import MockConfig, MockServer

__all__ = ["VideosTarget"]

# pytest imports this module before coverage measurement starts (pytest-cov is a plugin too),
# so the toolkit's own modules are imported inside the hooks and fixtures: imported here, their
# module-level lines would count as never run in our own coverage report.

DEFAULT_RENDER_SECONDS = 0.2
_MOCK_OPTIONS = (
    "render_seconds",
    "fail_rate",
    "fault_rate",
    "defects",
    "seed",
    "keys",
    "accept_unlisted_models",
    "default_model",
)
_BUDGET = pytest.StashKey[list[int]]()
# The verdicts of the session's audits, for the terminal summary: (test, server, verdict line).
_AUDITS = pytest.StashKey[list[tuple[str, str, str]]]()


@dataclass(frozen=True)
class VideosTarget:
    """Where a test sends requests; `live` is True for a real (billed) server."""

    url: str
    key: str
    live: bool


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("videos-contract", "Videos API contract testing")
    group.addoption(
        "--videos-url",
        default=None,
        metavar="URL",
        help="test against this live server (default: $VIDEOS_API_URL; unset: the mock)",
    )
    group.addoption(
        "--videos-key-env",
        default=None,
        metavar="NAME",
        help="environment variable holding the live server's key (default: VIDEOS_API_KEY)",
    )
    group.addoption(
        "--videos-max-billed",
        type=int,
        default=0,
        metavar="N",
        help="billed jobs that videos_billed tests may create on a live server (default: 0)",
    )
    parser.addini(
        "videos_render_seconds",
        f"the mock's time from queued to done (default: {DEFAULT_RENDER_SECONDS})",
        default=str(DEFAULT_RENDER_SECONDS),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "videos_mock(**options): MockConfig options of this test's videos_mock "
        "(render_seconds, fail_rate, fault_rate, defects, seed, keys, accept_unlisted_models, "
        "default_model)",
    )
    config.addinivalue_line(
        "markers",
        "videos_billed(jobs=1): the test creates billed jobs; capped by --videos-max-billed "
        "on a live server",
    )
    config.stash[_BUDGET] = [0]
    config.stash[_AUDITS] = []
    live_target(config)  # a URL without a key is a usage error, reported before any test


def live_target(config: pytest.Config) -> VideosTarget | None:
    """The live server the options or the environment name, or None for the mock."""
    from videos_contract.protocol import KEY_ENV, URL_ENV

    url = config.getoption("--videos-url") or os.environ.get(URL_ENV, "").strip()
    if not url:
        return None
    name = config.getoption("--videos-key-env") or KEY_ENV
    key = os.environ.get(name, "").strip()
    if not key:
        raise pytest.UsageError(f"a live server {url} needs its key in the environment: set {name}")
    return VideosTarget(url=url.rstrip("/"), key=key, live=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("videos_billed")
    if marker is None or live_target(item.config) is None:
        return
    jobs = int(marker.kwargs.get("jobs", marker.args[0] if marker.args else 1))
    cap = _billed_cap(item.config)
    used = item.config.stash[_BUDGET]
    if used[0] + jobs > cap:
        pytest.skip(
            f"creates {jobs} billed job(s) on a live server; --videos-max-billed {cap} "
            f"leaves room for {max(cap - used[0], 0)}"
        )
    used[0] += jobs


def _billed_cap(config: pytest.Config) -> int:
    """This process's share of `--videos-max-billed`: all of it, or under pytest-xdist (`-n N`)
    an equal share for each worker, so that the workers together never bill more than N."""
    cap: int = config.getoption("--videos-max-billed")
    worker: dict[str, Any] | None = getattr(config, "workerinput", None)
    if worker is None:
        return cap
    count, index = int(worker["workercount"]), int(str(worker["workerid"]).removeprefix("gw"))
    return cap // count + (1 if index < cap % count else 0)


def _default_mock_config(config: pytest.Config, **options: Any) -> MockConfig:
    from videos_contract.mock import MockConfig

    unknown = sorted(set(options) - set(_MOCK_OPTIONS))
    if unknown:
        raise pytest.UsageError(
            f"videos_mock: unknown option(s) {', '.join(unknown)}; "
            f"known: {', '.join(_MOCK_OPTIONS)}"
        )
    for name in ("defects", "keys"):
        if name in options:
            options[name] = tuple(options[name])
    from videos_contract.mock.defects import DEFECTS

    wrong = [name for name in options.get("defects", ()) if name not in DEFECTS]
    if wrong:
        raise pytest.UsageError(
            f"videos_mock: unknown defect(s) {', '.join(wrong)}; "
            f"known: {', '.join(sorted(DEFECTS))}"
        )
    options.setdefault("render_seconds", float(str(config.getini("videos_render_seconds"))))
    try:
        return MockConfig(**options)
    except ValueError as exc:
        raise pytest.UsageError(f"videos_mock: {exc}") from None


@pytest.fixture
def videos_mock_config(request: pytest.FixtureRequest) -> MockConfig:
    """The configuration of `videos_mock`: the `videos_mock` marker's options on the defaults."""
    marker = request.node.get_closest_marker("videos_mock")
    return _default_mock_config(request.config, **(dict(marker.kwargs) if marker else {}))


@pytest.fixture
def videos_mock(videos_mock_config: MockConfig) -> Iterator[MockServer]:
    """A mock on a free 127.0.0.1 port for this test; stopped after it."""
    from videos_contract.mock import running_mock

    with running_mock(videos_mock_config) as server:
        yield server


@pytest.fixture(scope="session")
def videos_mock_session(pytestconfig: pytest.Config) -> Iterator[MockServer]:
    """One mock for the whole session, or for each pytest-xdist worker (jobs of earlier tests
    stay listed)."""
    from videos_contract.mock import running_mock

    with running_mock(_default_mock_config(pytestconfig)) as server:
        yield server


@pytest.fixture
def videos_target(request: pytest.FixtureRequest) -> VideosTarget:
    """The live server when one is configured, else this test's `videos_mock`."""
    live = live_target(request.config)
    if live is not None:
        return live
    server: MockServer = request.getfixturevalue("videos_mock")
    return VideosTarget(url=server.url, key=server.key, live=False)


@pytest.fixture
def videos_client(videos_target: VideosTarget) -> Iterator[AuthenticatedClient]:
    """The generated client, authenticated, for `videos_target`; closed after the test."""
    from videos_contract.client import connect

    with connect(videos_target.url, videos_target.key) as client:
        yield client


@pytest.fixture
def videos_audit(
    request: pytest.FixtureRequest, videos_target: VideosTarget, tmp_path: Path
) -> Callable[..., AuditResult]:
    """`run(profile="quick", checks=None, fuzz=True, seed=0, models=())`: an audit of
    `videos_target` with the settings file found in pytest's root folder (its severities,
    baseline, models, operations left out); returns the result, whose `final` is the verdict.
    On a live server the test must carry `videos_billed(jobs=N)`: the audit creates at most N
    jobs (skipped otherwise)."""

    def run(
        *,
        profile: str = "quick",
        checks: Sequence[str] | None = None,
        fuzz: bool = True,
        seed: int = 0,
        models: Sequence[str] = (),
    ) -> AuditResult:
        from videos_contract.audit import PROFILES, AuditAborted, AuditConfig, run_audit
        from videos_contract.cli.audit import settings_in
        from videos_contract.cli.common import CliError
        from videos_contract.credentials import Secrets

        try:
            settings = settings_in(request.config.rootpath)
        except CliError as exc:
            pytest.fail(f"videos_audit: {exc}", pytrace=False)
        max_creates: int | None = None
        if videos_target.live:
            marker = request.node.get_closest_marker("videos_billed")
            if marker is None:
                pytest.skip(
                    "an audit of a live server creates billed jobs: mark the test "
                    "videos_billed(jobs=N) and pass --videos-max-billed"
                )
            max_creates = int(marker.kwargs.get("jobs", marker.args[0] if marker.args else 1))
        if profile not in PROFILES:
            raise pytest.UsageError(
                f"videos_audit: no profile {profile!r}; known: {', '.join(PROFILES)}"
            )
        config = AuditConfig(
            url=videos_target.url,
            key=videos_target.key,
            profile=PROFILES[profile],
            max_creates=max_creates,
            rate_limit=settings.rate_limit,
            seed=seed,
            artefacts_dir=tmp_path / "schemathesis",
            checks=None if checks is None else tuple(checks),
            without=settings.without,
            fuzz=fuzz,
            models=tuple(models) or settings.models,
            switched_off=settings.checks_with("off"),
            warning_checks=settings.checks_with("warning"),
            baseline=settings.baseline,
        )
        if settings.spec is not None:
            config = replace(config, spec_path=settings.spec)
        try:
            result = run_audit(config)
        except AuditAborted as exc:
            reason = Secrets([videos_target.key])(str(exc))
            record(f"could not audit (exit 2): {reason}")
            pytest.fail(f"videos_audit: {reason}", pytrace=False)
        verdict = result.final
        line = f"{verdict.word} (exit {verdict.exit_code})"
        if verdict.reason:
            line += f": {verdict.reason}"
        record(line)
        return result

    def record(line: str) -> None:
        request.config.stash[_AUDITS].append((request.node.nodeid, videos_target.url, line))

    return run


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    audits = config.stash.get(_AUDITS, [])
    if not audits:
        return
    from videos_contract.terminal import printable

    terminalreporter.section("videos-contract audits")
    for test, url, line in audits:
        terminalreporter.write_line(printable(f"{test}: {url}: {line}"))
