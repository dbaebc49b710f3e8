"""What the proxy saw: a tally per operation and check, the violations, and the audit's result.

Each exchange the proxy inspects adds a pass or a violation to the check it is about. A
violation is announced at once, one sanitised line, and kept (a bounded number per operation
and check, all of them counted) for the reports, which are the audit's own writers fed an
`AuditResult` built from the tally.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from videos_contract.audit.results import AuditResult, CheckOutcome, Exchange, Violation
from videos_contract.credentials import Secrets
from videos_contract.terminal import printable

__all__ = ["PROFILE", "SOURCE", "Findings", "live_line"]

# What the reports name as the profile and as the source of each check.
PROFILE = "proxy"
SOURCE = "proxy"
# Violations kept per operation and check; every one is counted.
_KEPT = 20


@dataclass
class _Tally:
    passed: int = 0
    failed: int = 0
    violations: list[Violation] = field(default_factory=list)


def live_line(violation: Violation, redact: Callable[[str], str]) -> str:
    """One line for a violation, key blanked and every control character made visible."""
    text = (
        f"✗ {violation.operation} · {violation.check}: {violation.at_fault}: "
        f"expected {violation.expected}, got {violation.actual}"
    )
    return printable(redact(text))


class Findings:
    """The tally of one proxy run; safe to feed from several threads."""

    def __init__(self, target: str, on_violation: Callable[[str], None] | None = None) -> None:
        self.target = target
        self._on_violation = on_violation
        self._lock = threading.Lock()
        self._tallies: dict[tuple[str, str], _Tally] = {}
        self._notes: list[str] = []
        self._secrets = Secrets()
        self.requests = 0
        # Requests to billed operations (creates, remixes) that went to the upstream, and
        # those it accepted (2xx): summary.json's `cost`, as the audit counts them.
        self.billed_sent = 0
        self.billed_accepted = 0
        self._started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._started = time.monotonic()

    # -- secrets ------------------------------------------------------------------------
    @property
    def secrets(self) -> Secrets:
        """Every credential value seen on the way through: blanked in every line and report."""
        return self._secrets

    # -- tallies ------------------------------------------------------------------------
    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def count_billed(self, *, accepted: bool) -> None:
        with self._lock:
            self.billed_sent += 1
            self.billed_accepted += accepted

    def passed_all(self, passes: Iterable[tuple[str, str]]) -> None:
        """A pass for each (operation, check), under one lock."""
        with self._lock:
            tallies = self._tallies
            for key in passes:
                tally = tallies.get(key)
                if tally is None:
                    tally = tallies[key] = _Tally()
                tally.passed += 1

    def failed(
        self,
        operation: str,
        check: str,
        at_fault: str,
        expected: str,
        actual: str,
        exchange: Exchange | None = None,
    ) -> Violation:
        violation = Violation(
            check=check,
            operation=operation,
            title=check.replace("_", " "),
            at_fault=at_fault,
            expected=expected,
            actual=actual,
            exchange=exchange,
        )
        with self._lock:
            tally = self._tallies.setdefault((operation, check), _Tally())
            tally.failed += 1
            shown = {v.at_fault for v in tally.violations}
            if len(tally.violations) < _KEPT and at_fault not in shown:
                tally.violations.append(violation)
        if self._on_violation is not None:
            self._on_violation(live_line(violation, self._secrets))
        return violation

    def note(self, text: str) -> None:
        with self._lock:
            if text not in self._notes and len(self._notes) < 200:
                self._notes.append(text)

    @property
    def violations(self) -> tuple[Violation, ...]:
        with self._lock:
            return tuple(v for t in self._tallies.values() for v in t.violations)

    def result(self, extra_notes: Iterable[str] = ()) -> AuditResult:
        """The tally as the audit's result, for its report writers."""
        with self._lock:
            outcomes = tuple(
                CheckOutcome(
                    check=check,
                    operation=operation,
                    source=SOURCE,
                    passed=tally.passed,
                    failed=tally.failed,
                    violations=tuple(tally.violations),
                )
                for (operation, check), tally in sorted(self._tallies.items())
            )
            notes = (*self._notes, *extra_notes)
            requests = self.requests
        return AuditResult(
            target=self.target,
            profile=PROFILE,
            seed=0,
            started_at=self._started_at,
            duration=round(time.monotonic() - self._started, 3),
            outcomes=outcomes,
            requests=requests,
            notes=notes,
            billed_sent=self.billed_sent,
            billed_accepted=self.billed_accepted,
        )
