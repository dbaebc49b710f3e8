"""Report writers: each turns the same `AuditResult` into one format, and knows no other.

`write_reports` writes them all into one folder. Every text passes through the credentials'
`Secrets` on its
way out, a last guard so that a key can never reach a file even if a server echoed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from videos_contract.audit.reports.html import render_html
from videos_contract.audit.reports.junit import render_junit
from videos_contract.audit.reports.summary import SUMMARY_VERSION, render_summary, summary_dict
from videos_contract.audit.results import AuditResult
from videos_contract.credentials import Secrets

if TYPE_CHECKING:
    from videos_contract.audit.reports.console import ConsoleReporter

__all__ = [
    "SUMMARY_VERSION",
    "ConsoleReporter",
    "render_html",
    "render_junit",
    "render_summary",
    "summary_dict",
    "write_reports",
]


def __getattr__(name: str) -> Any:
    # The terminal reporter loads rich; a writer of files (the proxy's reports) does not need it.
    if name == "ConsoleReporter":
        from videos_contract.audit.reports.console import ConsoleReporter

        return ConsoleReporter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_reports(result: AuditResult, folder: Path, secrets: Iterable[str] = ()) -> list[Path]:
    """Write summary.json, junit.xml and report.html into `folder`; return their paths."""
    redact = Secrets(secrets)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in (
        ("summary.json", render_summary),
        ("junit.xml", render_junit),
        ("report.html", render_html),
    ):
        path = folder / name
        path.write_text(redact(render(result)), encoding="utf-8")
        written.append(path)
    return written
