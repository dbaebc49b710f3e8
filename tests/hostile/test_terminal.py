"""The one terminal sanitiser, and the audit console that prints through it."""

from __future__ import annotations

import io

from rich.console import Console

from tests.support.hostile import EVIL, unsafe_characters
from videos_contract.audit.events import AuditFinished, BehaviourCheckFinished
from videos_contract.audit.reports.console import ConsoleReporter
from videos_contract.audit.results import AuditResult, CheckOutcome, Exchange, Violation
from videos_contract.credentials import Secrets
from videos_contract.terminal import printable


def test_every_control_and_format_character_is_made_visible() -> None:
    shown = printable(EVIL)
    assert unsafe_characters(shown) == set()
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]:
        assert unsafe_characters(printable(chr(code))) == set()
        assert printable(chr(code)) == f"\\x{code:02x}"
    assert printable("\u202e") == "\\u202e" and printable("\u2028") == "\\u2028"
    assert "\\x1b]0;pwned\\x07" in shown and "\\x1b[2J" in shown and "\\x9b2J" in shown


def test_ordinary_text_is_kept() -> None:
    for text in ["a red fox", "Zürich 東京 🦊", "tab-free, 100% normal: [ok]", "C:\\path"]:
        assert printable(text) == text
    assert printable("two\nlines", keep_newlines=True) == "two\nlines"
    assert printable("two\nlines") == "two\\x0alines"
    assert printable(42) == "42"


def test_the_audit_console_prints_server_text_defused() -> None:
    violation = Violation(
        check="created_job_reaches_terminal_status",
        operation="createVideo",
        title="x",
        at_fault=f"created video: field status {EVIL}",
        expected="'queued'",
        actual=EVIL,
        exchange=Exchange("GET", "http://127.0.0.1:1/v1/videos", (), b"", 200),
    )
    outcome = CheckOutcome(
        check="created_job_reaches_terminal_status",
        operation="createVideo",
        source="behaviour",
        failed=1,
        violations=(violation,),
    )
    skipped = CheckOutcome(
        check="content_supports_byte_ranges",
        operation="downloadVideoContent",
        source="behaviour",
        skipped=1,
        skip_reason=EVIL,
    )
    result = AuditResult(
        target="http://127.0.0.1:1",
        profile="quick",
        seed=0,
        started_at="2026-01-01T00:00:00+00:00",
        duration=1.0,
        outcomes=(outcome, skipped),
        notes=(EVIL,),
    )
    out = io.StringIO()
    reporter = ConsoleReporter(Console(file=out, width=200, highlight=False), Secrets([]))
    reporter(BehaviourCheckFinished(skipped))
    reporter(AuditFinished(result))
    text = out.getvalue()
    assert unsafe_characters(text) == set(), sorted(unsafe_characters(text))
    assert "\\x1b]0;pwned\\x07" in text
