"""The terminal summary: progress while the audit runs, then results by operation and check."""

from __future__ import annotations

from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from videos_contract.audit.curl import to_curl
from videos_contract.audit.events import (
    AuditEvent,
    AuditFinished,
    AuditStarted,
    BehaviourCheckFinished,
    FuzzingFinished,
    FuzzingStarted,
)
from videos_contract.audit.reports.grouping import by_operation
from videos_contract.audit.reports.words import not_conformant, verdict_line
from videos_contract.audit.results import AuditResult, Outcome
from videos_contract.terminal import printable

__all__ = ["ConsoleReporter"]


_STYLE = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "bold red",
    Outcome.NOT_RUN: "yellow",
    Outcome.NOT_OFFERED: "cyan",
}


class ConsoleReporter:
    """An audit listener printing to a rich console, every line redacted."""

    def __init__(
        self, console: Console, redact: Callable[[str], str], *, embedded_mock: bool = False
    ) -> None:
        self.console = console
        self._redact = redact
        self._target = "the embedded mock at " if embedded_mock else ""

    def _print(self, text: str) -> None:
        # Lines quote the server (messages, bodies): every control character made visible.
        line = printable(self._redact(text), keep_newlines=True)
        self.console.print(line, highlight=False, soft_wrap=True)

    def __call__(self, event: AuditEvent) -> None:
        if isinstance(event, AuditStarted):
            cap = "unlimited" if event.max_creates is None else str(event.max_creates)
            self._print(
                f"[bold]Auditing {self._target}{escape(event.target)}[/] (profile {event.profile}, "
                f"max creates {cap})"
            )
        elif isinstance(event, BehaviourCheckFinished):
            o = event.outcome
            reason = f" ({escape(o.reason)})" if o.reason else ""
            self._print(f"  [{_STYLE[o.outcome]}]{o.outcome.value:11}[/] {o.check}{reason}")
        elif isinstance(event, FuzzingStarted):
            self._print(f"  fuzzing with schemathesis: {', '.join(event.phases)}...")
        elif isinstance(event, FuzzingFinished):
            self._print(f"  fuzzing done ({event.dismissed} finding(s) dismissed on re-check)")
        elif isinstance(event, AuditFinished):
            self.summary(event.result)

    def summary(self, result: AuditResult) -> None:
        table = Table(title="Results by operation and check", box=box.SIMPLE_HEAD)
        table.add_column("Operation / check", no_wrap=True)
        table.add_column("Outcome", no_wrap=True, min_width=7)
        table.add_column("ok/fail/not run", no_wrap=True, justify="right")
        for operation, outcomes in by_operation(result):
            # Passing fuzzer checks are folded into one row; the files list them one by one.
            shown = [
                o for o in outcomes if o.source == "behaviour" or o.outcome is not Outcome.PASSED
            ]
            folded = [o for o in outcomes if o not in shown]
            table.add_row(f"[bold]{escape(operation)}[/]", "", "")
            for o in shown:
                table.add_row(
                    f"  {o.check}",
                    f"[{_STYLE[o.outcome]}]{o.outcome.value}[/]",
                    f"{o.passed}/{o.failed}/{o.skipped}",
                )
            if folded:
                table.add_row(
                    f"  {len(folded)} more schemathesis checks",
                    "[green]passed[/]",
                    f"{sum(o.passed for o in folded)}/0/{sum(o.skipped for o in folded)}",
                )
        self.console.print(table)
        # One block per root cause: its violations, then the checks it kept from running.
        for cause in result.root_causes:
            for v in cause.violations:
                self._print(f"\n[bold red]✗ {escape(v.operation)} · {escape(v.check)}[/]")
                self._print(f"  at fault: {escape(v.at_fault)}")
                self._print(f"  expected: {escape(v.expected)}")
                self._print(f"  actual:   {escape(v.actual)}")
                if v.exchange is not None:
                    self._print(f"  reproduce: {escape(to_curl(v.exchange))}")
            if cause.blocked:
                names = ", ".join(o.check for o in cause.blocked)
                self._print(f"  [yellow]blocked:[/] {escape(names)} (not run: same cause)")
        cap = "unlimited" if result.max_creates is None else str(result.max_creates)
        self._print(
            f"\nBilled requests: {result.billed_accepted} accepted / {result.billed_sent} sent, "
            f"{result.billed_skipped} skipped (max creates {cap}); {result.requests} requests, "
            f"{len(result.dismissals)} fuzzer finding(s) dismissed; {result.duration:.1f} s"
        )
        for d in result.dismissals:
            self._print(
                f"[dim]dismissed:[/] {escape(d.operation)} · {escape(d.check)}: {escape(d.reason)}"
            )
        for note in result.notes:
            label, _, rest = note.partition(": ")
            if label in ("warning", "information") and rest:
                # The contract's bet (a deviation), or what the answers show of the server.
                self._print(f"[yellow]{label}:[/] {escape(rest)}")
            else:
                self._print(f"[yellow]note:[/] {escape(note)}")
        for o in result.outcomes:
            # Behaviour checks are named alone (their names are unique); fuzzer checks run on
            # every operation, so theirs says which.
            name = escape(o.check if o.source == "behaviour" else f"{o.operation} · {o.check}")
            if o.blocked_by:
                continue  # listed under its root cause
            if o.outcome is Outcome.NOT_RUN:
                self._print(f"[yellow]not run:[/] {name} ({escape(o.reason)})")
            elif o.outcome is Outcome.NOT_OFFERED:
                self._print(f"[cyan]not offered:[/] {name} ({escape(o.reason)})")
            elif o.skipped:
                self._print(
                    f"[yellow]run in part:[/] {name}: {o.skipped} case(s) not run "
                    f"({escape(o.reason)})"
                )
        if result.conformant:
            self._print(f"[bold green]{escape(verdict_line(result))}[/]")
        else:
            self._print(f"[bold red]{escape(not_conformant(result))}[/]")
