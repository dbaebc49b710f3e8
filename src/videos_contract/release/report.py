"""Writers for the breaking-change diff: text for people, JSON for programs, Markdown for reviews.

Each writer takes the same changes and returns a string; none of them decides an exit code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from videos_contract.release.specdiff import Change, Level, highest_level

if TYPE_CHECKING:
    from videos_contract.release.surface import ClientOpinion

__all__ = ["FORMATS", "render_changes"]

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


# At most this many surface differences are listed in text and Markdown (JSON has them all).
_SURFACE_LINES = 25


def _surface_lines(client: ClientOpinion) -> list[str]:
    shown = [c.describe() + f" [{c.level.label}]" for c in client.surface[:_SURFACE_LINES]]
    if len(client.surface) > _SURFACE_LINES:
        shown.append(f"... and {len(client.surface) - _SURFACE_LINES} more")
    return shown


def render_changes(
    changes: Sequence[Change],
    fmt: str,
    *,
    old: str,
    new: str,
    client: ClientOpinion | None = None,
) -> str:
    """The classified changes between two specs in `fmt` (text, json or markdown).

    With `client` (the generated client's opinion, `videos-contract diff --client`), its
    notes and surface differences follow the changes; its disagreements are among `changes`.
    """
    if fmt == "json":
        level = highest_level(changes)
        document = {
            "old": old,
            "new": new,
            "breaking": level is Level.BREAKING,
            "level": level.label if level else None,
            "changes": [c.as_dict() for c in changes],
        }
        if client is not None:
            document["client"] = client.as_dict()
        return json.dumps(document, indent=2)
    if fmt == "markdown":
        lines = [f"## API changes: `{old}` -> `{new}`", "", f"**Verdict:** {_verdict(changes)}", ""]
        for level in sorted(_TITLES, reverse=True):
            picked = [c for c in changes if c.level is level]
            if picked:
                lines += [f"### {_TITLES[level]}", "", "| Where | Change | Rule |", "|---|---|---|"]
                lines += [f"| `{c.where}` | {c.message} | `{c.rule}` |" for c in picked]
                lines.append("")
        if client is not None:
            lines += ["### Generated client", ""]
            lines += [f"- {note}" for note in client.notes]
            lines += [f"- {line}" for line in _surface_lines(client)]
        return "\n".join(lines).rstrip("\n")
    lines = [f"{old} -> {new}: {_verdict(changes)}"]
    for level in sorted(_TITLES, reverse=True):
        picked = [c for c in changes if c.level is level]
        if picked:
            lines.append(f"{_TITLES[level]}:")
            lines += [f"  {c.where}: {c.message} [{c.rule}]" for c in picked]
    if client is not None:
        lines.append("Generated client (second opinion):")
        lines += [f"  {note}" for note in client.notes]
        lines += [f"  {line}" for line in _surface_lines(client)]
    return "\n".join(lines)
