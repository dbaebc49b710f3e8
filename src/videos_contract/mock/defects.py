"""Deliberately broken variants of the mock, to prove the audit misses nothing.

(Filled in with the audit: each defect is a named wrapper around the mock's ASGI app.)
"""

from __future__ import annotations

__all__ = ["DEFECTS"]

DEFECTS: dict[str, str] = {}
