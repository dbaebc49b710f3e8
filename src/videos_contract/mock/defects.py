"""Deliberately broken variants of the mock, to prove the audit misses nothing.

Each defect is a named wrapper around the mock's ASGI app (filled in with the audit).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp

__all__ = ["DEFECTS", "apply_defects"]

# name -> one line saying what the broken server does wrong.
DEFECTS: dict[str, str] = {}


def apply_defects(app: ASGIApp, names: Sequence[str]) -> ASGIApp:
    """Wrap `app` so that it misbehaves as each named defect says."""
    unknown = [name for name in names if name not in DEFECTS]
    if unknown:
        raise ValueError(f"unknown defect(s): {', '.join(unknown)}")
    return app
