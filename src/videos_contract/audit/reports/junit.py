"""junit.xml: one test suite per operation, one test case per check, for CI dashboards.

passed -> a plain test case; failed -> `<failure>` (its text ends with the checks its cause
blocked); not run -> `<skipped message="not run: REASON">` ("blocked by CHECK: ..." for a check
another's violation kept from running); not offered -> `<skipped message="not offered: HOW">`.
A run that did not finish (exit 2: cut short, or could not audit) adds a suite `audit` whose one
case holds an `<error>` with the reason, so that a dashboard never shows it green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from videos_contract.audit.curl import to_curl
from videos_contract.audit.reports.grouping import by_operation
from videos_contract.audit.results import AuditResult, Outcome

__all__ = ["render_junit"]

# Neither a pass nor a failure: the user's settings left the check out, or an optional
# capability is not offered. A server fault is always a failure, never one of these.
_NEUTRAL = (Outcome.NOT_RUN, Outcome.NOT_OFFERED)


def render_junit(result: AuditResult) -> str:
    final = result.final
    unfinished = final.exit_code == 2
    root = ET.Element(
        "testsuites",
        name="videos-contract audit",
        tests=str(len(result.outcomes) + unfinished),
        failures=str(sum(o.outcome is Outcome.FAILED for o in result.outcomes)),
        errors=str(int(unfinished)),
        skipped=str(sum(o.outcome in _NEUTRAL for o in result.outcomes)),
        time=f"{result.duration:.2f}",
    )
    if unfinished:
        suite = ET.SubElement(root, "testsuite", name="audit", tests="1", errors="1")
        case = ET.SubElement(suite, "testcase", classname="audit", name="the audit ran to its end")
        ET.SubElement(case, "error", message=f"{final.word}: {final.reason}", type=final.word)
    for operation, outcomes in by_operation(result):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=operation,
            tests=str(len(outcomes)),
            failures=str(sum(o.outcome is Outcome.FAILED for o in outcomes)),
            skipped=str(sum(o.outcome in _NEUTRAL for o in outcomes)),
        )
        for outcome in outcomes:
            case = ET.SubElement(
                suite, "testcase", classname=f"{outcome.source}.{operation}", name=outcome.check
            )
            if outcome.outcome is Outcome.FAILED:
                first = outcome.violations[0] if outcome.violations else None
                message = (
                    f"{first.at_fault}: expected {first.expected}, got {first.actual}"
                    if first
                    else f"{outcome.failed} failing case(s)"
                )
                failure = ET.SubElement(case, "failure", message=message, type=outcome.check)
                failure.text = "\n\n".join(
                    f"{v.at_fault}\n  expected: {v.expected}\n  actual:   {v.actual}"
                    + (f"\n  reproduce: {to_curl(v.exchange)}" if v.exchange else "")
                    for v in outcome.violations
                )
                blocked = [o.check for o in result.outcomes if o.blocked_by == outcome.check]
                if blocked:
                    failure.text += "\n\nblocked (not run, same cause): " + ", ".join(blocked)
            elif outcome.outcome is Outcome.NOT_RUN:
                ET.SubElement(case, "skipped", message=f"not run: {outcome.reason}")
            elif outcome.outcome is Outcome.NOT_OFFERED:
                ET.SubElement(case, "skipped", message=f"not offered: {outcome.reason}")
            else:
                case.set("assertions", str(outcome.passed))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
