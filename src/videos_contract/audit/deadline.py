"""The audit's clock: a total deadline per run and one per check, and what they cut off.

Each profile has a total deadline (`Profile.deadline`, `--deadline` to change it) and a
deadline per check (`Profile.check_deadline`). Before a check runs, the engine hands its
deadline (the earlier of the two) to the audit client and the relay; past it nothing more is
sent and a request in flight is cut off. A check that was cut off is reported as skipped,
saying by which deadline and during which request; the checks after the total deadline are
reported as not run; the fuzzer gets the time left. The result's notes say all of it, so the
reports written at the end show what ran and what did not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from videos_contract.audit.results import CheckOutcome

if TYPE_CHECKING:  # the engine that arms the clock has loaded them; `DEADLINE_NOTE` needs neither
    from videos_contract.audit.client import AuditClient
    from videos_contract.audit.proxy import AuditRelay

__all__ = ["DEADLINE_NOTE", "AuditClock"]

# Every note about a deadline starts so; the CLI exits 2 (not audited) when one is present.
DEADLINE_NOTE = "deadline reached:"


@dataclass
class AuditClock:
    """`total` and `per_check` in seconds (None: no limit), counted from `started`."""

    total: float | None
    per_check: float | None
    started: float = field(default_factory=time.monotonic)
    cut: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    fuzzing: str | None = None

    @property
    def deadline(self) -> float | None:
        return None if self.total is None else self.started + self.total

    def remaining(self) -> float | None:
        deadline = self.deadline
        return None if deadline is None else deadline - time.monotonic()

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def _total_reason(self) -> str:
        return f"the audit's deadline of {self.total:g} s (--deadline)"

    def arm(self, client: AuditClient, relay: AuditRelay) -> None:
        """Hand the total deadline to the client and the relay (the fuzzer's phase)."""
        client.deadline = relay.deadline = self.deadline
        client.deadline_reason = self._total_reason()
        client.cut_off = None

    def run_check(
        self,
        name: str,
        operation: str,
        client: AuditClient,
        relay: AuditRelay,
        run: Callable[[], CheckOutcome],
    ) -> CheckOutcome:
        """Run one check under its deadline; its outcome, saying when a deadline cut it."""
        if self.expired():
            self.not_run.append(name)
            return CheckOutcome(
                check=name,
                operation=operation,
                source="behaviour",
                skipped=1,
                skip_reason=f"not run: {self._total_reason()} had passed",
            )
        limit, reason = self.deadline, self._total_reason()
        if self.per_check is not None:
            own = time.monotonic() + self.per_check
            if limit is None or own < limit:
                limit, reason = own, f"the check's deadline of {self.per_check:g} s"
        client.deadline = relay.deadline = limit
        client.deadline_reason = reason
        client.cut_off = None
        try:
            outcome = run()
        finally:
            self.arm(client, relay)
        cut = client.cut_off
        if cut is None and limit is not None and time.monotonic() >= limit and not outcome.failed:
            cut = f"{reason} passed while it ran"
        if cut is not None and not outcome.failed:
            self.cut.append(f"{name} ({cut})")
            return replace(outcome, passed=0, skipped=1, skip_reason=f"cut off: {cut}")
        return outcome

    def notes(self) -> tuple[str, ...]:
        notes: list[str] = []
        if self.cut:
            notes.append(f"{DEADLINE_NOTE} cut off: {'; '.join(self.cut)}")
        if self.not_run:
            notes.append(
                f"{DEADLINE_NOTE} not run, {self._total_reason()} having passed: "
                + ", ".join(self.not_run)
            )
        if self.fuzzing:
            notes.append(f"{DEADLINE_NOTE} {self.fuzzing}")
        return tuple(notes)
