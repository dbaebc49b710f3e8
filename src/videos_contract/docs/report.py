"""Writers for the docs tools' results: text for people, JSON for programs, Markdown for reviews.

Each writer takes the same results and returns a string; none of them decides an exit code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from videos_contract.docs.drift import Finding
from videos_contract.docs.specdiff import Change, Level, highest_level

__all__ = ["FORMATS", "render_changes", "render_findings"]

FORMATS = ("text", "json", "markdown")

_TITLES = {
    Level.BREAKING: "Breaking changes",
    Level.ADDITIVE: "Non-breaking additions",
    Level.DOCUMENTATION: "Documentation only",
}


def _verdict(changes: Sequence[Change]) -> str:
    level = highest_level(changes)
    if level is None:
        return "no changes"
    counts = ", ".join(
        f"{sum(1 for c in changes if c.level is lvl)} {lvl.label}"
        for lvl in sorted(_TITLES, reverse=True)
        if any(c.level is lvl for c in changes)
    )
    return f"{'BREAKING' if level is Level.BREAKING else 'compatible'} ({counts})"


def render_changes(changes: Sequence[Change], fmt: str, *, old: str, new: str) -> str:
    """The classified changes between two specs in `fmt` (text, json or markdown)."""
    if fmt == "json":
        level = highest_level(changes)
        return json.dumps(
            {
                "old": old,
                "new": new,
                "breaking": level is Level.BREAKING,
                "level": level.label if level else None,
                "changes": [c.as_dict() for c in changes],
            },
            indent=2,
        )
    if fmt == "markdown":
        lines = [f"## API changes: `{old}` -> `{new}`", "", f"**Verdict:** {_verdict(changes)}", ""]
        for level in sorted(_TITLES, reverse=True):
            picked = [c for c in changes if c.level is level]
            if picked:
                lines += [f"### {_TITLES[level]}", "", "| Where | Change | Rule |", "|---|---|---|"]
                lines += [f"| `{c.where}` | {c.message} | `{c.rule}` |" for c in picked]
                lines.append("")
        return "\n".join(lines).rstrip("\n")
    lines = [f"{old} -> {new}: {_verdict(changes)}"]
    for level in sorted(_TITLES, reverse=True):
        picked = [c for c in changes if c.level is level]
        if picked:
            lines.append(f"{_TITLES[level]}:")
            lines += [f"  {c.where}: {c.message} [{c.rule}]" for c in picked]
    return "\n".join(lines)


def render_findings(findings: Sequence[Finding], fmt: str, *, page: str, operation: str) -> str:
    """A docs-check result in `fmt` (text or json)."""
    drift = [f for f in findings if not f.known]
    known = [f for f in findings if f.known]
    if fmt == "json":
        return json.dumps(
            {
                "page": page,
                "operation": operation,
                "differences": [f.as_dict() for f in drift],
                "known_deviations": [f.as_dict() for f in known],
            },
            indent=2,
        )
    lines = [
        f"{page}: {operation}: "
        + (f"{len(drift)} difference(s)" if drift else "page and spec agree")
        + f", {len(known)} known deviation(s)"
    ]
    if drift:
        lines.append("Differences:")
        lines += [f"  {f.field}: {f.aspect}: page says {f.page}; spec says {f.spec}" for f in drift]
    if known:
        lines.append("Known deviations (x-deviation in the spec):")
        for f in known:
            lines.append(f"  {f.field}: {f.aspect}: page says {f.page}; spec says {f.spec}")
            lines.append(f"    known deviation: {f.deviation}")
    return "\n".join(lines)
