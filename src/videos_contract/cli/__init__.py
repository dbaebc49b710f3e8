"""The `videos-contract` command line: parses arguments and calls the library, nothing more.

Each command group lives in its own module with a `register(subparsers)` function that adds
its subcommands; a subcommand's handler takes the parsed arguments and returns the exit code.
Errors the user can act on are raised as `CliError` and printed as one line, never as a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from videos_contract import __version__
from videos_contract.cli import audit, docs, mock, videos
from videos_contract.cli.common import CliError
from videos_contract.terminal import printable

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]

_GROUPS = (mock, videos, audit, docs)


class _Parser(argparse.ArgumentParser):
    """A bad argument prints one line naming the command, not the whole usage block.

    Subparsers are made of the top-level parser's class, so every command gets this.
    """

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="videos-contract",
        description=(
            "Contract toolkit for the AIHubMix Videos API: a mock server, a conformance audit, "
            "video commands and docs tools, all derived from openapi.yaml."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in _GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except CliError as exc:
        # Error messages quote servers (an error's code, message, param, a body): one sanitiser.
        print(f"videos-contract {args.command}: error: {printable(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"videos-contract {args.command}: interrupted", file=sys.stderr)
        return 130
