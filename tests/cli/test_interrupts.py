"""SIGTERM and SIGHUP stop a command as Ctrl-C does, with a real process and a real signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.protocol import KEY_ENV, URL_ENV

# `create` names its model (none is defaulted): the default family's first, whose
# multipart form these tests exercise.
MODEL = families().default_family.models[0]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_interrupting_create_wait_names_the_job_and_how_to_resume(
    mock_server: MockServer, tmp_path: Path, signum: int
) -> None:
    target = tmp_path / "fox.mp4"
    env = {**os.environ, URL_ENV: mock_server.url, KEY_ENV: mock_server.key}
    argv = [
        "create",
        "--model",
        MODEL,
        "--prompt",
        "a fox",
        "-o",
        str(target),
        "--progress",
        "never",
    ]
    with mock_server.service.holding():  # the job stays queued until the signal has come
        process = subprocess.Popen(
            [sys.executable, "-m", "videos_contract", *argv],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stderr is not None
            created = process.stderr.readline()  # "created video_... (queued)": now waiting
            assert created.startswith("created "), created
            video_id = created.split()[1]
            process.send_signal(signum)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err
    assert f"video {video_id} keeps running" in err
    assert f"videos-contract get {video_id} --wait -o {target}" in err
    assert "interrupted" in err.splitlines()[-1]
    assert out == ""
    assert list(tmp_path.iterdir()) == []
