"""What the engine announces while it runs; the console follows these, the files read the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from videos_contract.audit.results import AuditResult, CheckOutcome

__all__ = [
    "AuditEvent",
    "AuditFinished",
    "AuditStarted",
    "BehaviourCheckFinished",
    "FuzzingFinished",
    "FuzzingStarted",
    "Listener",
]


@dataclass(frozen=True)
class AuditStarted:
    target: str
    profile: str
    max_creates: int | None


@dataclass(frozen=True)
class BehaviourCheckFinished:
    outcome: CheckOutcome


@dataclass(frozen=True)
class FuzzingStarted:
    phases: tuple[str, ...]


@dataclass(frozen=True)
class FuzzingFinished:
    outcomes: int
    dismissed: int


@dataclass(frozen=True)
class AuditFinished:
    result: AuditResult


AuditEvent = (
    AuditStarted | BehaviourCheckFinished | FuzzingStarted | FuzzingFinished | AuditFinished
)
Listener = Callable[[AuditEvent], None]
