"""A baseline of accepted violations: only new ones fail, and entries hold across runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from videos_contract.audit.reports.github import render_github
from videos_contract.audit.results import AuditResult, CheckOutcome, Violation
from videos_contract.baseline import BaselineError, entry, normalise, read_baseline
from videos_contract.cli import main
from videos_contract.mock import MockConfig, MockServer, running_mock

CHECKS = ("deleted_video_is_gone", "missing_or_wrong_key_is_refused", "unknown_video_is_not_found")
KNOWN = "undeletable"  # breaks deleted_video_is_gone
NEW = "no-auth"  # breaks missing_or_wrong_key_is_refused


@contextmanager
def _mock(*defects: str) -> Iterator[MockServer]:
    with running_mock(MockConfig(render_seconds=0.1, defects=defects)) as server:
        yield server


def _audit(server: MockServer, folder: Path, *extra: str) -> int:
    args = ["audit", "--url", server.url, "--key", server.key, "--no-fuzz"]
    args += [a for check in CHECKS for a in ("--check", check)]
    return main([*args, "--report-dir", str(folder / "reports"), *extra])


def test_known_deviations_pass_and_a_new_defect_fails_naming_only_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "audit-baseline.json"
    with _mock(KNOWN) as server:
        assert _audit(server, tmp_path, "--update-baseline", str(baseline)) == 0
    written = json.loads(baseline.read_text("utf-8"))
    assert {e["check"] for e in written["entries"]} == {"deleted_video_is_gone"}
    assert not any(":" in e["field"] and "127.0.0.1" in e["field"] for e in written["entries"])
    capsys.readouterr()

    # Another run on another port with the same defect: the baseline matches exactly.
    with _mock(KNOWN) as server:
        assert _audit(server, tmp_path, "--baseline", str(baseline)) == 0
    out = capsys.readouterr().out
    assert f"{len(written['entries'])} known violation(s) accepted, 0 new" in out
    assert "no longer occurs" not in out

    with _mock(KNOWN, NEW) as server:
        assert _audit(server, tmp_path, "--baseline", str(baseline)) == 1
    out = capsys.readouterr().out
    new_lines = [line for line in out.splitlines() if line.strip().startswith("new:")]
    assert new_lines and all("missing_or_wrong_key_is_refused" in line for line in new_lines)
    assert "no longer occurs" not in out

    # The known defect fixed: the run passes and says which entry no longer occurs.
    with _mock() as server:
        assert _audit(server, tmp_path, "--baseline", str(baseline)) == 0
    out = capsys.readouterr().out
    assert "no longer occurs: deleted_video_is_gone" in out


def test_the_settings_file_names_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # However deep the folder, the line naming the baseline is one line (never wrapped).
    folder = tmp_path.joinpath(*(f"folder-{n:02d}" for n in range(20)))
    folder.mkdir(parents=True)
    baseline = folder / "b.json"
    settings = folder / "videos-contract.toml"
    settings.write_text(f'baseline = "{baseline}"\n', encoding="utf-8")
    with _mock(KNOWN) as server:
        assert _audit(server, folder, "--update-baseline", str(baseline)) == 0
        assert _audit(server, folder, "--config", str(settings)) == 0
    # Every failing case of the delete check is an entry (its cases run on after a failure).
    known = len(json.loads(baseline.read_text("utf-8"))["entries"])
    out = capsys.readouterr().out
    assert known >= 1
    assert f"Baseline {baseline}: {known} known violation(s) accepted, 0 new" in out.splitlines()
    summary = json.loads((folder / "reports" / "summary.json").read_text("utf-8"))
    assert summary["exit_code"] == 0 and str(baseline) in summary["reason"]


def test_a_broken_baseline_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_text('{"kind": "diff", "baseline_version": 1, "entries": []}', "utf-8")
    with _mock() as server:
        assert _audit(server, tmp_path, "--baseline", str(baseline)) == 2
    assert "is not a baseline of kind 'audit'" in capsys.readouterr().err
    with pytest.raises(BaselineError, match="not JSON"):
        baseline.write_text("{", "utf-8")
        read_baseline(baseline, "audit")


def test_entries_lose_what_changes_between_runs() -> None:
    first = entry("c", "GET /v1/videos/{video_id}", "video video_abc123 at http://127.0.0.1:4321")
    second = entry("c", "GET /v1/videos/{video_id}", "video video_zz99 at http://127.0.0.1:5555")
    assert first == second
    assert normalise("id 1733112233 and deadbeefdeadbeef01") == "id {number} and {hex}"


def test_github_annotations_mark_new_violations_as_errors_and_accepted_ones_as_notices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "b.json"
    with _mock(KNOWN) as server:
        assert _audit(server, tmp_path, "--update-baseline", str(baseline)) == 0
    capsys.readouterr()
    with _mock(KNOWN, NEW) as server:
        code = _audit(server, tmp_path, "--baseline", str(baseline), "--format", "github")
    assert code == 1
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    errors = [line for line in annotations if line.startswith("::error ")]
    notices = [line for line in annotations if line.startswith("::notice ")]
    assert errors and all("missing_or_wrong_key_is_refused" in line for line in errors)
    assert notices and all("deleted_video_is_gone" in line for line in notices)
    # Workflow-command syntax: properties escape ':' and ',', messages keep to one line.
    assert all(line.startswith("::error title=videos-contract%3A ") for line in errors)
    assert all(line.count("::") == 2 for line in annotations)


def test_annotations_escape_newlines_and_percent() -> None:
    violation = Violation("c", "op", "t", "field a, b", "100%", "line1\nline2")
    result = AuditResult(
        "http://x",
        "quick",
        0,
        "now",
        0.0,
        (CheckOutcome("c", "op", "behaviour", failed=1, violations=(violation,)),),
    )
    (line,) = render_github(result, lambda v: "warning").splitlines()
    expected = "field a, b: expected 100%25, got line1%0Aline2"
    assert line == f"::warning title=videos-contract%3A c (op)::{expected}"
