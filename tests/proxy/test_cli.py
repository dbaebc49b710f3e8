"""`videos-contract proxy` as users run it: a banner with the URL, violations printed live,
and on SIGTERM or Ctrl-C the reports written and the verdict as the exit code."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.proxy.conftest import COMMAND, cli_proxy
from videos_contract.families import families
from videos_contract.mock import MockConfig, running_mock

MODEL = families().default_family.models[0]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stop_writes_the_reports(stop: signal.Signals, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with (
        running_mock(MockConfig(render_seconds=0.2, seed=0, defects=("wrong-type",))) as mock,
        cli_proxy(mock.url, "--report-dir", str(reports)) as (proc, url),
    ):
        reply = httpx.post(
            f"{url}/v1/videos",
            files={"model": (None, MODEL), "prompt": (None, "a fox")},
            headers={"Authorization": f"Bearer {mock.key}"},
        )
        assert reply.status_code == 200
        assert proc.stdout is not None
        line = proc.stdout.readline()
        while line.startswith("Violations are printed"):  # the end of the banner
            line = proc.stdout.readline()
        # Printed live, before the proxy stops.
        assert line.startswith("✗ createVideo · response_body_matches_schema:"), line
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "1 request(s) seen" in out and "not conformant" in out
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "violations" and summary["requests"] == 1
    assert summary["cost"]["billed_sent"] == 1  # the create went through the proxy
    assert (reports / "junit.xml").exists() and (reports / "report.html").exists()


def test_ctrl_c_the_moment_the_banner_says_so_still_writes_the_reports(tmp_path: Path) -> None:
    # The banner is printed once the proxy listens and handles Ctrl-C, never before.
    reports = tmp_path / "reports"
    with (
        running_mock(MockConfig(seed=0)) as mock,
        cli_proxy(mock.url, "--report-dir", str(reports)) as (proc, _),
    ):
        assert proc.stdout is not None
        line = proc.stdout.readline()
        while not line.startswith("Violations are printed"):
            assert line, proc.stderr.read() if proc.stderr else ""
            line = proc.stdout.readline()
        assert "Stop with Ctrl-C" in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "0 request(s) seen" in out
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["requests"] == 0


def test_clean_traffic_exits_0(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with (
        running_mock(MockConfig(render_seconds=0.2, seed=0)) as mock,
        cli_proxy(mock.url, "--report-dir", str(reports)) as (proc, url),
    ):
        reply = httpx.get(f"{url}/v1/videos", headers={"Authorization": f"Bearer {mock.key}"})
        assert reply.status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Conformant" in out
    assert json.loads((reports / "summary.json").read_text(encoding="utf-8"))["verdict"] == (
        "conformant"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--upstream", "ftp://127.0.0.1:1"], "must be an http(s) URL"),
        (["--upstream", "http://127.0.0.1:1", "--port", "70000"], "--port must be between"),
        # A key in the upstream's query would reach reports and lines: refused before that.
        (["--upstream", "http://127.0.0.1:1/v1?api_key=sk-in-the-query"], "takes no query"),
    ],
)
def test_bad_arguments_are_one_line(args: list[str], message: str) -> None:
    done = subprocess.run(
        [COMMAND, "proxy", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "sk-in-the-query" not in done.stderr


def test_a_taken_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [COMMAND, "proxy", "--upstream", "http://127.0.0.1:1", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
