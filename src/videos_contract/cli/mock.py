"""`videos-contract mock`: run the reference mock server in the foreground."""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from videos_contract.cli.common import CliError, finite, non_negative, positive
from videos_contract.credentials import mask_key, masked_url
from videos_contract.mock import DEFAULT_KEY, MockConfig
from videos_contract.mock.config import is_postgres_url
from videos_contract.mock.defects import DEFECTS
from videos_contract.mock.store import StoreUnavailable
from videos_contract.spec import SpecError, load_spec

__all__ = ["KEYS_ENV", "mock_config", "register"]

# Keys can come from the environment so that they stay off command lines (visible in `ps`).
KEYS_ENV = "VIDEOS_MOCK_KEYS"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `mock`."""
    parser = subparsers.add_parser(
        "mock",
        help="run the stateful mock of the Videos API",
        description=(
            "Serve every operation of openapi.yaml with real validation, jobs that render over "
            f"time and real MP4/WebP/JPEG assets. Keys: --key, else ${KEYS_ENV} "
            f"(comma-separated), else {DEFAULT_KEY}. A prompt containing [fail] makes its job "
            "fail."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port; 0 picks a free one (default: 8000)"
    )
    parser.add_argument(
        "--key", action="append", dest="keys", metavar="KEY", help="accepted key (repeatable)"
    )
    parser.add_argument(
        "--render-seconds",
        type=non_negative,
        default=5.0,
        help="time from queued to done (default 5)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for ids, failures and faults, to repeat a run (default: a new one each "
        "start, shown in the banner)",
    )
    parser.add_argument(
        "--fail-rate", type=finite, default=0.0, help="share of jobs that fail (0..1)"
    )
    parser.add_argument(
        "--fault-rate", type=finite, default=0.0, help="share of requests answered 500/503 (0..1)"
    )
    parser.add_argument(
        "--rate-limit", type=int, default=None, metavar="N", help="requests per second per key"
    )
    parser.add_argument(
        "--max-body-mb",
        type=positive,
        default=50.0,
        help="largest request body in MiB (default 50)",
    )
    parser.add_argument(
        "--store",
        default=None,
        metavar="PATH|URL",
        help="keep jobs in this SQLite file (kept across restarts; shared by --workers), or in "
        "the PostgreSQL database postgresql://USER@HOST/DB shared by mocks on several hosts "
        "(password: in the URL, or $PGPASSWORD); default: `store` in videos-contract.toml, "
        "else in memory",
    )
    parser.add_argument(
        "--store-connections",
        type=int,
        default=10,
        metavar="N",
        help="with a PostgreSQL store: connections per process; more requests wait for one "
        "(default 10)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; more than 1 needs --store (default: 1)",
    )
    parser.add_argument(
        "--asset-ttl-seconds",
        type=positive,
        default=24 * 3600.0,
        help="time from completion to expires_at (default 86400)",
    )
    parser.add_argument(
        "--prune-after-seconds",
        type=non_negative,
        default=3600.0,
        help="how long an expired or failed job stays retrievable before removal (default 3600)",
    )
    parser.add_argument(
        "--max-parts", type=int, default=64, help="most parts in a multipart body (default 64)"
    )
    parser.add_argument(
        "--max-header-kb",
        type=positive,
        default=64.0,
        help="largest request head (request line and headers) in KiB (default 64)",
    )
    parser.add_argument(
        "--body-timeout",
        type=positive,
        default=30.0,
        metavar="S",
        help="seconds a client has to send a whole request body (default 30)",
    )
    parser.add_argument(
        "--drop-rate",
        type=finite,
        default=0.0,
        help="share of answers cut off mid-body (0..1)",
    )
    parser.add_argument(
        "--slow-rate",
        type=finite,
        default=0.0,
        help="share of answers held back --slow-seconds (0..1)",
    )
    parser.add_argument(
        "--slow-seconds", type=non_negative, default=0.0, help="delay of a slow answer (seconds)"
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        metavar="PATH",
        help="serve this spec file, e.g. your edited copy (default: the packaged spec)",
    )
    parser.add_argument(
        "--defect",
        action="append",
        dest="defects",
        metavar="NAME",
        help="misbehave on purpose, to test an audit (repeatable): "
        + (", ".join(sorted(DEFECTS)) or "none defined"),
    )
    parser.add_argument(
        "--replay",
        type=Path,
        default=None,
        metavar="DIR",
        help="serve the jobs recorded in this cassette (proxy --record DIR) first: the same "
        "ids, statuses and bytes; other requests get the mock's normal answers",
    )
    parser.add_argument(
        "--speed",
        type=positive,
        default=None,
        metavar="X",
        help="with --replay: replay X times faster than recorded (default 1)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="with --replay: refuse any request the cassette does not hold (code not_recorded)",
    )
    parser.add_argument(
        "--accept-unlisted-models",
        action="store_true",
        help="serve a model the spec does not list with the generic rules, for a model "
        "released after the contract (default: refused with 400, param model)",
    )
    parser.add_argument(
        "--default-model",
        metavar="MODEL",
        default=None,
        help="the model a create without `model` takes, for clients written against the "
        "older pages (default: none, such a create is refused with 400, param model)",
    )
    parser.set_defaults(handler=_run)


def _store_from_settings() -> str | None:
    """The settings file's `store` (a file or a PostgreSQL URL, `${NAME}` expanded), if any:
    every host of a shared mock can run the same command in the same checkout."""
    from videos_contract.cli.config import find_config, read_config

    path = find_config(Path.cwd())
    store = read_config(path).values.get("store") if path is not None else None
    return str(store) if store else None


def _keys(args: argparse.Namespace) -> tuple[str, ...]:
    if args.keys:
        return tuple(args.keys)
    from_env = [key.strip() for key in os.environ.get(KEYS_ENV, "").split(",") if key.strip()]
    return tuple(from_env) or (DEFAULT_KEY,)


def mock_config(args: argparse.Namespace) -> MockConfig:
    """The mock's configuration from parsed arguments; `CliError` when they do not fit."""
    unknown = [name for name in args.defects or () if name not in DEFECTS]
    if unknown:
        known = ", ".join(sorted(DEFECTS)) or "none"
        raise CliError(f"unknown defect(s) {', '.join(unknown)}; known: {known}", exit_code=2)
    try:
        return MockConfig(
            keys=_keys(args),
            render_seconds=args.render_seconds,
            seed=secrets.randbelow(2**31) if args.seed is None else args.seed,
            fail_rate=args.fail_rate,
            fault_rate=args.fault_rate,
            rate_limit=args.rate_limit,
            max_body_bytes=max(1, int(args.max_body_mb * 1024 * 1024)),
            defects=tuple(args.defects or ()),
            store_path=None
            if args.store is None or is_postgres_url(args.store)
            else Path(args.store),
            store_url=args.store
            if args.store is not None and is_postgres_url(args.store)
            else None,
            store_pool_size=args.store_connections,
            asset_ttl_seconds=args.asset_ttl_seconds,
            prune_after_seconds=args.prune_after_seconds,
            max_parts=args.max_parts,
            max_header_bytes=int(args.max_header_kb * 1024),
            body_timeout_seconds=args.body_timeout,
            drop_rate=args.drop_rate,
            slow_rate=args.slow_rate,
            slow_seconds=args.slow_seconds,
            spec_path=args.spec,
            replay_path=args.replay,
            replay_speed=1.0 if args.speed is None else args.speed,
            replay_strict=args.strict,
            accept_unlisted_models=args.accept_unlisted_models,
            default_model=args.default_model,
        )
    except ValueError as exc:
        raise CliError(str(exc), exit_code=2) from None


def _run(args: argparse.Namespace) -> int:
    # The server (uvicorn, Starlette, PyAV) and the cassette reader are loaded to serve, not
    # for `--help`.
    from videos_contract.cassette import CassetteError
    from videos_contract.mock import serve

    if args.store is None:
        args.store = _store_from_settings()
    config = mock_config(args)
    if args.spec is not None:
        try:
            load_spec(args.spec).operation("createVideo")
        except SpecError as exc:
            raise CliError(f"--spec {args.spec}: {exc}", exit_code=2) from None
    if args.replay is None and (args.speed is not None or args.strict):
        raise CliError("--speed and --strict only apply with --replay DIR", exit_code=2)
    if args.replay is not None and args.workers > 1:
        raise CliError("--replay serves from one process: leave out --workers", exit_code=2)
    if args.workers < 1:
        raise CliError(f"--workers must be at least 1, got {args.workers}", exit_code=2)
    if args.workers > 1 and args.store is None:
        raise CliError("--workers above 1 needs --store PATH (a shared job store)", exit_code=2)

    def ready(url: str) -> None:
        # Only the documented default key is shown whole: other keys are secrets.
        shown = [key if key == DEFAULT_KEY else mask_key(key) for key in config.keys]
        print(f"Mock Videos API listening on {url}", flush=True)
        print(f"Accepted key(s): {', '.join(shown)}", flush=True)
        print(f"Seed: {config.seed} (repeat this run with --seed {config.seed})", flush=True)
        if config.store_path is not None:
            print(f"Jobs kept in {config.store_path} ({args.workers} worker(s))", flush=True)
        if config.store_url is not None:
            print(
                f"Jobs kept in {masked_url(config.store_url)} ({args.workers} worker(s), "
                f"{config.store_pool_size} connection(s) each)",
                flush=True,
            )
        if config.replay_path is not None:
            mode = ", strict" if config.replay_strict else ""
            print(
                f"Replaying {config.replay_path} at {config.replay_speed:g}x speed{mode}",
                flush=True,
            )
        print("Stop with Ctrl-C.", flush=True)

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, got {args.port}", exit_code=2)
    try:
        serve(config, args.host, args.port, workers=args.workers, on_ready=ready)
    except CassetteError as exc:
        raise CliError(str(exc), exit_code=2) from None
    except sqlite3.Error as exc:
        raise CliError(f"cannot use the job store {args.store}: {exc}", exit_code=2) from None
    except StoreUnavailable as exc:
        raise CliError(
            f"cannot use the job store {masked_url(args.store)}: {exc}", exit_code=2
        ) from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise CliError(f"cannot listen on {args.host}:{args.port}: {reason}", exit_code=2) from None
    return 0
