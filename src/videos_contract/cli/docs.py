"""`videos-contract` subcommands of the docs group (not written yet)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this group's subcommands; none yet."""
