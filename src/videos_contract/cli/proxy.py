"""`videos-contract proxy`: the validating reverse proxy, in the foreground."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from videos_contract.cli.common import CliError, positive

# The defaults `--help` shows; the server, the relay and the cassette load when a proxy runs.
from videos_contract.proxy import DEFAULT_REPORT_DIR, ProxyLimits
from videos_contract.spec import SpecError
from videos_contract.terminal import printable

__all__ = ["register"]

_MIB = 1024 * 1024


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `proxy`."""
    parser = subparsers.add_parser(
        "proxy",
        help="check real traffic: a reverse proxy that validates every exchange",
        description=(
            "Forward every request to --upstream as the client sent it (the client's key "
            "included, never written anywhere) and check request and answer against "
            "openapi.yaml on the way through: status, headers, media types, JSON bodies, and "
            "that a downloaded MP4 has its job's size and length. Each violation is printed "
            "as it happens; on Ctrl-C or SIGTERM the audit's reports (summary.json, "
            "junit.xml, report.html) are written. Exit 0: no violation seen; 1: violations."
        ),
    )
    parser.add_argument("--upstream", required=True, metavar="URL", help="the server to forward to")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8001, help="port; 0 picks a free one (default: 8001)"
    )
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="DIR",
        help="record every exchange as a cassette in DIR (docs/cassettes.md), for mock --replay",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        metavar="DIR",
        help=f"where the reports go on exit (default: {DEFAULT_REPORT_DIR})",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        metavar="PATH",
        help="check against this spec file (default: the packaged spec)",
    )
    parser.add_argument(
        "--timeout",
        type=positive,
        default=ProxyLimits.request_timeout,
        metavar="S",
        help="seconds an answer that is not media may take, whole "
        f"(default {ProxyLimits.request_timeout:g})",
    )
    parser.add_argument(
        "--max-spool-mb",
        type=positive,
        default=ProxyLimits.max_spool / _MIB,
        metavar="MIB",
        help="largest asset copied to disk to be decoded; larger ones pass unchecked "
        f"(default {ProxyLimits.max_spool / _MIB:g})",
    )
    parser.set_defaults(handler=_run)


def _print(line: str) -> None:
    print(line, flush=True)


def _run(args: argparse.Namespace) -> int:
    # The proxy decodes the media it passes on: PyAV and Pillow load before it serves (as
    # they did when every command loaded them), not in the middle of the first download.
    import av  # noqa: F401
    import PIL.Image  # noqa: F401

    from videos_contract.audit.reports.words import verdict_line
    from videos_contract.cassette import CassetteError
    from videos_contract.proxy import ProxyConfig, ProxyRun, serve_proxy, shown_url

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, got {args.port}", exit_code=2)
    try:
        limits = ProxyLimits(
            max_spool=int(args.max_spool_mb * _MIB), request_timeout=float(args.timeout)
        )
        config = ProxyConfig(
            upstream=args.upstream,
            report_dir=args.report_dir,
            record_dir=args.record,
            spec_path=args.spec,
            limits=limits,
        )
        run = ProxyRun(config, on_line=_print)
    except ValueError as exc:
        raise CliError(str(exc), exit_code=2) from None
    except SpecError as exc:
        raise CliError(f"--spec {args.spec}: {exc}", exit_code=2) from None
    except (CassetteError, OSError) as exc:
        raise CliError(f"--record {args.record}: {exc}", exit_code=2) from None

    listening = False

    def ready(url: str) -> None:
        nonlocal listening
        listening = True
        upstream = printable(shown_url(args.upstream))
        _print(f"Validating proxy listening on {url}, forwarding to {upstream}")
        if args.record is not None:
            _print(f"Recording a cassette in {printable(str(args.record))}")
        _print("Violations are printed as they happen. Stop with Ctrl-C to write the reports.")

    try:
        result = serve_proxy(run, args.host, args.port, on_ready=ready)
    except OSError as exc:
        reason = exc.strerror or exc
        if listening:
            raise CliError(f"cannot write the reports to {args.report_dir}: {reason}") from None
        raise CliError(f"cannot listen on {args.host}:{args.port}: {reason}", exit_code=2) from None
    notes = len(result.notes)
    _print(
        f"{result.requests} request(s) seen; {verdict_line(result)}"
        + (f" {notes} note(s) in the reports." if notes else "")
    )
    if config.report_dir is not None:
        _print(f"Reports written to {printable(str(config.report_dir))}")
    sys.stdout.flush()
    return result.exit_code
