"""`videos-contract audit`: check that a server keeps the contract; exit 0, 1 or 2.

0: conformant; 1: violations found; 2: the server could not be audited (unreachable, TLS, key
refused, bad arguments), or not completely: the audit's deadline cut it short (the reports are
still written, with the checks that ran). The key comes from --key or VIDEOS_API_KEY and is
never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from videos_contract.audit import (
    CHECKS,
    PROFILES,
    REMOTE_MAX_CREATES,
    AuditAborted,
    AuditConfig,
    ConsoleReporter,
    Redactor,
    run_audit,
    write_reports,
)
from videos_contract.audit.checks import ALL_MODELS
from videos_contract.audit.deadline import DEADLINE_NOTE
from videos_contract.cli.common import CliError
from videos_contract.protocol import KEY_ENV, URL_ENV
from videos_contract.spec import load_spec

__all__ = ["register"]


def _env(name: str) -> str | None:
    """An environment variable, with an empty value read as unset (as `make audit` passes)."""
    value = os.environ.get(name, "").strip()
    return value or None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `audit`."""
    parser = subparsers.add_parser(
        "audit",
        help="audit a server (default: the embedded mock) against openapi.yaml",
        description=(
            "Audit a Videos API server against openapi.yaml: behaviour checks plus schemathesis "
            "fuzzing. Exit 0 when conformant, 1 on violations, 2 when it cannot be audited."
        ),
    )
    parser.add_argument(
        "--url", help=f"server base URL (default: {URL_ENV}, else the embedded mock)"
    )
    parser.add_argument(
        "--key",
        help=f"API key (default: {KEY_ENV}); never printed; prefer the variable: command "
        "lines are visible to other users",
    )
    parser.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="standard",
        help="; ".join(f"{p.name}: {p.description}" for p in PROFILES.values())
        + " (default: standard)",
    )
    parser.add_argument(
        "--max-creates",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help=(
            "most billed jobs the server may accept during the audit; 0 sends no request to a "
            f"billed operation (default: unlimited on loopback, {REMOTE_MAX_CREATES} elsewhere)"
        ),
    )
    parser.add_argument(
        "--rate-limit",
        type=_positive_float,
        default=None,
        metavar="R",
        help="at most R requests per second (a server's 429 is always waited out)",
    )
    parser.add_argument(
        "--deadline",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="stop the whole audit after this long, reports still written (default: "
        + ", ".join(f"{p.name} {p.deadline:g} s" for p in PROFILES.values())
        + "; each check also stops after "
        + ", ".join(f"{p.check_deadline:g} s" for p in PROFILES.values())
        + ")",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where summary.json, junit.xml, report.html and schemathesis/ go (default: reports)",
    )
    parser.add_argument(
        "--seed", type=_non_negative_int, default=0, metavar="N", help="fuzzer seed (default: 0)"
    )
    parser.add_argument(
        "--expect-failures",
        action="store_true",
        help=(
            "valid jobs may end `failed` on this server; checks that need a completed job are "
            "then not run instead of failed (default: a failed valid job is a violation)"
        ),
    )
    parser.add_argument(
        "--check",
        action="append",
        choices=list(CHECKS),
        metavar="NAME",
        help="run only this behaviour check (repeatable); the others are reported not run",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="OPERATION",
        help="an operation (operationId) this server does not offer; its checks are not run",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="sweep this model's lengths and sizes (repeatable; any name, listed or not) "
        "instead of one model per family",
    )
    parser.add_argument(
        "--models",
        choices=[ALL_MODELS],
        help="`all`: sweep every model the spec lists",
    )
    parser.add_argument(
        "--no-fuzz",
        action="store_true",
        help="behaviour checks only; schemathesis is reported not run",
    )
    parser.set_defaults(handler=_audit)


def _audit(args: argparse.Namespace) -> int:
    url = args.url or _env(URL_ENV)
    key = args.key or _env(KEY_ENV)
    if url is not None and not url.startswith(("http://", "https://")):
        raise CliError(f"--url must start with http:// or https://, got {url!r}", exit_code=2)
    if url is not None and key is None:
        raise CliError(f"a key is needed: pass --key or set {KEY_ENV}", exit_code=2)
    known = {op.operation_id for op in load_spec().operations()}
    for operation in args.without:
        if operation not in known:
            raise CliError(
                f"--without {operation!r}: not an operation of the spec "
                f"({', '.join(sorted(known))})",
                exit_code=2,
            )
    artefacts = args.report_dir / "schemathesis"
    # Folders this run makes; an audit that fails before writing a report removes them.
    made = [p for p in (artefacts, *artefacts.parents) if not p.exists()]
    try:
        artefacts.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot write reports to {args.report_dir}: {exc.strerror}", 2) from None
    try:
        return _run(args, url, key)
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
        raise


def _run(args: argparse.Namespace, url: str | None, key: str | None) -> int:
    config = AuditConfig(
        url=url,
        key=key,
        profile=PROFILES[args.profile],
        max_creates="auto" if args.max_creates is None else args.max_creates,
        rate_limit=args.rate_limit,
        seed=args.seed,
        artefacts_dir=args.report_dir / "schemathesis",
        deadline=args.deadline,
        failures_expected=args.expect_failures,
        checks=tuple(args.check) if args.check else None,
        without=tuple(args.without),
        fuzz=not args.no_fuzz,
        models=(ALL_MODELS,) if args.models else tuple(args.model),
    )
    redact = Redactor([key] if key else [])
    console = Console(file=sys.stdout, highlight=False)
    try:
        result = run_audit(config, ConsoleReporter(console, redact))
    except AuditAborted as exc:
        raise CliError(redact(str(exc)), exit_code=2) from None
    except RuntimeError as exc:
        raise CliError(redact(f"the audit could not run: {exc}"), exit_code=2) from None
    for path in sorted((args.report_dir / "schemathesis").glob("*")):
        redact.file(path)
    written = write_reports(result, args.report_dir, [key] if key else [])
    console.print(f"Reports: {', '.join(str(p) for p in written)}", highlight=False)
    if result.exit_code == 0 and any(note.startswith(DEADLINE_NOTE) for note in result.notes):
        print(
            "videos-contract audit: error: the audit's deadline cut it short; the reports "
            "hold the checks that ran",
            file=sys.stderr,
        )
        return 2
    return result.exit_code
