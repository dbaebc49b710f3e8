"""Make targets a user runs by hand: `make mock PORT=…` serves there; the README sets the time."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from videos_contract.mock import DEFAULT_KEY
from videos_contract.paths import PROJECT_ROOT

VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_make_mock_serves_on_the_port_given() -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOS_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    # `-o .venv/.synced`: use this environment as it is, never re-sync it from a test.
    process = subprocess.Popen(
        ["make", "-o", ".venv/.synced", "mock", f"PORT={port}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        banner = ""
        while "Stop with" not in banner:
            line = process.stdout.readline()
            if not line:
                break
            banner += line
        assert f"listening on http://127.0.0.1:{port}" in banner, banner
        reply = httpx.get(
            f"http://127.0.0.1:{port}/v1/videos",
            headers={"Authorization": f"Bearer {DEFAULT_KEY}"},
            timeout=30,
        )
        assert reply.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.communicate(timeout=30)


def test_readme_says_how_long_make_test_takes() -> None:
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert re.search(r"`make test` .{0,200}about \d+-\d+ minutes on 2 cores", readme), (
        "the README should say how long `make test` takes"
    )


def test_make_audit_asks_for_the_mock_only_without_a_url() -> None:
    """The command refuses to audit when no server is named; `make audit` without URL= asks for
    the embedded mock with `--mock` and says so on stderr (the README's runner runs it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOS_")}
    dry = subprocess.run(
        ["make", "-n", "-o", ".venv/.synced", "audit"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    recipe = " ".join(dry.split())
    assert "auditing the embedded mock" in recipe and ">&2" in recipe
    assert "videos-contract audit --mock --profile standard" in recipe
    # With URL= the same recipe audits that server, without --mock.
    assert "if [ -z '' ]" in recipe
    named = subprocess.run(
        ["make", "-n", "-o", ".venv/.synced", "audit", "URL=http://127.0.0.1:9"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "if [ -z 'http://127.0.0.1:9' ]" in named and "auditing http://127.0.0.1:9" in named
