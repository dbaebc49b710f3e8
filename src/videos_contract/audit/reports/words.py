"""The verdict in words, shared by every report and the commands' last lines (no rich here:
the proxy's command loads it without the console's dependencies)."""

from __future__ import annotations

from videos_contract.audit.results import AuditResult

__all__ = ["not_conformant", "verdict_line"]


def verdict_line(result: AuditResult) -> str:
    """One sentence: conformant or not, and how many checks the user's settings left out (or,
    when the run was settled otherwise, the reason it was)."""
    if result.final.reason:
        return result.final.reason
    if not result.conformant:
        return not_conformant(result)
    not_run, in_part = len(result.not_run), len(result.run_in_part)
    if not_run and in_part:
        return f"Conformant, {not_run} check(s) not run and {in_part} run in part by your settings."
    if not_run:
        return f"Conformant, {not_run} check(s) not run by your settings."
    if in_part:
        return f"Conformant, {in_part} check(s) run in part by your settings."
    return "Conformant: no violation found."


def not_conformant(result: AuditResult) -> str:
    causes, blocked = len(result.root_causes), len(result.blocked)
    also = f", {blocked} check(s) blocked by them" if blocked else ""
    return (
        f"{len(result.violations)} violation(s) shown from {causes} root cause(s){also}: "
        "not conformant."
    )
