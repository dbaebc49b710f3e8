"""A server's 429 answers are waited out, never reported as violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audit.conftest import CountedMock
from videos_contract.cli import main


@pytest.mark.slow  # seconds of Retry-After waits; test_proxy proves the waiting in-process
def test_rate_limited_server_is_still_conformant(counted_mock: CountedMock, tmp_path: Path) -> None:
    with counted_mock(rate_limit=8) as (server, _):
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["rate_limited_waits"] > 0, "the mock should have answered 429 at least once"
    assert (code, summary["verdict"]) == (0, "conformant")
