"""Writers for the docs-page check: text for people, JSON for programs.

Each writer takes the same findings and returns a string; none of them decides an exit code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from videos_contract.docs.drift import Finding

__all__ = ["FORMATS", "findings_document", "render_findings"]

FORMATS = ("text", "json")


def findings_document(
    findings: Sequence[Finding], *, page: str, operation: str
) -> dict[str, object]:
    """A docs-check result as the JSON writer's document."""
    return {
        "page": page,
        "operation": operation,
        "differences": [f.as_dict() for f in findings if not f.known],
        "known_deviations": [f.as_dict() for f in findings if f.known],
    }


def render_findings(findings: Sequence[Finding], fmt: str, *, page: str, operation: str) -> str:
    """A docs-check result in `fmt` (text or json)."""
    drift = [f for f in findings if not f.known]
    known = [f for f in findings if f.known]
    if fmt == "json":
        return json.dumps(findings_document(findings, page=page, operation=operation), indent=2)
    lines = [
        f"{page}: {operation}: "
        + (f"{len(drift)} difference(s)" if drift else "page and spec agree")
        + f", {len(known)} known deviation(s)"
    ]
    if drift:
        lines.append("Differences:")
        lines += [f"  {f.field}: {f.aspect}: page says {f.page}; spec says {f.spec}" for f in drift]
    if known:
        superseded = any((f.deviation or "").startswith("superseded:") for f in known)
        lines.append(
            "Known deviations (x-deviation in the spec"
            + (", or superseded by a newer page):" if superseded else "):")
        )
        for f in known:
            lines.append(f"  {f.field}: {f.aspect}: page says {f.page}; spec says {f.spec}")
            lines.append(f"    known deviation: {f.deviation}")
    return "\n".join(lines)
