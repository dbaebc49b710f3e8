"""`videos-contract audit`: check that a server keeps the contract; exit 0, 1 or 2.

0: conformant; 1: violations found; 2: the server could not be audited (unreachable, TLS, key
refused, bad arguments, no server named: `--mock` asks for the embedded mock), or not
completely: the audit's deadline cut it short. Every run that got past its arguments writes
the three reports with its verdict and the reason, and a closed stdout changes neither. The
key comes from --key or VIDEOS_API_KEY and is never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from videos_contract.audit import CHECKS, PROFILES, REMOTE_MAX_CREATES
from videos_contract.audit.checks import ALL_MODELS
from videos_contract.audit.marks import EXTRA_REPORTS
from videos_contract.audit.results import AuditResult, Verdict
from videos_contract.audit.verdict import decide
from videos_contract.baseline import BaselineError
from videos_contract.cli import config as settings_file
from videos_contract.cli.common import CliError, PipeSafe, positive
from videos_contract.cli.common import console as make_console
from videos_contract.cli.config import CONFIG_FILE, Settings
from videos_contract.credentials import Secrets
from videos_contract.paths import SPEC_PATH
from videos_contract.protocol import KEY_ENV, URL_ENV
from videos_contract.spec import SpecError, load_spec

# The engine (the embedded mock's server, schemathesis' runner), the reports and rich are
# loaded when an audit runs, not by `--help`.
if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    return positive(text)  # finite too: `nan <= 0` is false


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `audit`, and `config show` which takes the same options."""
    parser = subparsers.add_parser(
        "audit",
        help="audit a server (or, with --mock, the embedded mock) against openapi.yaml",
        description=(
            "Audit a Videos API server against openapi.yaml: behaviour checks plus schemathesis "
            "fuzzing. Exit 0 when conformant, 1 on violations, 2 when it cannot be audited. "
            f"Settings may come from {CONFIG_FILE} (flags override it)."
        ),
    )
    add_options(parser)
    parser.set_defaults(handler=_audit)
    settings_file.register(subparsers, add_options)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The audit's flags; unset ones are None so that the settings file can fill them."""
    settings_file.add_config_option(parser)
    parser.add_argument(
        "--url",
        help=f"server base URL (default: {URL_ENV}, else url in {CONFIG_FILE}; with neither, "
        "the audit is refused unless --mock is given)",
    )
    parser.add_argument(
        "--mock",
        action="store_true",
        help="audit the embedded mock, started on a free loopback port for this run",
    )
    parser.add_argument(
        "--key",
        help=f"API key (default: {KEY_ENV}); never printed; prefer the variable: command "
        "lines are visible to other users",
    )
    parser.add_argument(
        "--profile",
        choices=list(PROFILES),
        default=None,
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
        default=None,
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
        default=None,
        metavar="OPERATION",
        help="an operation (operationId) this server does not offer; its checks are not run",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME",
        help="a model the server offers (repeatable; any name, listed or not): the audit's "
        "creates, the sweep and the fuzzer keep to these, instead of one model per family",
    )
    parser.add_argument(
        "--models",
        choices=[ALL_MODELS],
        help="`all`: sweep every model the spec lists",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        metavar="PATH",
        help="audit against this spec file, e.g. your edited copy (default: the packaged spec)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help=(
            "text: the console report; github: the console report followed by GitHub Actions "
            "annotations (::error, ::warning, ::notice), one per violation (default: text)"
        ),
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="FILE",
        help=(
            "accepted violations: fail only on violations not in FILE, and list entries that "
            "no longer occur"
        ),
    )
    parser.add_argument(
        "--update-baseline",
        type=Path,
        default=None,
        metavar="FILE",
        help="write this run's violations to FILE as the accepted baseline (exit 0)",
    )
    parser.add_argument(
        "--no-fuzz",
        action="store_true",
        help="behaviour checks only; schemathesis is reported not run",
    )
    parser.add_argument(
        "--fuzzer-report",
        action="append",
        choices=list(EXTRA_REPORTS),
        default=[],
        metavar="FORMAT",
        help="also keep schemathesis' own report in schemathesis/ (repeatable: "
        + ", ".join(f"{name}: {file}" for name, file in EXTRA_REPORTS.items())
        + "); its events.ndjson is always kept",
    )


def settings_in(folder: Path) -> Settings:
    """The settings `videos-contract audit` would use, run with no flags in `folder`: its
    settings file (if any), the environment and the defaults. What the pytest plugin's
    `videos_audit` audits with; `CliError` for a bad file."""
    parser = argparse.ArgumentParser(add_help=False)
    add_options(parser)
    args = parser.parse_args([])
    args.config = settings_file.find_config(folder)
    return settings_file.load_settings(args)


def _audit(args: argparse.Namespace) -> int:
    settings = settings_file.load_settings(args)
    if args.mock and args.url is not None:
        raise CliError("--mock and --url name two servers: pass one", exit_code=2)
    url, key = (None, None) if args.mock else (settings.url, settings.key)
    if url is None and not args.mock:
        # Never a green audit of a server nobody named: a misspelt variable must not pass.
        raise CliError(
            f"no server to audit: set {URL_ENV} (or pass --url, or url in {CONFIG_FILE}), "
            "or pass --mock to audit the embedded mock",
            exit_code=2,
        )
    if url is not None and not url.startswith(("http://", "https://")):
        raise CliError(f"--url must start with http:// or https://, got {url!r}", exit_code=2)
    if url is not None and key is None:
        raise CliError(f"a key is needed: pass --key or set {settings.key_env}", exit_code=2)
    spec_path = settings.spec or SPEC_PATH
    try:
        known = {op.operation_id for op in load_spec(spec_path).operations()}
    except (SpecError, KeyError) as exc:
        raise CliError(f"--spec {spec_path}: {exc}", exit_code=2) from None
    for operation in settings.without:
        if operation not in known:
            raise CliError(
                f"--without {operation!r}: not an operation of the spec "
                f"({', '.join(sorted(known))})",
                exit_code=2,
            )
    report_dir = settings.report_dir
    artefacts = report_dir / "schemathesis"
    # Folders this run makes; an audit that fails before writing a report removes them.
    made = [p for p in (artefacts, *artefacts.parents) if not p.exists()]
    try:
        artefacts.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot write reports to {report_dir}: {exc.strerror}", 2) from None
    try:
        return _run(args, settings, url, key, spec_path)
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
        raise


def _run(
    args: argparse.Namespace, settings: Settings, url: str | None, key: str | None, spec_path: Path
) -> int:
    report_dir = settings.report_dir
    from videos_contract.audit import AuditAborted, AuditConfig, ConsoleReporter, run_audit

    config = AuditConfig(
        url=url,
        key=key,
        profile=PROFILES[settings.profile],
        max_creates="auto" if settings.max_creates is None else settings.max_creates,
        rate_limit=settings.rate_limit,
        seed=args.seed,
        artefacts_dir=report_dir / "schemathesis",
        deadline=args.deadline,
        failures_expected=args.expect_failures,
        checks=tuple(args.check) if args.check else None,
        without=settings.without,
        fuzz=not args.no_fuzz,
        fuzzer_reports=tuple(dict.fromkeys(args.fuzzer_report)),
        models=settings.models,
        spec_path=spec_path,
        switched_off=settings.checks_with("off"),
    )
    secrets = [key] if key else []
    redact = Secrets(secrets)
    # A reader that goes away (`audit | head -3`) changes nothing: the audit runs on, writes
    # its reports and exits with its verdict; only the console lines are lost.
    out = PipeSafe(sys.stdout)
    console = make_console(file=cast(TextIO, out))
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        result = run_audit(config, ConsoleReporter(console, redact, embedded_mock=url is None))
    except (AuditAborted, RuntimeError) as exc:
        reason = str(exc) if isinstance(exc, AuditAborted) else f"the audit could not run: {exc}"
        reason = redact(reason)
        unfinished = AuditResult(
            target=url or "",
            profile=config.profile.name,
            seed=config.seed,
            started_at=started_at,
            duration=0.0,
            outcomes=(),
            embedded_mock=url is None,
            ending=Verdict("could not audit", 2, reason),
        )
        _write(unfinished, report_dir, secrets, console)
        raise CliError(reason, exit_code=2) from None
    result = replace(result, embedded_mock=url is None)
    for path in sorted((report_dir / "schemathesis").glob("*")):
        redact.file(path)
    try:
        verdict = _verdict(result, settings, args, console, redact, out)
    except CliError as exc:  # the baseline file: the run is done, its verdict cannot be said
        ending = Verdict("could not audit", exc.exit_code, redact(str(exc)))
        _write(replace(result, ending=ending), report_dir, secrets, console)
        raise
    _write(replace(result, ending=verdict), report_dir, secrets, console)
    if verdict.word == "cut short":
        print(f"videos-contract audit: error: {verdict.reason}", file=sys.stderr)
    return verdict.exit_code


def _write(result: AuditResult, report_dir: Path, secrets: list[str], console: Console) -> None:
    from videos_contract.audit import write_reports

    written = write_reports(result, report_dir, secrets)
    console.print(f"Reports: {', '.join(str(p) for p in written)}")


def _verdict(
    result: AuditResult,
    settings: Settings,
    args: argparse.Namespace,
    console: Console,
    redact: Secrets,
    out: PipeSafe,
) -> Verdict:
    """The verdict after the settings' severities and the baseline have had their say."""
    try:
        decision = decide(
            result,
            warning_checks=settings.checks_with("warning"),
            baseline=settings.baseline,
            update_baseline=args.update_baseline,
        )
    except BaselineError as exc:
        raise CliError(str(exc), exit_code=2) from None
    for line in decision.lines:
        console.print(line, highlight=False)
    if args.format == "github":
        from videos_contract.audit.reports.github import render_github

        print(redact(render_github(result, decision.level)), file=out, flush=True)
    return decision.verdict
