"""report.html: one self-contained page (no scripts, no external files) for people.

It reads top-down as a reviewer works: the verdict, a count per outcome, then the failures
(each root cause once, with the places it showed and the evidence), then every check in one
table whose columns line up, then the dismissed fuzzer findings and the notes. Every string
that came from a server or a setting goes through `html.escape`.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from videos_contract.audit.curl import to_curl
from videos_contract.audit.reports.grouping import by_operation
from videos_contract.audit.results import AuditResult, CheckOutcome, Outcome, Violation

__all__ = ["render_html"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem auto;padding:0 1rem;max-width:72rem;color:#222}
h1{font-size:1.4rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #ccc}h3{font-size:1rem;margin:.2rem 0}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{padding:.3rem .5rem;
text-align:left;border-bottom:1px solid #eee;vertical-align:top;overflow-wrap:anywhere}
th.op{background:#f6f8fa;font-size:.95rem}col.check{width:34%}col.source{width:14%}
col.outcome{width:30%}col.cases{width:22%}
.passed{color:#1a7f37}.failed{color:#cf222e;font-weight:bold}.not-run{color:#9a6700}
.not-offered{color:#0969da}.verdict{font-size:1.2rem;padding:.6rem;border-radius:4px}
.ok{background:#dafbe1}.bad{background:#ffebe9}.counts span{display:inline-block;
margin-right:1rem;font-weight:bold}.failure{border-left:4px solid #cf222e;padding:.2rem .8rem;
margin:1rem 0;background:#fffafa}pre{background:#f6f8fa;padding:.5rem;white-space:pre-wrap;
word-break:break-all;font-size:.8rem;max-height:10rem;overflow:auto}dl{margin:.3rem 0}
dt{font-weight:bold}
dd{margin:0 0 .3rem 1rem;overflow-wrap:anywhere}small{color:#666}
@media (max-width:40rem){body{padding:0 .4rem}table{font-size:.8rem}td,th{padding:.25rem}
col.check{width:38%}col.source{width:20%}col.outcome{width:20%}col.cases{width:22%}}
"""


def _actual(violation: Violation) -> str:
    """What was seen, without repeating the expected text it may start with."""
    expected, actual = violation.expected.strip(), violation.actual.strip()
    if expected and actual.startswith(expected) and len(actual) > len(expected):
        return "…" + actual[len(expected) :]
    return actual


def _field(at_fault: str) -> str:
    """The field a violation is about, without its place (`data/0/created_at` -> `created_at`):
    one missing field seen by several checks, in several answers, is one root cause."""
    _, marker, field = at_fault.rpartition("field ")
    if not marker:
        return at_fault
    names = [part for part in field.split("/") if part and not part.isdigit()]
    return names[-1] if names else field


def _root_causes(result: AuditResult) -> list[tuple[Violation, list[Violation]]]:
    """Violations with one root cause (the same field, code, expectation and finding) grouped."""
    groups: dict[tuple[str, str | None, str, str], list[Violation]] = {}
    for _, outcomes in by_operation(result):
        for outcome in outcomes:
            for violation in outcome.violations:
                key = (
                    _field(violation.at_fault),
                    violation.code,
                    violation.expected,
                    _actual(violation),
                )
                groups.setdefault(key, []).append(violation)
    return [(members[0], members) for members in groups.values()]


def _failure(first: Violation, members: list[Violation], result: AuditResult) -> str:
    e = escape
    places = sorted({f"{v.operation} / {v.check}" for v in members})
    checks = {v.check for v in members}
    blocked = [o.check for o in result.outcomes if o.blocked_by in checks]
    also = (
        f"<small>Blocked (not run, same cause): {e(', '.join(blocked))}</small>" if blocked else ""
    )
    code = f" ({e(first.code)})" if first.code else ""
    repro = f"<pre>{e(to_curl(first.exchange))}</pre>" if first.exchange else ""
    seen = f"{len(members)} times" if len(members) > 1 else "once"
    return (
        f"<section class='failure'><h3>{e(first.title)}{code}</h3>"
        f"<small>Seen {seen}: {e(', '.join(places))}</small><dl>"
        f"<dt>At fault</dt><dd>{e(first.at_fault)}</dd>"
        f"<dt>Expected</dt><dd>{e(first.expected)}</dd>"
        f"<dt>Actual</dt><dd>{e(_actual(first))}</dd></dl>{repro}{also}</section>"
    )


def _failed_without_evidence(outcome: CheckOutcome) -> str:
    e = escape
    reason = f": {e(outcome.reason)}" if outcome.reason else ""
    return (
        f"<section class='failure'><h3>{e(outcome.check)}</h3>"
        f"<small>{e(outcome.operation)}</small><p>failed{reason}</p></section>"
    )


def _settled(result: AuditResult) -> str:
    """`cut short: ` or `could not audit: `, before the reason of a run that did not finish."""
    word = result.final.word
    return "" if word in ("conformant", "violations") else f"{word}: "


def render_html(result: AuditResult) -> str:
    # Its module loads rich, for the terminal; the proxy writes this file without one.
    from videos_contract.audit.reports.words import verdict_line

    e = escape
    verdict = (
        f'<p class="verdict ok">{e(verdict_line(result))}</p>'
        if result.final.exit_code == 0
        else f'<p class="verdict bad">{e(_settled(result))}{e(verdict_line(result))}</p>'
    )
    target = ("the embedded mock at " if result.embedded_mock else "") + result.target
    counts = Counter(o.outcome for o in result.outcomes)
    count_line = "".join(
        f"<span class='{outcome.value.replace(' ', '-')}'>{counts[outcome]} {outcome.value}</span>"
        for outcome in Outcome
    )
    cap = "unlimited" if result.max_creates is None else str(result.max_creates)
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>Audit of {e(target)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>videos-contract audit of {e(target)}</h1>",
        verdict,
        f"<p class='counts'>{count_line}</p>",
        f"<p><small>Profile {e(result.profile)}, seed {result.seed}, started {e(result.started_at)}"
        f", {result.duration:.1f} s, {result.requests} requests. Billed requests: "
        f"{result.billed_accepted} accepted of {result.billed_sent} sent, "
        f"{result.billed_skipped} skipped (cap {cap}).</small></p>",
    ]
    causes = _root_causes(result)
    bare = [o for o in result.outcomes if o.outcome is Outcome.FAILED and not o.violations]
    if causes or bare:
        out.append(f"<h2>Failures ({len(causes) + len(bare)})</h2>")
        out += [_failure(first, members, result) for first, members in causes]
        out += [_failed_without_evidence(o) for o in bare]
    out.append(
        "<h2>All checks</h2><table><colgroup><col class='check'><col class='source'>"
        "<col class='outcome'><col class='cases'></colgroup>"
        "<tr><th>Check</th><th class='source'>Source</th><th>Outcome</th><th>Cases</th></tr>"
    )
    for operation, outcomes in by_operation(result):
        out.append(f"<tr><th class='op' colspan='4'>{e(operation)}</th></tr>")
        for o in outcomes:
            cases = f"{o.passed} passed, {o.failed} failed, {o.skipped} not run"
            reason = f" <small>({e(o.reason)})</small>" if o.reason else ""
            css = o.outcome.value.replace(" ", "-")
            out.append(
                f"<tr><td>{e(o.check)}</td><td class='source'>{e(o.source)}</td>"
                f"<td class='{css}'>{o.outcome.value}{reason}</td><td>{cases}</td></tr>"
            )
    out.append("</table>")
    if result.dismissals:
        out.append(
            "<h2>Dismissed fuzzer findings</h2><p><small>Failures reported by the fuzzer "
            "that a re-check of the bytes sent did not support.</small></p><ul>"
        )
        seen: set[tuple[str, str, str]] = set()
        for d in result.dismissals:
            if (d.operation, d.check, d.reason) not in seen:
                seen.add((d.operation, d.check, d.reason))
                out.append(f"<li>{e(d.operation)} / {e(d.check)}: {e(d.reason)}</li>")
        out.append("</ul>")
    if result.notes:
        out.append(
            "<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in result.notes) + "</ul>"
        )
    out.append("</body></html>\n")
    return "\n".join(out)
