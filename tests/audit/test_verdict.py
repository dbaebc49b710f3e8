"""One verdict: the command line, the Python API, the pytest plugin's `videos_audit`, a
result's own `final` and the proxy's exit code all come from `audit.verdict.decide`, and agree
for the same run and settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from videos_contract.audit import AuditConfig, run_audit
from videos_contract.audit.deadline import DEADLINE_NOTE
from videos_contract.audit.results import AuditResult, CheckOutcome, Verdict, Violation
from videos_contract.audit.verdict import CUT_SHORT, decide, entries
from videos_contract.baseline import BaselineError, write_baseline
from videos_contract.cli import main
from videos_contract.mock import MockConfig, running_mock
from videos_contract.protocol import KEY_ENV, URL_ENV

CHECKS = ("deleted_video_is_gone", "missing_or_wrong_key_is_refused", "unknown_video_is_not_found")
KNOWN = "undeletable"  # breaks deleted_video_is_gone
WARNED = "no-auth"  # breaks missing_or_wrong_key_is_refused


def _violation(check: str, operation: str = "deleteVideo") -> Violation:
    return Violation(check, operation, "broken", "status", "404", "200")


def _failed(check: str, operation: str = "deleteVideo") -> CheckOutcome:
    return CheckOutcome(
        check, operation, "behaviour", failed=1, violations=(_violation(check, operation),)
    )


def _result(*outcomes: CheckOutcome, notes: tuple[str, ...] = ()) -> AuditResult:
    return AuditResult("http://x", "quick", 0, "now", 0.0, tuple(outcomes), notes=notes)


@pytest.mark.parametrize(
    ("warned", "accepted", "word", "code"),
    [
        # Both failures excused: one by its severity, the other by the baseline.
        (("missing_or_wrong_key_is_refused",), True, "conformant", 0),
        # Only the severity: the known failure still fails the run.
        (("missing_or_wrong_key_is_refused",), False, "violations", 1),
        # Only the baseline: the other failure is new.
        ((), True, "violations", 1),
    ],
)
def test_the_cli_the_python_api_and_the_reports_give_one_verdict(
    tmp_path: Path, warned: tuple[str, ...], accepted: bool, word: str, code: int
) -> None:
    baseline = tmp_path / "baseline.json"
    settings = tmp_path / "videos-contract.toml"
    severity = "".join(f'{check} = "warning"\n' for check in warned)
    lines = [f'baseline = "{baseline}"\n'] if accepted else []
    settings.write_text("".join(lines) + "[severity]\n" + severity, encoding="utf-8")
    with running_mock(MockConfig(render_seconds=0.1, defects=(KNOWN, WARNED))) as server:
        if accepted:  # the known defect alone, written as the accepted baseline
            with running_mock(MockConfig(render_seconds=0.1, defects=(KNOWN,))) as known:
                only_known = run_audit(
                    AuditConfig(url=known.url, key=known.key, checks=CHECKS, fuzz=False)
                )
            write_baseline(baseline, "audit", entries(only_known.outcomes))
        args = ["audit", "--url", server.url, "--key", server.key, "--no-fuzz"]
        args += [a for check in CHECKS for a in ("--check", check)]
        reports = tmp_path / "reports"
        cli_code = main([*args, "--config", str(settings), "--report-dir", str(reports)])
        api = run_audit(
            AuditConfig(
                url=server.url,
                key=server.key,
                checks=CHECKS,
                fuzz=False,
                warning_checks=warned,
                baseline=baseline if accepted else None,
            )
        )
    summary = json.loads((reports / "summary.json").read_text("utf-8"))
    # The plain outcomes say "violations": the settings decide otherwise, the same everywhere.
    assert not api.conformant
    assert (cli_code, summary["exit_code"], summary["verdict"]) == (code, code, word)
    assert (api.exit_code, api.final.word) == (code, word)
    again = decide(
        replace(api, ending=None),
        warning_checks=warned,
        baseline=baseline if accepted else None,
    )
    assert again.verdict == api.final
    assert summary["reason"] == (api.final.reason or summary["reason"])
    # A team's own suite, with the same settings file in its folder: the plugin's verdict.
    plugin = _plugin_verdict(tmp_path)
    assert plugin.returncode == (0 if code == 0 else 1), plugin.stdout[-3000:]
    assert "test_audit.py::test_audit: http://127.0.0.1:" in plugin.stdout
    assert f": {word} (exit {code})" in plugin.stdout, plugin.stdout[-3000:]


_PLUGIN_TEST = f"""
import pytest

@pytest.mark.videos_mock(render_seconds=0.1, defects={[KNOWN, WARNED]!r})
def test_audit(videos_audit):
    verdict = videos_audit(checks={CHECKS!r}, fuzz=False).final
    assert verdict.exit_code == 0, verdict.reason
"""


def _plugin_verdict(folder: Path) -> subprocess.CompletedProcess[str]:
    """pytest in `folder` (where the settings file is) on a test that audits its mock."""
    (folder / "test_audit.py").write_text(_PLUGIN_TEST, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in (URL_ENV, KEY_ENV)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "test_audit.py",
        ],
        cwd=folder,
        env=clean,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_a_result_without_settings_gets_decides_verdict_which_the_proxy_exits_with() -> None:
    # The proxy exits with `result.exit_code` of a result that carries no settled verdict.
    for result in (
        _result(),
        _result(_failed("deleted_video_is_gone")),
        _result(notes=(f"{DEADLINE_NOTE} not run",)),
        _result(_failed("deleted_video_is_gone"), notes=(f"{DEADLINE_NOTE} not run",)),
    ):
        plain = decide(result).verdict
        assert result.final == plain and result.exit_code == plain.exit_code
    cut = _result(notes=(f"{DEADLINE_NOTE} cut off: a check",))
    assert cut.final == Verdict("cut short", 2, CUT_SHORT) and cut.exit_code == 2
    settled = replace(
        _result(_failed("deleted_video_is_gone")), ending=Verdict("conformant", 0, "")
    )
    assert settled.exit_code == 0


def test_decide_says_what_the_command_prints(tmp_path: Path) -> None:
    result = _result(_failed("deleted_video_is_gone"), _failed("unknown_video_is_not_found"))
    baseline = tmp_path / "b.json"
    wrote = decide(result, update_baseline=baseline)
    assert wrote.verdict.exit_code == 0
    assert wrote.lines == (f"Baseline: 2 violation(s) written to {baseline}",)
    gone = decide(_result(_failed("deleted_video_is_gone")), baseline=baseline)
    assert gone.verdict == Verdict(
        "conformant", 0, f"1 known violation(s) accepted by the baseline {baseline}"
    )
    assert gone.lines == (
        f"Baseline {baseline}: 1 known violation(s) accepted, 0 new",
        "  no longer occurs: unknown_video_is_not_found on deleteVideo: status",
    )
    assert gone.level(_violation("deleted_video_is_gone")) == "notice"
    warned = decide(result, warning_checks=("unknown_video_is_not_found",))
    assert warned.verdict.exit_code == 1
    assert warned.level(_violation("unknown_video_is_not_found")) == "warning"
    assert warned.level(_violation("deleted_video_is_gone")) == "error"
    assert warned.lines == (
        "Warnings only (severity warning in the settings): unknown_video_is_not_found",
    )
    only = decide(
        _result(_failed("unknown_video_is_not_found")), warning_checks=warned.warning_checks
    )
    assert only.verdict == Verdict(
        "conformant", 0, "only checks of severity warning failed: unknown_video_is_not_found"
    )
    # A deadline note turns a passing run into "cut short"; a failing one stays "violations".
    noted = (f"{DEADLINE_NOTE} cut off: x",)
    assert decide(_result(notes=noted)).verdict.word == "cut short"
    assert decide(_result(_failed("deleted_video_is_gone"), notes=noted)).verdict.exit_code == 1
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(BaselineError):
        decide(result, baseline=tmp_path / "bad.json")
