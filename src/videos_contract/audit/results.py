"""What an audit found, as plain values shared by the engine and every report writer.

The engine produces these and nothing else; each report format reads them. Keeping them free
of schemathesis and HTTP-library types lets a writer be tested with hand-made results.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "AuditResult",
    "CheckOutcome",
    "Dismissal",
    "Exchange",
    "Outcome",
    "RootCause",
    "Verdict",
    "Violation",
    "sent_model",
]


class Outcome(StrEnum):
    """How one check ended on one operation.

    `NOT_RUN` is only ever the user's choice (the cost cap, a profile, a check selection, an
    operation the user says the server does not offer); whatever the server does to stop a
    check is `FAILED`, with the evidence. `NOT_OFFERED` is an optional capability (byte
    ranges) the server neither advertises nor uses; it does not change the verdict.
    """

    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"
    NOT_OFFERED = "not offered"


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
    """The tally of one check on one operation: cases passed, failed, or not run.

    `skipped` counts cases not run by the user's settings and `skip_reason` says which one;
    `not_offered` says why an optional capability was found absent.
    """

    check: str
    operation: str
    source: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reason: str = ""
    violations: tuple[Violation, ...] = ()
    not_offered: str = ""
    # The check whose violation kept this one from running ("blocked by ..."): not run.
    blocked_by: str = ""

    @property
    def outcome(self) -> Outcome:
        if self.failed or self.violations:
            return Outcome.FAILED
        if self.not_offered:
            return Outcome.NOT_OFFERED
        if self.passed:
            return Outcome.PASSED
        return Outcome.NOT_RUN

    @property
    def reason(self) -> str:
        """Why the check was not run, why the capability counts as not offered, or what a
        passed check observed (a form the server needs)."""
        if self.outcome is Outcome.NOT_OFFERED:
            return self.not_offered
        if self.outcome is Outcome.NOT_RUN or (
            self.skip_reason and (self.skipped or self.outcome is Outcome.PASSED)
        ):
            return self.skip_reason
        return ""


@dataclass(frozen=True)
class Verdict:
    """How a run ended, as its exit code says: `conformant` (0), `violations` (1), `cut short`
    or `could not audit` (2), with one line saying why."""

    word: str
    exit_code: int
    reason: str


@dataclass(frozen=True)
class RootCause:
    """A failed check's violations, reported once, and the checks they kept from running."""

    outcome: CheckOutcome
    blocked: tuple[CheckOutcome, ...] = ()

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.outcome.violations


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
    # True when the target was the embedded mock (`audit --mock`), not a server the user named.
    embedded_mock: bool = False
    # The verdict once the settings' severities and the baseline have had their say
    # (`audit.verdict.decide`), or the reason a run could not finish; None: `final` asks
    # `decide` with no settings.
    ending: Verdict | None = None

    @property
    def violations(self) -> tuple[Violation, ...]:
        return tuple(v for o in self.outcomes for v in o.violations)

    @property
    def root_causes(self) -> tuple[RootCause, ...]:
        """One per failed check, in the order they failed, with the checks each blocked."""
        return tuple(
            RootCause(o, tuple(b for b in self.outcomes if b.blocked_by == o.check))
            for o in self.outcomes
            if o.outcome is Outcome.FAILED
        )

    @property
    def blocked(self) -> tuple[CheckOutcome, ...]:
        """Checks a violation of another check kept from running."""
        return tuple(o for o in self.outcomes if o.blocked_by)

    @property
    def conformant(self) -> bool:
        return not any(o.outcome is Outcome.FAILED for o in self.outcomes)

    @property
    def not_run(self) -> tuple[CheckOutcome, ...]:
        """Checks the user's settings left out (blocked ones are the server's doing)."""
        return tuple(o for o in self.outcomes if o.outcome is Outcome.NOT_RUN and not o.blocked_by)

    @property
    def run_in_part(self) -> tuple[CheckOutcome, ...]:
        """Passed checks some of whose cases the user's settings left out (e.g. the budget)."""
        return tuple(o for o in self.outcomes if o.outcome is Outcome.PASSED and o.skipped)

    @property
    def exit_code(self) -> int:
        """The verdict's exit code: 0 conformant, 1 violations, 2 cut short or not audited."""
        return self.final.exit_code

    @property
    def final(self) -> Verdict:
        """The verdict the command exits with: `ending`, else the one `audit.verdict.decide`
        gives with no settings (its reason left empty for the writers to word)."""
        if self.ending is not None:
            return self.ending
        # Imported here: `verdict` reads these values, so it imports this module.
        from videos_contract.audit.verdict import decide

        return decide(self).verdict


def sent_model(exchange: Exchange) -> str | None:
    """The `model` a create named, in a JSON body or a multipart form."""
    body = exchange.body
    try:
        document = json.loads(body) if body else None
    except ValueError:
        document = None
    if isinstance(document, dict):
        model = document.get("model")
        return model if isinstance(model, str) else None
    match = re.search(rb'name="model"\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]*)\r\n', body)
    return match.group(1).decode("utf-8", "replace") if match else None
