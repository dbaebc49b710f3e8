"""What every command shares: the error type that becomes one readable line, number types."""

from __future__ import annotations

import argparse
import math

__all__ = ["CliError", "finite", "non_negative", "positive"]


class CliError(Exception):
    """A failure the user can act on; printed as one line, exits with `exit_code`.

    `lines=True` marks a message laid out on several lines by us (a YAML parser's report
    with its excerpt): its line feeds are printed as line breaks, every other control
    character is still made visible.
    """

    def __init__(self, message: str, exit_code: int = 1, *, lines: bool = False) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.lines = lines


def finite(text: str) -> float:
    """A number option: `nan`, `inf` and `-inf` are refused (`nan <= 0` is false)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number: {text!r}")
    return value


def positive(text: str) -> float:
    value = finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


def non_negative(text: str) -> float:
    value = finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value
