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

__all__ = [
    "EXIT_CODES",
    "CliError",
    "HelpFormatter",
    "PipeSafe",
    "console",
    "exit_codes_epilog",
    "finite",
    "non_negative",
    "positive",
]

# The one exit-code table of every command: `--help` epilogues, README.md ("Exit codes") and
# the tests read it from here.
EXIT_CODES: tuple[tuple[str, str], ...] = (
    (
        "0",
        "done as asked (audit: conformant; docs-check: page and spec agree; diff: nothing breaks)",
    ),
    (
        "1",
        "the server or the verdict said no: an error answer, a failed job, a server that "
        "cannot be reached or answers too slowly; audit: violations; docs-check: differences; "
        "diff: a breaking change; proxy: a violation seen",
    ),
    (
        "2",
        "you asked for something impossible: a bad argument, value, file or URL, a missing "
        "key, a value the spec or the model refuses (refused before sending), a command whose "
        "extra is not installed; audit: also a "
        "server it could not audit (unreachable, key refused, cut short), its reports saying "
        "why; docs-check: also a source it could not fetch or read (DNS, timeout, 404, too "
        "big, unsafe redirect, not the kind expected), unless another differs",
    ),
    ("130", "interrupted: Ctrl-C (143: SIGTERM, 129: SIGHUP)"),
    (
        "141",
        "the reader of stdout went away (`| head`); audit instead runs on, writes its reports "
        "and exits with its verdict",
    ),
)


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


def exit_codes_epilog() -> str:
    """The exit-code table as a `--help` epilogue, laid out for 80 columns."""
    import textwrap

    lines = ["exit codes:"]
    for code, meaning in EXIT_CODES:
        lines += textwrap.wrap(
            meaning, width=78, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7
        )
    return "\n".join(lines)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that text laid out on several lines (the exit codes, the
    model families) keeps its lines; one-line descriptions are wrapped as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


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
