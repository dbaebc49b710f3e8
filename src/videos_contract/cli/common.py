"""What every command shares: the error type that becomes one readable line, number types,
the exit codes, and the one place that builds rich consoles."""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from typing import IO, TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["CliError", "PipeSafe", "console", "finite", "non_negative", "positive"]

# Output that is no terminal (a pipe, a file, a CI log) is never wrapped: a path split over two
# lines breaks `grep`, copy-paste and the tests that read it. Tables still need a width to lay
# out in; this one is wider than any line we print.
_UNWRAPPED_WIDTH = 100_000


def console(
    *, stderr: bool = False, force_terminal: bool | None = None, file: IO[str] | None = None
) -> Console:
    """A rich console on stdout (or stderr, or `file`): on a terminal it wraps at the
    terminal's width; anywhere else lines are written whole, however long, and tables as wide
    as they need."""
    from rich.console import Console  # the proxy, which imports this module, never loads rich

    stream: IO[str] = file or (sys.stderr if stderr else sys.stdout)
    terminal = force_terminal or (force_terminal is None and _isatty(stream))
    if terminal:
        return Console(file=stream, force_terminal=force_terminal, highlight=False)
    return Console(
        file=stream,
        force_terminal=force_terminal,
        highlight=False,
        soft_wrap=True,
        width=_UNWRAPPED_WIDTH,
    )


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class CliError(Exception):
    """A failure the user can act on; printed as one line, exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


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


class PipeSafe(io.TextIOBase):
    """A text stream that outlives its reader: once the pipe is closed (`| head -3`), writes
    are dropped instead of raising, so that a command can finish its work and its verdict.

    The closed descriptor is pointed at /dev/null, so that the interpreter's last flush has
    nothing to complain about either.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._lose()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._lose()

    def isatty(self) -> bool:
        return not self.gone and _isatty(self._stream)

    def writable(self) -> bool:
        return True

    def _lose(self) -> None:
        self.gone = True
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)
