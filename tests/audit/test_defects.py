"""Each deliberately broken mock fails the audit, and the report names what is broken.

The behaviour checks run without the fuzzer (`--no-fuzz`) unless the defect is one only the
fuzzer sees, so that the whole set stays quick; `test_audit_of_mock` runs the fuzzer on the
correct mock. Each defect is audited with only the check that must catch it (`--check`); the
whole audit of each defect is the slow variant.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audit.test_families import FAMILY_DEFECTS
from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import MockConfig, running_mock
from videos_contract.mock.defects import DEFECTS

# defect -> (operation, check, words the violation's field/behaviour must contain)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "wrong-type": ("createVideo", "created_job_reaches_terminal_status", "field progress"),
    "missing-field": ("createVideo", "created_job_reaches_terminal_status", "field created_at"),
    "status-outside-enum": ("createVideo", "created_job_reaches_terminal_status", "field status"),
    "accepts-invalid": ("createVideo", "invalid_create_is_rejected_with_param", "create with"),
    "rejects-valid": ("createVideo", "positive_data_acceptance", "'seconds'"),
    "server-error": ("deleteVideo", "deleted_video_is_gone", "list with"),
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
    "failed-jobs": (
        "createVideo",
        "created_job_reaches_terminal_status",
        "a valid create ended `failed`",
    ),
    "truncated-mp4": (
        "downloadVideoContent",
        "content_is_real_mp4_matching_size_and_seconds",
        "the server's answer",
    ),
    "ignored-size": ("createVideo", "parameters_are_honoured", "field size"),
    "wrong-thumbnail-size": (
        "downloadVideoContent",
        "thumbnail_and_spritesheet_are_real_images",
        "thumbnail of a completed video: dimensions",
    ),
    "millisecond-timestamps": ("retrieveVideo", "time_and_progress_are_consistent", "created_at"),
    "regressing-status": ("retrieveVideo", "time_and_progress_are_consistent", "over time"),
    "skipping-pages": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "walking"),
    "ignored-limit": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "field data"),
    "ignored-order": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "order=asc"),
    "has-more-stuck": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "has_more"),
    "empty-list": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "walking"),
    "drops-last-page": ("listVideos", "list_pagination_has_no_duplicates_or_gaps", "walking"),
    "prompt-cap": ("createVideo", "near_miss_values_are_refused", "prompt="),
    "near-miss-accepted": ("createVideo", "near_miss_values_are_refused", "seconds="),
    "ranges-ignored": ("downloadVideoContent", "content_supports_byte_ranges", "bytes=0-"),
    "content-without-key": ("listVideos", "missing_or_wrong_key_is_refused", "/content without"),
    "family-miss-accepted": ("createVideo", "near_miss_values_are_refused", "with size="),
    "unknown-variant-served": (
        "downloadVideoContent",
        "unknown_variant_is_refused",
        "-not-a-member'",
    ),
    "rewritten-errors": (
        "createVideo",
        "error_answers_carry_the_documented_error_object",
        "error.code",
    ),
    "basic-auth-accepted": (
        "listVideos",
        "missing_or_wrong_key_is_refused",
        "with the key as Basic credentials",
    ),
    "remix-resets": ("remixVideo", "remix_points_to_source", "retrieved remix: field size"),
    "reports-default-model": ("remixVideo", "remix_points_to_source", "field model"),
}
# Defects reported as information (a note), not as a violation: the audit stays conformant.
INFORMATION_DEFECTS = {"leaks-upstream": "x-upstream-base: http://127.0.0.1:9301/v1"}
# Defects where the server follows the docs page and the contract deviates on purpose: a
# warning naming the deviation, never a violation.
DEVIATION_DEFECTS = {"follows-the-page": "1024x1792"}
# Defects only the fuzzer sees; those only the parameter sweep (profile standard) sees, or
# that need jobs created in different seconds (the order of same-second jobs is free).
NEEDS_FUZZER = {"rejects-valid"}
NEEDS_STANDARD = {"ignored-size", "ignored-order"}


def test_every_defect_has_an_expectation() -> None:
    assert set(EXPECTED) | FAMILY_DEFECTS | set(INFORMATION_DEFECTS) | set(
        DEVIATION_DEFECTS
    ) == set(DEFECTS)


# Checks that judge what the checks before them did: the list walk looks for every job the
# audit created. Their defects are audited whole.
NEEDS_EARLIER_CHECKS = {"list_pagination_has_no_duplicates_or_gaps"}


def audit_args(
    url: str, key: str, report_dir: Path, defect: str, *, whole: bool = True
) -> list[str]:
    """The audit of a mock with `defect`: the whole audit, or (`whole=False`) only the check
    that must catch it, where that check stands on its own."""
    profile = "standard" if defect in NEEDS_STANDARD else "quick"
    args = ["audit", "--url", url, "--key", key, "--profile", profile,
            "--report-dir", str(report_dir)]  # fmt: skip
    _, check, _ = EXPECTED[defect]
    if not whole and defect not in NEEDS_FUZZER and check not in NEEDS_EARLIER_CHECKS:
        args += ["--check", check]
    return args if defect in NEEDS_FUZZER else [*args, "--no-fuzz"]


def _audited_alone(defect: str) -> bool:
    return "--check" in audit_args("", "", Path(), defect, whole=False)


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_is_reported(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _assert_reported(defect, tmp_path, capsys, whole=False)


@pytest.mark.slow
@pytest.mark.parametrize("defect", [d for d in sorted(EXPECTED) if _audited_alone(d)])
def test_defect_is_reported_by_the_whole_audit(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _assert_reported(defect, tmp_path, capsys, whole=True)


def _assert_reported(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], *, whole: bool
) -> None:
    operation, check, words = EXPECTED[defect]
    with running_mock(MockConfig(render_seconds=0.2, defects=(defect,))) as server:
        code = main(audit_args(server.url, server.key, tmp_path, defect, whole=whole))
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
    # Every violation but a cut download carries the request that shows it (the sweep's: the
    # create whose job ignored a value), as a curl line to replay.
    if defect != "truncated-mp4":
        assert "reproduce:" in out and "curl -sS" in out


def test_failures_marked_expected_leave_their_checks_not_run(tmp_path: Path) -> None:
    with running_mock(MockConfig(render_seconds=0.2, defects=("failed-jobs",))) as server:
        args = audit_args(server.url, server.key, tmp_path, "failed-jobs")
        code = main([*args, "--expect-failures"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    outcomes = {c["check"]: c for g in summary["operations"] for c in g["checks"]}
    media = outcomes["content_is_real_mp4_matching_size_and_seconds"]
    assert media["outcome"] == "not run" and "--expect-failures" in media["reason"]
    assert code == 0, [c for c in outcomes.values() if c["outcome"] == "failed"]


def test_one_cause_is_reported_once_with_the_checks_it_blocked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every job fails: the check that made the job reports it; the checks that needed a
    completed job are not run, "blocked by" it, in every report."""
    cause = "created_job_reaches_terminal_status"
    needing = ["content_is_real_mp4_matching_size_and_seconds", "remix_points_to_source"]
    with running_mock(MockConfig(render_seconds=0.2, defects=("failed-jobs",))) as server:
        code = main(audit_args(server.url, server.key, tmp_path, "failed-jobs"))
    assert code == 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["schema_version"] == 3
    (root,) = summary["root_causes"]
    assert root["check"] == cause and set(needing) <= set(root["blocked"])
    outcomes = {c["check"]: c for g in summary["operations"] for c in g["checks"]}
    for name in needing:
        assert outcomes[name]["outcome"] == "not run" and outcomes[name]["blocked_by"] == cause
        assert outcomes[name]["reason"].startswith(f"blocked by {cause}")
    out = capsys.readouterr().out
    assert out.count("✗ ") == 1 and "blocked: " in out and "1 root cause(s)" in out
    junit = (tmp_path / "junit.xml").read_text()
    assert f"blocked by {cause}" in junit and "blocked (not run, same cause)" in junit
    assert "Blocked (not run, same cause)" in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize("defect", sorted(INFORMATION_DEFECTS))
def test_information_defect_is_noted_not_failed(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_mock(MockConfig(render_seconds=0.2, defects=(defect,))) as server:
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--no-fuzz", "--check", "unknown_video_is_not_found", "--report-dir", str(tmp_path)]
        )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert code == 0 and summary["verdict"] == "conformant"
    assert any(INFORMATION_DEFECTS[defect] in note for note in summary["notes"]), summary["notes"]
    assert "information: an answer header names an internal address" in capsys.readouterr().out


@pytest.mark.parametrize("defect", sorted(DEVIATION_DEFECTS))
def test_following_the_page_where_the_contract_deviates_is_a_warning(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = families().default_family.models[0]
    with running_mock(MockConfig(render_seconds=0.2, defects=(defect,))) as server:
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--no-fuzz", "--check", "near_miss_values_are_refused", "--model", model,
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    warnings = [n for n in summary["notes"] if n.startswith("warning:")]
    assert code == 0 and summary["verdict"] == "conformant", summary["root_causes"]
    assert warnings and all("revisit the deviation" in w for w in warnings)
    assert any(DEVIATION_DEFECTS[defect] in w for w in warnings)
    assert "revisit the deviation" in " ".join(capsys.readouterr().out.split())
