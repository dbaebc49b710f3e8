"""Checks of the numbers callers pass in: a NaN or infinite number of seconds is refused.

`nan <= 0` is false and `now + inf` never arrives, so without these a `wait(timeout=nan)` or a
`connect(call_timeout=inf)` would poll or hang for ever instead of failing at once.
"""

from __future__ import annotations

import math

import httpx

__all__ = ["check_seconds", "check_timeout"]


def check_seconds(name: str, value: float | None, *, optional: bool = False) -> None:
    """Raise ValueError unless `value` is a finite number of seconds, 0 or more."""
    if value is None and optional:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"{name} must be a number of seconds, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of seconds, 0 or more, not {value!r}")


def check_timeout(name: str, timeout: httpx.Timeout | None) -> None:
    """Each phase of an httpx.Timeout: None (no limit) or finite seconds."""
    if timeout is None:
        return
    for phase in ("connect", "read", "write", "pool"):
        check_seconds(f"{name}.{phase}", getattr(timeout, phase), optional=True)
