"""Each deliberately broken mock fails the audit, and the report names what is broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from videos_contract.cli import main
from videos_contract.mock import MockConfig, running_mock
from videos_contract.mock.defects import DEFECTS

# defect -> (operation, check, words the violation's field/behaviour must contain)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "wrong-type": ("createVideo", "created_job_reaches_terminal_status", "field progress"),
    "missing-field": ("createVideo", "created_job_reaches_terminal_status", "field created_at"),
    "status-outside-enum": ("createVideo", "created_job_reaches_terminal_status", "field status"),
    "accepts-invalid": ("createVideo", "invalid_create_is_rejected_with_param", "create with"),
    "rejects-valid": ("createVideo", "positive_data_acceptance", "'model'"),
    "server-error": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "list with"),
    "wrong-content-type": ("createVideo", "created_job_reaches_terminal_status", "Content-Type"),
    "no-auth": ("listVideos", "missing_or_wrong_key_is_refused", "without a key"),
    "lost-video": ("createVideo", "created_job_reaches_terminal_status", "retrieving"),
    "undeletable": ("deleteVideo", "deleted_video_is_gone", "after delete"),
    "repeating-pages": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "page after"),
    "corrupt-mp4": (
        "downloadVideoContent",
        "content_is_real_mp4_matching_size_and_seconds",
        "body",
    ),
}


def test_every_defect_has_an_expectation() -> None:
    assert set(EXPECTED) == set(DEFECTS)


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_is_reported(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation, check, words = EXPECTED[defect]
    with running_mock(MockConfig(render_seconds=0.2, defects=(defect,))) as server:
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    assert code == 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "violations"
    group = next(g for g in summary["operations"] if g["operation"] == operation)
    found = next(c for c in group["checks"] if c["check"] == check)
    assert found["outcome"] == "failed"
    assert any(words in v["at_fault"] for v in found["violations"]), found["violations"]
    assert all(v["expected"] and v["actual"] for v in found["violations"])
    out = capsys.readouterr().out
    assert check in out and words in out
    assert "reproduce:" in out and "curl -sS" in out
