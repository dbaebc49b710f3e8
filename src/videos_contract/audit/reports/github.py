"""GitHub Actions annotations: one workflow command per violation, shown on the run's page.

`::error title=...::message` lines on stdout are read by the Actions runner; other CI systems
print them as they are. The level of each line is decided by the caller (a check set to
`warning` in the settings, a violation a baseline accepts), so this writer only formats.
"""

from __future__ import annotations

from collections.abc import Callable

from videos_contract.audit.results import AuditResult, Outcome, Violation

__all__ = ["LEVELS", "annotation", "render_github"]

LEVELS = ("error", "warning", "notice")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, title: str, message: str) -> str:
    """One workflow command line, its title and message escaped as the runner reads them."""
    if level not in LEVELS:
        raise ValueError(f"annotation level {level!r}; one of {', '.join(LEVELS)}")
    return f"::{level} title={_property(title)}::{_data(message)}"


def render_github(result: AuditResult, level_of: Callable[[Violation], str]) -> str:
    """Annotation lines for every violation, each at the level `level_of` gives it."""
    lines: list[str] = []
    for outcome in result.outcomes:
        if outcome.outcome is not Outcome.FAILED:
            continue
        violations = outcome.violations or (
            Violation(
                outcome.check,
                outcome.operation,
                outcome.check,
                "the server",
                "no failed cases",
                f"{outcome.failed} failed case(s)",
            ),
        )
        for violation in violations:
            lines.append(
                annotation(
                    level_of(violation),
                    f"videos-contract: {violation.check} ({violation.operation})",
                    f"{violation.at_fault}: expected {violation.expected}, got {violation.actual}",
                )
            )
    if not lines:
        lines.append(annotation("notice", "videos-contract", "conformant: " + result.target))
    return "\n".join(lines)
