"""`videos-contract mock`: starts, prints URL and keys, serves, stops cleanly, logs no key."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from videos_contract.families import families

MODEL = families().default_family.models[0]

KEY = "sk-gateway-clitest42"
CLI = [sys.executable, "-m", "videos_contract"]


def _start(*args: str, env_keys: str | None = KEY) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("VIDEOS_MOCK_KEYS", None)
    if env_keys is not None:
        env["VIDEOS_MOCK_KEYS"] = env_keys
    process = subprocess.Popen(
        [*CLI, "mock", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    banner = [process.stdout.readline()]
    while banner[-1] and not banner[-1].startswith("Stop with Ctrl-C"):
        banner.append(process.stdout.readline())
    match = re.search(r"listening on (http://\S+)", banner[0])
    assert match, "".join(banner) + (process.stderr.read() if process.stderr else "")
    assert banner[1].startswith("Accepted key(s): ")
    # A key other than the documented default is a secret: the banner masks it.
    assert env_keys is None or (env_keys not in banner[1] and env_keys[:6] in banner[1])
    assert banner[-1].startswith("Stop with Ctrl-C")
    return process, match.group(1)


@pytest.fixture
def cli_mock() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, url = _start("--render-seconds", "0.1", "--seed", "3")
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_main_module_runs(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "mock", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for flag in ("--render-seconds", "--fail-rate", "--fault-rate", "--rate-limit", "--defect"):
        assert flag in result.stdout


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_serves_then_stops_cleanly_without_logging_the_key(
    cli_mock: tuple[subprocess.Popen[str], str], sig: signal.Signals, code: int
) -> None:
    process, url = cli_mock
    headers = {"Authorization": f"Bearer {KEY}"}
    created = httpx.post(
        f"{url}/v1/videos", json={"model": MODEL, "prompt": "A fox."}, headers=headers
    )
    assert created.status_code == 200
    assert (
        httpx.get(f"{url}/v1/videos", headers={"Authorization": "Bearer sk-gateway-no"}).status_code
        == 401
    )
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert "Traceback" not in err
    # The accepted key is printed once at start (that is how the user learns it), and
    # nowhere after: access logs carry method, path and status only.
    # `_start` read the banner, which names the key; nothing after it does.
    assert KEY not in out + err
    assert "sk-gateway-no" not in out + err
    assert "POST /v1/videos" in out + err


def test_default_key_when_none_is_given() -> None:
    process, url = _start(env_keys=None)
    try:
        from videos_contract.mock import DEFAULT_KEY

        response = httpx.get(f"{url}/v1/videos", headers={"Authorization": f"Bearer {DEFAULT_KEY}"})
        assert response.status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-rate", "2"], "fail_rate"),
        (["--defect", "no-such-defect"], "unknown defect"),
        (["--port", "70000"], "--port"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = subprocess.run([*CLI, "mock", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_taken_port_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [*CLI, "mock", "--port", port], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2  # you asked for a port that is taken
    assert "cannot listen on 127.0.0.1:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
