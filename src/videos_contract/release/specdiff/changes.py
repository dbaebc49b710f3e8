"""What a spec diff reports: each `Change` with its `Level` (which decides the version bump),
the `Direction` that decides a level, and how a change's message shows values."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "Direction", "Level", "brief", "highest_level", "listed", "show"]


class Level(enum.IntEnum):
    """How much a change matters to client users; ordered so that `max()` gives the bump."""

    DOCUMENTATION = 1
    ADDITIVE = 2
    BREAKING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Direction(enum.Enum):
    """Who produces the data a schema describes, which decides narrowing vs widening."""

    REQUEST = "request"  # the client sends it: widening is safe, narrowing breaks
    RESPONSE = "response"  # the client receives it: narrowing is safe, widening breaks
    MODEL = "model"  # a model no operation uses: both ways can break code that builds or reads it


@dataclass(frozen=True, order=True)
class Change:
    """One classified difference between the old and the new spec."""

    level: Level
    rule: str
    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "level": self.level.label,
            "rule": self.rule,
            "where": self.where,
            "message": self.message,
        }


def highest_level(changes: Iterable[Change]) -> Level | None:
    """The level that decides the version bump; None when nothing changed."""
    return max((c.level for c in changes), default=None)


def show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def listed(values: Iterable[Any]) -> str:
    return ", ".join(show(v) for v in values)


def brief(old: Any, new: Any) -> str:
    """How a value changed, in one short line: values only when they are short scalars."""
    if old is None:
        return "added"
    if new is None:
        return "removed"
    scalars = (str, int, float, bool)
    if isinstance(old, scalars) and isinstance(new, scalars):
        text = f"{show(old)} -> {show(new)}"
        if len(text) <= 80 and "\n" not in text:
            return text
    return "changed"
