"""An audit that cannot run leaves its three reports saying why, and no empty folder."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from videos_contract.cli import main


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_an_unreachable_server_leaves_its_reports_and_no_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "new" / "reports"
    code = main(
        [
            "audit",
            "--url",
            _closed_port_url(),
            "--key",
            "sk-gateway-x1",
            "--report-dir",
            str(reports),
        ]
    )
    assert code == 2, capsys.readouterr().err
    assert sorted(p.name for p in reports.iterdir()) == ["junit.xml", "report.html", "summary.json"]


def test_folders_that_were_there_stay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "schemathesis").mkdir()
    code = main(
        [
            "audit",
            "--url",
            _closed_port_url(),
            "--key",
            "sk-gateway-x1",
            "--report-dir",
            str(tmp_path),
        ]
    )
    assert code == 2, capsys.readouterr().err
    assert (tmp_path / "schemathesis").is_dir()
