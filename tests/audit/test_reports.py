"""Report writers, fed hand-made results: shapes, grouping, redaction."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console

from videos_contract.audit.reports import (
    SUMMARY_VERSION,
    ConsoleReporter,
    summary_dict,
    write_reports,
)
from videos_contract.audit.results import AuditResult, CheckOutcome, Exchange, Violation
from videos_contract.credentials import Secrets
from videos_contract.spec import load_spec

SECRET = "sk-gateway-verysecret123"


def _result() -> AuditResult:
    exchange = Exchange(
        "GET",
        "http://127.0.0.1:1/v1/videos/v1",
        (("Authorization", "Bearer sk-audit-placeholder"),),
        b"",
        200,
    )
    violation = Violation(
        check="created_job_reaches_terminal_status",
        operation="createVideo",
        title="created job reaches terminal status",
        at_fault="created video: field status",
        expected="Video schema (enum)",
        actual=f"'pending' (server echoed {SECRET})",
        exchange=exchange,
    )
    return AuditResult(
        target="http://127.0.0.1:1",
        profile="quick",
        seed=0,
        started_at="2026-01-01T00:00:00+00:00",
        duration=1.5,
        outcomes=(
            CheckOutcome(
                "created_job_reaches_terminal_status",
                "createVideo",
                "behaviour",
                failed=1,
                violations=(violation,),
            ),
            CheckOutcome("not_a_server_error", "listVideos", "schemathesis", passed=7),
            CheckOutcome(
                "remix_points_to_source",
                "remixVideo",
                "behaviour",
                skipped=1,
                skip_reason="--max-creates budget spent",
            ),
            CheckOutcome(
                "content_supports_byte_ranges",
                "downloadVideoContent",
                "behaviour",
                not_offered="no `Accept-Ranges: bytes`, and a Range request got the whole body",
            ),
        ),
        billed_sent=2,
        billed_accepted=1,
        billed_skipped=3,
        max_creates=1,
    )


def test_summary_has_a_version_and_groups_by_operation() -> None:
    summary = summary_dict(_result())
    assert summary["schema_version"] == SUMMARY_VERSION
    assert summary["verdict"] == "violations" and summary["exit_code"] == 1
    order = [op.operation_id for op in load_spec().operations()]
    groups = [group["operation"] for group in summary["operations"]]
    assert groups == sorted(groups, key=order.index), "operations come in spec order"
    create = groups.index("createVideo")
    check = summary["operations"][create]["checks"][0]
    assert check["outcome"] == "failed"
    assert check["violations"][0]["at_fault"] == "created video: field status"
    assert "$VIDEOS_API_KEY" in check["violations"][0]["reproduction"]
    skipped = summary["operations"][groups.index("remixVideo")]["checks"][0]
    assert skipped["outcome"] == "not run", "a check the budget stopped is never passed"
    assert skipped["reason"] == "--max-creates budget spent"
    ranges = summary["operations"][groups.index("downloadVideoContent")]["checks"][0]
    assert ranges["outcome"] == "not offered" and "Accept-Ranges" in ranges["reason"]
    assert summary["totals"]["not_run"] == 1 and summary["totals"]["not_offered"] == 1
    assert summary["cost"] == {
        "max_creates": 1,
        "billed_sent": 2,
        "billed_accepted": 1,
        "billed_skipped": 3,
    }


def test_written_reports_are_readable_and_redacted(tmp_path: Path) -> None:
    paths = write_reports(_result(), tmp_path, [SECRET])
    assert sorted(p.name for p in paths) == ["junit.xml", "report.html", "summary.json"]
    for path in paths:
        assert SECRET not in path.read_text(encoding="utf-8")
    json.loads((tmp_path / "summary.json").read_text())
    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert root.get("failures") == "1" and root.get("skipped") == "2"
    skipped = {case.get("name"): case.find("skipped") for case in root.iter("testcase")}
    remix, ranges = skipped["remix_points_to_source"], skipped["content_supports_byte_ranges"]
    assert remix is not None and remix.get("message") == "not run: --max-creates budget spent"
    assert ranges is not None and str(ranges.get("message")).startswith("not offered: ")
    names = [case.get("name") for case in root.iter("testcase")]
    assert "created_job_reaches_terminal_status" in names
    html = (tmp_path / "report.html").read_text()
    assert "<script" not in html and "created video: field status" in html


def test_console_shows_the_violation_without_the_key() -> None:
    stream = io.StringIO()
    reporter = ConsoleReporter(Console(file=stream, width=200), Secrets([SECRET]))
    reporter.summary(_result())
    text = stream.getvalue()
    assert "created video: field status" in text and "expected: Video schema" in text
    assert "curl" in text and SECRET not in text


def test_a_conformant_verdict_counts_the_checks_the_settings_left_out() -> None:
    result = _result()
    passing = tuple(o for o in result.outcomes if not o.failed)
    clean = AuditResult(**{**result.__dict__, "outcomes": passing})
    assert clean.exit_code == 0 and len(clean.not_run) == 1
    stream = io.StringIO()
    ConsoleReporter(Console(file=stream, width=200), Secrets([])).summary(clean)
    text = stream.getvalue()
    assert "Conformant, 1 check(s) not run by your settings." in text
    assert "not run: remix_points_to_source (--max-creates budget spent)" in text
    assert "not offered: content_supports_byte_ranges" in text
    assert summary_dict(clean)["verdict"] == "conformant"


def test_report_html_leads_with_the_verdict_and_the_failures() -> None:
    import dataclasses

    from videos_contract.audit.reports.html import render_html
    from videos_contract.audit.results import Dismissal

    base = _result()
    first = base.outcomes[0].violations[0]
    same_cause = dataclasses.replace(  # another check, another answer, the same field
        first,
        check="created_video_matches_schema",
        operation="getVideo",
        title="video matches schema",
        at_fault="list page: field data/0/status",
    )
    other = dataclasses.replace(
        first,
        title="error body names the parameter",
        at_fault="error: field param",
        expected="a string",
        actual="a string was expected; got null",
    )
    outcomes = (
        base.outcomes[0],
        CheckOutcome(
            "created_video_matches_schema",
            "getVideo",
            "behaviour",
            failed=1,
            violations=(same_cause,),
        ),
        CheckOutcome("error_names_param", "listVideos", "behaviour", failed=1, violations=(other,)),
        *base.outcomes[1:],
    )
    dismissal = Dismissal("not_a_server_error", "listVideos", "server error", "not reproduced")
    result = dataclasses.replace(base, outcomes=outcomes, dismissals=(dismissal, dismissal))
    html = render_html(result)
    verdict, counts = html.index('class="verdict bad"'), html.index("class='counts'")
    failures, table = html.index("<h2>Failures (2)</h2>"), html.index("<h2>All checks</h2>")
    assert verdict < counts < failures < table
    assert "3 failed</span>" in html and "1 passed</span>" in html
    assert "1 not run</span>" in html and "1 not offered</span>" in html
    # One root cause, two places: shown once, naming both.
    assert html.count("<h3>created job reaches terminal status</h3>") == 1
    assert "Seen 2 times: createVideo / created_job_reaches_terminal_status, getVideo /" in html
    assert html.count("<h3>error body names the parameter</h3>") == 1
    assert "<h3>video matches schema</h3>" not in html
    # "Actual" does not repeat the expected text.
    assert "<dd>…was expected; got null</dd>" not in html
    assert "<dd>… was expected; got null</dd>" in html
    assert html.count("not reproduced") == 1
    # One table: every row has the same columns.
    assert html.count("<table>") == 1
