"""The `videos-contract` command line: parses arguments and calls the library, nothing more.

Each command group lives in its own module with a `register(subparsers)` function that adds
its subcommands; a subcommand's handler takes the parsed arguments and returns the exit code.
Errors the user can act on are raised as `CliError` and printed as one line, never as a
traceback.

A group whose extra is not installed (`videos_contract.extras`) is not imported: its commands
are still listed, and each says in one line which extra to install (exit code 2).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn

from videos_contract import POSIX_ONLY, extras
from videos_contract.cli.common import CliError, HelpFormatter, exit_codes_epilog
from videos_contract.terminal import printable

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]

# The command groups, each a module of this package with `register(subparsers)`.
_GROUPS = ("mock", "videos", "audit", "proxy", "docs")
# Commands whose group is all a run of them loads: the proxy runs for hours beside the
# user's tests, and its memory should be its own, not the audit's and the mock's.
_ALONE = {"proxy": "proxy", "diff": "docs"}
# The groups that need an extra, and the commands each adds (listed here so that they can be
# named without importing the group); the other groups need only the base install.
_EXTRA_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mock": ("mock", ("mock",)),
    "audit": ("audit", ("audit", "config")),
    "proxy": ("proxy", ("proxy",)),
}


class _Parser(argparse.ArgumentParser):
    """A bad argument prints one line naming the command, not the whole usage block.

    Subparsers are made of the top-level parser's class, so every command gets this.
    """

    def format_help(self) -> str:
        # A command may put the start of its epilogue off until its help is shown: the
        # `help_epilog` default, a function (create's per-model values).
        make = self.get_default("help_epilog")
        if callable(make):
            self.set_defaults(help_epilog=None)
            self.epilog = "\n\n".join(filter(None, [make(), self.epilog]))
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(SystemExit):
    """A bad argument: exit code 2, and the message for `--json`'s error document."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message


class _Version(argparse.Action):
    """`--version`: the package's version, read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from videos_contract import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; for a `command` of `_ALONE`, only its group."""
    parser = _Parser(
        prog="videos-contract",
        description=(
            "Contract toolkit for the AIHubMix Videos API: a mock server, a conformance audit, "
            "video commands and docs tools, all derived from openapi.yaml."
        ),
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    alone = _ALONE.get(command or "")
    for name in (alone,) if alone else _GROUPS:
        extra, listed = _EXTRA_GROUPS.get(name, ("", ()))
        if extra and extras.missing(extra):
            for each in listed:
                _needs_extra(subparsers, each, extra)
        else:
            importlib.import_module(f"{__name__}.{name}").register(subparsers)
    _with_exit_codes(parser)
    return parser


def _needs_extra(subparsers: Any, command: str, extra: str) -> None:
    """`command`, whose extra is not installed: any arguments, `--help` too, get the line
    naming the extra."""
    parser = subparsers.add_parser(
        command,
        help=f"(needs the {extra!r} extra: {extras.install_line(extra)})",
        add_help=False,
    )
    parser.add_argument("words", nargs=argparse.REMAINDER)

    def refuse(args: argparse.Namespace) -> int:
        raise CliError(extras.needs(extra, extras.missing(extra)), exit_code=2)

    parser.set_defaults(handler=refuse)


def _needed_extra(command: str) -> str | None:
    """The extra `command` needs when it is not installed, else None."""
    for extra, listed in _EXTRA_GROUPS.values():
        if command in listed and extras.missing(extra):
            return extra
    return None


def _with_exit_codes(parser: argparse.ArgumentParser) -> None:
    """Every command's `--help` ends with the one exit-code table (`common.EXIT_CODES`)."""
    parser.formatter_class = HelpFormatter
    parser.epilog = "\n\n".join(filter(None, [parser.epilog, exit_codes_epilog()]))
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                _with_exit_codes(sub)


def main(argv: Sequence[str] | None = None) -> int:
    if os.name != "posix":
        print(f"videos-contract: error: {POSIX_ONLY}", file=sys.stderr)
        return 2
    words = list(sys.argv[1:] if argv is None else argv)
    extra = _needed_extra(words[0]) if words else None
    if extra:  # before parsing: its options are unknown, `--help` included
        message = extras.needs(extra, extras.missing(extra))
        print(f"videos-contract {words[0]}: error: {message}", file=sys.stderr)
        if "--json" in words:  # scripts get their one document, as for a bad argument
            error = {"message": f"videos-contract {words[0]}: {message}", "exit_code": 2}
            print(json.dumps({"error": error}, indent=2, sort_keys=True))
        return 2
    parser = build_parser(words[0] if words else None)
    try:
        args = parser.parse_args(words)
    except _UsageError as exc:
        if "--json" in words:  # scripts get their one document, even for a bad argument
            error = {"message": exc.message, "exit_code": 2}
            print(json.dumps({"error": error}, indent=2, sort_keys=True))
        raise
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        with _signals_interrupt():
            return handler(args)
    except BrokenPipeError:
        # The reader went away (`list | head -1`): stop quietly, as a shell tool does, and
        # keep the interpreter's last flush of stdout from reporting the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141
    except extras.MissingExtra as exc:  # a package of an extra, asked for by a base command
        print(f"videos-contract {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        # Error messages quote servers (an error's code, message, param, a body): one sanitiser.
        text = printable(exc, keep_newlines=exc.lines)
        print(f"videos-contract {args.command}: error: {text}", file=sys.stderr)
        return exc.exit_code
    except Terminated as exc:
        name = signal.Signals(exc.signum).name
        print(f"videos-contract {args.command}: interrupted ({name})", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print(f"videos-contract {args.command}: interrupted", file=sys.stderr)
        return 130


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal): handled as Ctrl-C is, unwinding every `finally`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise `Terminated` (only the main thread can
    install handlers; elsewhere the defaults stay)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous: dict[int, object] = {}
    try:
        for signum in wanted:
            previous[signum] = signal.signal(signum, interrupt)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
