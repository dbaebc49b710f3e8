"""The verdict of one run: its outcomes, the settings' severities, the baseline, the deadline.

Every way of running an audit asks this module for its verdict: the command line (which
prints `Decision.lines` and exits with `Decision.verdict.exit_code`), `run_audit` (its result's
`final` and `exit_code`), `AuditResult.final` for a result that carries no settled verdict,
and the validating proxy (`videos-contract proxy` exits with its result's `exit_code`). So a
run gets the same verdict however it was started.

- A failed check of severity `warning` is reported but does not fail the run.
- With a baseline, only failures not in it fail the run; entries the run no longer trips are
  listed. With `update_baseline`, the run's failures are written as the accepted baseline and
  the run passes.
- A run the deadline cut short that found nothing failing is `cut short` (exit 2): it was not
  audited completely.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from videos_contract.audit.deadline import DEADLINE_NOTE
from videos_contract.audit.results import AuditResult, CheckOutcome, Outcome, Verdict, Violation
from videos_contract.baseline import Entry, compare, entry, read_baseline, write_baseline

__all__ = ["CUT_SHORT", "Decision", "decide", "entries"]

CUT_SHORT = "the audit's deadline cut it short; the reports hold the checks that ran"


@dataclass(frozen=True)
class Decision:
    """A run's verdict, the baseline entries it matched (accepted violations), the lines to
    tell the user, and the checks of severity `warning`."""

    verdict: Verdict
    accepted: frozenset[Entry] = frozenset()
    lines: tuple[str, ...] = ()
    warning_checks: frozenset[str] = frozenset()

    def level(self, violation: Violation) -> str:
        """How a violation counts: `notice` (accepted by the baseline), `warning` (of a check
        of severity warning) or `error`."""
        if entry(violation.check, violation.operation, violation.at_fault) in self.accepted:
            return "notice"
        return "warning" if violation.check in self.warning_checks else "error"


def entries(outcomes: Iterable[CheckOutcome]) -> set[Entry]:
    """Baseline entries of failed outcomes: check, operation and the field at fault."""
    found: set[Entry] = set()
    for outcome in outcomes:
        if outcome.outcome is not Outcome.FAILED:
            continue
        found |= {entry(v.check, v.operation, v.at_fault) for v in outcome.violations}
        if not outcome.violations:
            found.add(entry(outcome.check, outcome.operation, ""))
    return found


def _describe(item: Entry) -> str:
    check, operation, field = item
    return f"{check} on {operation}" + (f": {field}" if field else "")


def decide(
    result: AuditResult,
    *,
    warning_checks: Collection[str] = (),
    baseline: Path | None = None,
    update_baseline: Path | None = None,
) -> Decision:
    """The verdict of `result` under these settings; raises `BaselineError` when the baseline
    cannot be read or written (the run's verdict cannot be said)."""
    warning = frozenset(warning_checks)
    code, accepted, lines, reason = _judge(result, warning, baseline, update_baseline)
    if code == 0 and any(note.startswith(DEADLINE_NOTE) for note in result.notes):
        verdict = Verdict("cut short", 2, CUT_SHORT)
    else:
        verdict = Verdict("conformant" if code == 0 else "violations", code, reason)
    return Decision(verdict, frozenset(accepted), tuple(lines), warning)


def _judge(
    result: AuditResult,
    warning: frozenset[str],
    baseline: Path | None,
    update: Path | None,
) -> tuple[int, set[Entry], list[str], str]:
    """The exit code, the baseline's entries the run matched, the lines to tell the user, and
    the reason when it is not the outcomes' own."""
    failed = [o for o in result.outcomes if o.outcome is Outcome.FAILED]
    if update is not None:
        found = entries(failed)
        written = write_baseline(update, "audit", found)
        return (
            0,
            found,
            [f"Baseline: {written} violation(s) written to {update}"],
            f"{written} violation(s) written to {update} as accepted",
        )
    lines: list[str] = []
    warned = sorted({o.check for o in failed if o.check in warning})
    if warned:
        lines.append(f"Warnings only (severity warning in the settings): {', '.join(warned)}")
    blocking = [o for o in failed if o.check not in warning]
    only_warned = f"only checks of severity warning failed: {', '.join(warned)}"
    if baseline is None:
        return (1 if blocking else 0), set(), lines, "" if blocking or not warned else only_warned
    known = read_baseline(baseline, "audit")
    seen = compare(entries(failed), known)
    new = compare(entries(blocking), known).new
    lines.append(
        f"Baseline {baseline}: {len(seen.known)} known violation(s) accepted, {len(new)} new"
    )
    lines += [f"  new: {_describe(item)}" for item in new]
    lines += [f"  no longer occurs: {_describe(item)}" for item in seen.gone]
    if new:
        reason = f"{len(new)} violation(s) not in the baseline {baseline}"
    elif seen.known:
        reason = f"{len(seen.known)} known violation(s) accepted by the baseline {baseline}"
    else:
        reason = only_warned if warned else ""
    return (1 if new else 0), set(seen.known), lines, reason
