"""Run the validating proxy: in the foreground until Ctrl-C or SIGTERM (`serve_proxy`), or in
a background thread for tests (`running_proxy`). Either way the reports are written when it
stops, and the cassette (with `record_dir`) is closed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from videos_contract.audit.reports import write_reports
from videos_contract.audit.results import AuditResult
from videos_contract.cassette import Recorder
from videos_contract.listening import base_url, bind, served_in_thread
from videos_contract.proxy.app import RecordingSink, ValidatingProxy
from videos_contract.proxy.checks import TrafficChecker
from videos_contract.proxy.findings import Findings
from videos_contract.proxy.limits import DEFAULT_REPORT_DIR, ProxyLimits
from videos_contract.relay.rules import GRACEFUL_SECONDS
from videos_contract.spec import load_spec

__all__ = [
    "DEFAULT_REPORT_DIR",
    "ProxyConfig",
    "ProxyRun",
    "RunningProxy",
    "bind",
    "running_proxy",
    "serve_proxy",
    "shown_url",
]

_START_TIMEOUT = 15.0
# How long the reports wait for exchanges still being checked (an asset being decoded).
_IDLE_TIMEOUT = 120.0


@dataclass(frozen=True)
class ProxyConfig:
    """What one proxy run is: where it forwards, what it writes."""

    upstream: str
    report_dir: Path | None = DEFAULT_REPORT_DIR
    record_dir: Path | None = None
    spec_path: Path | None = None
    limits: ProxyLimits = field(default_factory=ProxyLimits)

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--upstream must be an http(s) URL, got {self.upstream!r}")
        if parts.query or parts.fragment:
            raise ValueError("--upstream takes no query or fragment")


class ProxyRun:
    """The app of one run and what it found; `finish` writes the reports and the cassette."""

    def __init__(
        self,
        config: ProxyConfig,
        on_line: Callable[[str], None] | None = None,
        recorder: RecordingSink | None = None,
    ) -> None:
        self.config = config
        upstream = config.upstream.rstrip("/")
        # What reports and reproductions show: no user or password of the URL.
        shown = shown_url(upstream)
        self.findings = Findings(shown, on_line)
        password = urlsplit(upstream).password
        if password:
            self.findings.secrets.add(password)
        self.checker = TrafficChecker(load_spec(config.spec_path), self.findings, shown)
        if recorder is None and config.record_dir is not None:
            recorder = Recorder.create(config.record_dir, upstream=upstream)
        self.recorder = recorder
        self.app = ValidatingProxy(upstream, self.checker, limits=config.limits, recorder=recorder)
        self._finished: AuditResult | None = None
        self._lock = threading.Lock()

    def finish(self) -> AuditResult:
        """Close the cassette and write the reports (once); the result."""
        with self._lock:
            if self._finished is not None:
                return self._finished
            self.app.wait_idle(_IDLE_TIMEOUT)
            if self.recorder is not None:
                self.recorder.close()
            result = self.findings.result()
            if self.config.report_dir is not None:
                write_reports(
                    result, self.config.report_dir, secrets=self.findings.secrets.values()
                )
            self._finished = result
            return result


def shown_url(url: str) -> str:
    """`url` without the user and password it may carry (what reports and lines show)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def serve_proxy(
    run: ProxyRun,
    host: str = "127.0.0.1",
    port: int = 8001,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> AuditResult:
    """Serve in the foreground until Ctrl-C or SIGTERM; then write the reports.

    The server stops accepting, lets exchanges in flight finish for up to
    `GRACEFUL_SECONDS`, and returns; the signal ends nothing else, so the reports are always
    written.
    """
    sock = bind(host, port)
    try:
        from videos_contract.relay.front import RelayServer  # uvicorn: to serve, not for --help

        url = base_url(sock)
        started = None if on_ready is None else (lambda: on_ready(url))
        RelayServer(run.app, on_started=started).run([sock])
    finally:
        sock.close()
    return run.finish()


@dataclass(frozen=True)
class RunningProxy:
    """A proxy served in a background thread: its URL and its run."""

    url: str
    run: ProxyRun


@contextmanager
def running_proxy(
    config: ProxyConfig,
    *,
    on_line: Callable[[str], None] | None = None,
    recorder: RecordingSink | None = None,
) -> Iterator[RunningProxy]:
    """The proxy on a free 127.0.0.1 port for the `with` block; reports written at its end."""
    from videos_contract.relay.front import RelayServer

    run = ProxyRun(config, on_line, recorder)
    started = False
    try:
        with served_in_thread(
            RelayServer(run.app),
            bind("127.0.0.1", 0),
            name="the proxy",
            stop_timeout=_START_TIMEOUT + GRACEFUL_SECONDS,
        ) as url:
            started = True
            yield RunningProxy(url, run)
    finally:
        # Once the server has stopped (exchanges in flight finished): the reports.
        if started:
            run.finish()
