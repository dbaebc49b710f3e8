"""report.html: one self-contained page (no scripts, no external files) for people."""

from __future__ import annotations

from html import escape

from videos_contract.audit.curl import to_curl
from videos_contract.audit.reports.console import verdict_line
from videos_contract.audit.reports.grouping import by_operation
from videos_contract.audit.results import AuditResult

__all__ = ["render_html"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;text-align:left;
border-bottom:1px solid #eee;vertical-align:top}.passed{color:#1a7f37}.failed{color:#cf222e;
font-weight:bold}.not-run{color:#9a6700}.not-offered{color:#0969da}.verdict{font-size:1.2rem;padding:.6rem;border-radius:4px}
.ok{background:#dafbe1}.bad{background:#ffebe9}pre{background:#f6f8fa;padding:.5rem;
white-space:pre-wrap;word-break:break-all;font-size:.8rem}dl{margin:.3rem 0}dt{font-weight:bold}
dd{margin:0 0 .3rem 1rem}small{color:#666}
"""


def render_html(result: AuditResult) -> str:
    e = escape
    verdict = (
        f'<p class="verdict ok">{e(verdict_line(result))}</p>'
        if result.conformant
        else f'<p class="verdict bad">{len(result.violations)} violation(s) shown; '
        "the server breaks the contract.</p>"
    )
    cap = "unlimited" if result.max_creates is None else str(result.max_creates)
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Audit of {e(result.target)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>videos-contract audit of {e(result.target)}</h1>",
        verdict,
        f"<p><small>Profile {e(result.profile)}, seed {result.seed}, started {e(result.started_at)}"
        f", {result.duration:.1f} s, {result.requests} requests. Billed requests: "
        f"{result.billed_accepted} accepted of {result.billed_sent} sent, "
        f"{result.billed_skipped} skipped (cap {cap}).</small></p>",
    ]
    for operation, outcomes in by_operation(result):
        out.append(
            f"<h2>{e(operation)}</h2><table><tr><th>Check</th><th>Source</th>"
            "<th>Outcome</th><th>Cases</th></tr>"
        )
        for o in outcomes:
            cases = f"{o.passed} passed, {o.failed} failed, {o.skipped} not run"
            reason = f" <small>({e(o.reason)})</small>" if o.reason else ""
            css = o.outcome.value.replace(" ", "-")
            out.append(
                f"<tr><td>{e(o.check)}</td><td>{e(o.source)}</td>"
                f"<td class='{css}'>{o.outcome.value}{reason}</td><td>{cases}</td></tr>"
            )
            for v in o.violations:
                repro = f"<pre>{e(to_curl(v.exchange))}</pre>" if v.exchange else ""
                out.append(
                    "<tr><td colspan='4'><dl>"
                    f"<dt>{e(v.title)}{' (' + e(v.code) + ')' if v.code else ''}</dt>"
                    f"<dd>At fault: {e(v.at_fault)}</dd><dd>Expected: {e(v.expected)}</dd>"
                    f"<dd>Actual: {e(v.actual)}</dd></dl>{repro}</td></tr>"
                )
        out.append("</table>")
    if result.dismissals:
        out.append(
            "<h2>Dismissed fuzzer findings</h2><p><small>Failures reported by the fuzzer "
            "that a re-check of the bytes sent did not support.</small></p><ul>"
        )
        out += [
            f"<li>{e(d.operation)} / {e(d.check)}: {e(d.reason)}</li>" for d in result.dismissals
        ]
        out.append("</ul>")
    if result.notes:
        out.append(
            "<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in result.notes) + "</ul>"
        )
    out.append("</body></html>\n")
    return "\n".join(out)
