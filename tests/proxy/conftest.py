"""A proxy in front of a mock, both on loopback, and what the proxy printed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from videos_contract.mock import MockServer
from videos_contract.proxy import ProxyConfig, ProxyLimits, RecordingSink, running_proxy
from videos_contract.proxy.server import RunningProxy


@dataclass
class Proxied:
    """A running proxy, the lines it printed, and where its reports go."""

    proxy: RunningProxy
    report_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.proxy.url

    def checks(self, outcome: str = "failed") -> set[tuple[str, str]]:
        """(operation, check) of every check with that outcome, once every exchange so far is
        judged (an asset is decoded after its answer went out, so a client may be done first)."""
        assert self.proxy.run.app.wait_idle(60), "the proxy's checks did not end"
        result = self.proxy.run.findings.result()
        return {(o.operation, o.check) for o in result.outcomes if o.outcome.value == outcome}


ProxyFactory = Callable[..., Proxied]


@pytest.fixture
def proxy_for(tmp_path: Path) -> Iterator[ProxyFactory]:
    """`proxy_for(upstream_url, recorder=None, **limits)`: a proxy for the test."""
    with ExitStack() as stack:

        def start(upstream: str, recorder: RecordingSink | None = None, **limits: Any) -> Proxied:
            lines: list[str] = []
            config = ProxyConfig(
                upstream=upstream, report_dir=tmp_path / "reports", limits=ProxyLimits(**limits)
            )
            running = stack.enter_context(
                running_proxy(config, on_line=lines.append, recorder=recorder)
            )
            return Proxied(running, tmp_path / "reports", lines)

        yield start


@pytest.fixture
def proxied(mock_server: MockServer, proxy_for: ProxyFactory) -> Proxied:
    """The proxy in front of the test's mock."""
    return proxy_for(mock_server.url)


def files_holding(text: str, folder: Path) -> list[str]:
    """Every file under `folder` that contains `text` (grep, as a user would check)."""
    found = subprocess.run(
        ["grep", "-rl", "--", text, str(folder)], capture_output=True, text=True, check=False
    )
    return found.stdout.splitlines()


COMMAND = str(Path(sys.executable).parent / "videos-contract")


@contextmanager
def cli_proxy(upstream: str, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [COMMAND, "proxy", "--upstream", upstream, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in banner, banner + (
            proc.stderr.read() if proc.stderr else ""
        )
        url = banner.split("listening on ", 1)[1].split(",", 1)[0]
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
