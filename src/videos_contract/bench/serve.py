"""Serve one app on a free loopback port in its own process, for a benchmark to load.

`python -m videos_contract.bench.serve KIND OPTIONS_JSON [SOCKET]` prints the URL on its first
line of stdout once the socket listens, then serves until terminated. Every kind runs under the
same uvicorn settings as `running_mock` and `videos-contract mock` (`mock.server.protected_config`:
the mock's guarded llhttp protocol, whose answers go out in one write, and its bound on the time a
request head may take; the loop uvicorn picks: uvloop where it is installed), without the
access log, so that a ratio between two kinds measures the apps, not the server stack, and the
mock is measured on the stack it ships with.

A `mock` whose options hold `workers` above 1 runs that many worker processes on the socket
(uvicorn's supervisor, as `videos-contract mock --workers` does; they need `store_path`).

SOCKET is `tcp` (default) or `mock`: both are `listening.bind`'s socket now (protocol
`IPPROTO_TCP`, so that asyncio turns Nagle's algorithm off); the two names stay so that the
client-cost benchmark's two rows keep measuring the same thing, which shows the run's noise.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from videos_contract.bench.apps import bare_app, job_app, stream_app
from videos_contract.listening import bind

__all__ = ["build_app", "main", "uvicorn_config"]


def _paths(options: dict[str, Any]) -> dict[str, Any]:
    """JSON options with the `MockConfig` fields that are paths as `Path`s."""
    return {
        name: Path(value) if name in ("store_path", "spec_path") and value else value
        for name, value in options.items()
    }


def build_app(kind: str, options: dict[str, Any]) -> Starlette:
    """`mock` (options are `MockConfig` fields), `bare` (`video`), `stream` (`bytes`) or `job`
    (`video` and `bytes`)."""
    if kind == "mock":
        # Imported here: the mock loads PyAV, Pillow and the spec, which other kinds do not use.
        from videos_contract.mock import MockConfig, create_app

        return create_app(MockConfig(**_paths(options)))
    if kind == "bare":
        return bare_app(options["video"])
    if kind == "stream":
        return stream_app(int(options["bytes"]))
    if kind == "job":
        return job_app(options["video"], int(options["bytes"]))
    raise ValueError(f"unknown app kind {kind!r}")


def uvicorn_config(app: Any, **options: Any) -> uvicorn.Config:
    """The settings of `running_mock`, shared by every served kind."""
    from videos_contract.mock import MockConfig
    from videos_contract.mock.server import protected_config

    quiet = {"log_config": None, "log_level": "warning", "access_log": False}
    return protected_config(app, MockConfig(), **{**quiet, **options})


def _serve_workers(options: dict[str, Any], workers: int) -> int:
    """The mock in `workers` processes sharing one socket and the store file in `options`."""
    from videos_contract.mock import MockConfig
    from videos_contract.mock.config import CONFIG_ENV, config_to_env

    config = MockConfig(**_paths(options))
    os.environ[CONFIG_ENV] = config_to_env(config)
    sock = bind("127.0.0.1", 0)
    sock.listen(2048)
    settings = uvicorn_config(
        "videos_contract.mock.app:app_from_env", factory=True, workers=workers
    )
    host, port = sock.getsockname()[:2]
    # Listening already: connections made before the workers accept wait in the backlog.
    print(f"http://{host}:{port}", flush=True)
    try:
        Multiprocess(settings, sockets=[sock]).run()
    finally:
        sock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    kind, options = args[0], json.loads(args[1]) if len(args) > 1 else {}
    workers = int(options.pop("workers", 1))
    if kind == "mock" and workers > 1:
        return _serve_workers(options, workers)
    app = build_app(kind, options)
    sock = bind("127.0.0.1", 0)
    sock.listen(2048)
    # uvicorn re-raises SIGTERM after its graceful stop; a no-op handler makes it a clean exit.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(uvicorn_config(app))

    def announce() -> None:
        # Only once uvicorn runs (and handles SIGTERM itself): a stop sent any earlier would
        # meet the no-op handler and be lost.
        while not server.started:
            time.sleep(0.005)
        print(f"http://{host}:{port}", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
