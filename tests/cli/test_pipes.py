"""Output that is no terminal (a pipe, a file, a CI log) is written whole.

Every command runs here as a user's shell runs it, its stdout and stderr pipes, from a folder
deep enough that its paths are far longer than 80 columns: each path a command prints is
found whole on one line. And a reader that goes away (`audit | head -3`) changes no verdict.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from videos_contract.cli import build_parser
from videos_contract.families import families
from videos_contract.mock import MockConfig, MockServer, running_mock
from videos_contract.paths import SPEC_PATH
from videos_contract.protocol import KEY_ENV, URL_ENV

# The image variants are Sora's.
MODEL = families().default_family.models[0]

# Servers run until stopped: they are started, read up to their banner's last line, stopped.
SERVERS = {"mock": "Stop with Ctrl-C.", "proxy": "Stop with Ctrl-C"}
MODEL = families().default_family.models[0]


@pytest.fixture
def deep(tmp_path: Path) -> Path:
    folder = tmp_path.joinpath(*(f"a-folder-deep-down-{n:02d}" for n in range(12)))
    folder.mkdir(parents=True)
    assert len(str(folder)) > 250
    return folder


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def _env(server: MockServer | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOS_API_")}
    env["COLUMNS"] = "80"  # what a CI runner or a dumb terminal says
    env.pop("FORCE_COLOR", None)
    if server is not None:
        env.update({URL_ENV: server.url, KEY_ENV: server.key})
    return env


def _run(args: list[str], server: MockServer | None, cwd: Path) -> Ran:
    done = subprocess.run(
        [sys.executable, "-m", "videos_contract", *args],
        cwd=cwd,
        env=_env(server),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def _serve(args: list[str], banner_end: str, cwd: Path, key: str = "") -> Ran:
    process = subprocess.Popen(
        [sys.executable, "-m", "videos_contract", *args],
        cwd=cwd,
        env=_env(None),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        seen = ""
        while banner_end not in seen:
            line = process.stdout.readline()
            if not line:
                break
            seen += line
        # One answer: the server loop is running, its Ctrl-C handling in place.
        url = re.search(r"listening on (http://\S+)", seen)
        assert url is not None, seen
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        httpx.get(url.group(1).rstrip(",") + "/v1/videos", headers=headers, timeout=30)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return Ran(process.returncode, seen + out, err)


def _whole(ran: Ran, *paths: Path | str) -> None:
    lines = ran.text.splitlines()
    for path in paths:
        assert any(str(path) in line for line in lines), f"{path} not whole in:\n{ran.text}"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with running_mock(MockConfig(render_seconds=0.1)) as started:
        yield started


def _commands() -> set[str]:
    import argparse

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


COVERED = {
    "audit",
    "config",
    "create",
    "delete",
    "diff",
    "docs-check",
    "download",
    "get",
    "list",
    "mock",
    "proxy",
    "regen",
    "remix",
}


def test_every_command_is_run_through_a_pipe() -> None:
    assert _commands() == COVERED


def test_video_commands_keep_paths_whole(server: MockServer, deep: Path) -> None:
    fox = deep / "fox.mp4"
    created = _run(["create", "--model", MODEL, "--prompt", "a fox", "-o", str(fox)], server, deep)
    assert created.code == 0, created.text
    _whole(created, f"saved {fox}")
    video_id = created.out.split()[0]
    thumb = deep / "thumb.webp"
    fetched = _run(["download", video_id, "-o", str(thumb), "--variant", "thumbnail"], server, deep)
    assert fetched.code == 0, fetched.text
    _whole(fetched, f"saved {thumb}")
    remix = deep / "remix.mp4"
    remixed = _run(["remix", video_id, "--prompt", "at night", "-o", str(remix)], server, deep)
    assert remixed.code == 0, remixed.text
    _whole(remixed, f"saved {remix}")
    for args in (["get", video_id], ["list", "--all"], ["delete", video_id]):
        ran = _run(args, server, deep)
        assert ran.code == 0 and video_id in ran.out, ran.text
    missing = deep / "no-such-folder" / "x.mp4"
    refused = _run(
        ["create", "--model", MODEL, "--prompt", "a fox", "-o", str(missing)], server, deep
    )
    assert refused.code == 2
    _whole(refused, missing.parent)


def test_audit_keeps_paths_whole(server: MockServer, deep: Path) -> None:
    reports, baseline = deep / "reports", deep / "baseline.json"
    args = ["audit", "--url", server.url, "--key", server.key, "--no-fuzz"]
    args += ["--check", "unknown_video_is_not_found", "--report-dir", str(reports)]
    written = _run([*args, "--update-baseline", str(baseline)], None, deep)
    assert written.code == 0, written.text
    _whole(written, reports / "summary.json", reports / "report.html", f"written to {baseline}")
    judged = _run([*args, "--baseline", str(baseline)], None, deep)
    assert judged.code == 0, judged.text
    _whole(judged, f"Baseline {baseline}:")


def test_settings_and_spec_commands_keep_paths_whole(deep: Path) -> None:
    settings = deep / "videos-contract.toml"
    settings.write_text('profile = "quick"\n', encoding="utf-8")
    _whole(_run(["config", "show", "--config", str(settings)], None, deep), settings)
    old, new = deep / "old.yaml", deep / "new.yaml"
    old.write_bytes(SPEC_PATH.read_bytes())
    new.write_bytes(SPEC_PATH.read_bytes())
    _whole(_run(["diff", str(old), str(new)], None, deep), old, new)
    page = deep / "missing-page.txt"
    checked = _run(["docs-check", str(page)], None, deep)
    assert checked.code == 2
    _whole(checked, page)
    regen = _run(["regen", "--project", str(deep)], None, deep)
    assert regen.code != 0
    _whole(regen, deep / "openapi.yaml")


def test_servers_keep_paths_whole(deep: Path, server: MockServer) -> None:
    store = deep / "jobs.db"
    served = _serve(["mock", "--port", "0", "--store", str(store)], SERVERS["mock"], deep)
    _whole(served, store)
    cassette, reports = deep / "cassette", deep / "proxy-reports"
    args = ["proxy", "--upstream", server.url, "--port", "0", "--record", str(cassette)]
    proxied = _serve([*args, "--report-dir", str(reports)], SERVERS["proxy"], deep, server.key)
    _whole(proxied, cassette, reports)


@pytest.mark.parametrize(("defect", "verdict"), [((), 0), (("undeletable",), 1)])
def test_a_closed_pipe_changes_no_verdict(
    tmp_path: Path, defect: tuple[str, ...], verdict: int
) -> None:
    """`audit | head -1`: the reader leaves after one line; the audit runs on, writes its
    three reports and exits with its verdict."""
    reports = tmp_path / "reports"
    with running_mock(MockConfig(render_seconds=0.1, defects=defect)) as mock:
        args = ["audit", "--url", mock.url, "--key", mock.key, "--no-fuzz"]
        args += ["--check", "deleted_video_is_gone", "--check", "unknown_video_is_not_found"]
        process = subprocess.Popen(
            [sys.executable, "-m", "videos_contract", *args, "--report-dir", str(reports)],
            env=_env(None),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # as `head -1` does
        with process.stderr:
            err = process.stderr.read()
        code = process.wait(timeout=120)
    assert first.startswith("Auditing "), first
    assert code == verdict, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    summary = json.loads((reports / "summary.json").read_text("utf-8"))
    assert summary["exit_code"] == verdict
    assert {p.name for p in reports.iterdir()} >= {"junit.xml", "report.html", "summary.json"}


def test_one_place_builds_consoles() -> None:
    """Every rich console comes from `cli.common.console`, which never wraps a pipe."""
    package = Path(__file__).resolve().parents[2] / "src" / "videos_contract"
    builders = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"\bConsole\(", path.read_text(encoding="utf-8"))
    )
    assert builders == ["cli/common.py"]
