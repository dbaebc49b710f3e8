"""POSIX only, said clearly: on Windows the client's import and every command refuse in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from videos_contract import POSIX_ONLY
from videos_contract.cli import main


def test_without_fcntl_the_client_import_says_posix_only() -> None:
    # What Windows lacks: `fcntl`. A fresh interpreter where importing it fails as it does there.
    script = (
        "import sys\n"
        "sys.modules['fcntl'] = None\n"
        "try:\n"
        "    import videos_contract.client\n"
        "except ImportError as error:\n"
        "    print(error)\n"
        "else:\n"
        "    print('imported')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == POSIX_ONLY


def test_every_command_refuses_on_windows_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("os.name", "nt")
    assert main(["create", "--help"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"videos-contract: error: {POSIX_ONLY}\n"
