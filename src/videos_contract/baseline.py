"""Baselines: findings a team has accepted, so that only new ones fail a run.

A baseline is a JSON file of entries, each a few strings that name a finding the same way in
every run: for the audit the check, the operation and the field or behaviour at fault; for
`diff` the rule and where it applies. Anything that changes from run to run (job ids, the
port of a mock, a host) is replaced by a placeholder before comparing, so a baseline written
today matches tomorrow's run of the same findings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BASELINE_VERSION",
    "BaselineError",
    "Comparison",
    "Entry",
    "compare",
    "entry",
    "normalise",
    "read_baseline",
    "write_baseline",
]

BASELINE_VERSION = 1

# Entry fields per kind of baseline, in the order they are written.
FIELDS = {"audit": ("check", "operation", "field"), "diff": ("rule", "where")}

_VARYING = (
    (re.compile(r"https?://[^\s/'\"]+"), "{server}"),
    (re.compile(r"\b(?:video|task|job)_[A-Za-z0-9-]+"), "{id}"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "{uuid}"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "{hex}"),
    (re.compile(r"\b\d{9,}\b"), "{number}"),
)

Entry = tuple[str, ...]


class BaselineError(ValueError):
    """A baseline file that cannot be read or is not a baseline of this kind."""


def normalise(text: str) -> str:
    """`text` with run-specific parts (ids, servers, long numbers) replaced by placeholders."""
    for pattern, placeholder in _VARYING:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


def entry(*parts: str) -> Entry:
    return tuple(normalise(part) for part in parts)


@dataclass(frozen=True)
class Comparison:
    """A run's findings against a baseline."""

    new: tuple[Entry, ...]
    known: tuple[Entry, ...]
    gone: tuple[Entry, ...]


def compare(current: Iterable[Entry], baseline: Iterable[Entry]) -> Comparison:
    now, accepted = set(current), set(baseline)
    return Comparison(
        new=tuple(sorted(now - accepted)),
        known=tuple(sorted(now & accepted)),
        gone=tuple(sorted(accepted - now)),
    )


def write_baseline(path: Path, kind: str, entries: Iterable[Entry]) -> int:
    """Write the entries (sorted, without duplicates); the number written."""
    names = FIELDS[kind]
    unique = sorted(set(entries))
    document = {
        "baseline_version": BASELINE_VERSION,
        "kind": kind,
        "entries": [dict(zip(names, item, strict=True)) for item in unique],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror}") from None
    return len(unique)


def read_baseline(path: Path, kind: str) -> set[Entry]:
    """The entries of a baseline file of `kind`; `BaselineError` names what is wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    except ValueError:
        raise BaselineError(f"baseline {path} is not JSON") from None
    if not isinstance(document, Mapping) or document.get("kind") != kind:
        raise BaselineError(f"{path} is not a baseline of kind {kind!r}")
    if document.get("baseline_version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: baseline_version {document.get('baseline_version')!r}, "
            f"expected {BASELINE_VERSION}"
        )
    names = FIELDS[kind]
    entries: set[Entry] = set()
    for item in document.get("entries", []):
        if not isinstance(item, Mapping) or any(
            not isinstance(item.get(name), str) for name in names
        ):
            raise BaselineError(f"{path}: each entry needs the strings {', '.join(names)}")
        entries.add(entry(*(item[name] for name in names)))
    return entries
