"""What an audit found, as plain values shared by the engine and every report writer.

The engine produces these and nothing else; each report format reads them. Keeping them free
of schemathesis and HTTP-library types lets a writer be tested with hand-made results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "AuditResult",
    "CheckOutcome",
    "Dismissal",
    "Exchange",
    "Outcome",
    "Violation",
]


class Outcome(StrEnum):
    """How one check ended on one operation."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Exchange:
    """One HTTP request as it went over the wire, enough to rebuild a `curl` command.

    `headers` never carry the key: the engine only ever sees a placeholder in its place.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    status: int | None = None


@dataclass(frozen=True)
class Violation:
    """One way the server breaks the contract."""

    check: str
    operation: str
    title: str
    at_fault: str
    expected: str
    actual: str
    exchange: Exchange | None = None
    code: str | None = None


@dataclass(frozen=True)
class Dismissal:
    """A finding of the fuzzer that did not survive a re-check against the bytes sent."""

    check: str
    operation: str
    title: str
    reason: str


@dataclass(frozen=True)
class CheckOutcome:
    """The tally of one check on one operation: how many cases passed, failed or were skipped."""

    check: str
    operation: str
    source: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reason: str = ""
    violations: tuple[Violation, ...] = ()

    @property
    def outcome(self) -> Outcome:
        if self.failed or self.violations:
            return Outcome.FAILED
        if self.passed:
            return Outcome.PASSED
        return Outcome.SKIPPED


@dataclass(frozen=True)
class AuditResult:
    """Everything one audit run established, in the order it was established."""

    target: str
    profile: str
    seed: int
    started_at: str
    duration: float
    outcomes: tuple[CheckOutcome, ...]
    dismissals: tuple[Dismissal, ...] = ()
    billed_sent: int = 0
    billed_accepted: int = 0
    billed_skipped: int = 0
    max_creates: int | None = None
    requests: int = 0
    rate_limited_waits: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for o in self.outcomes for v in o.violations)

    @property
    def conformant(self) -> bool:
        return not any(o.outcome is Outcome.FAILED for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when conformant, 1 when at least one violation was found."""
        return 0 if self.conformant else 1
