"""A proxy in front of a mock, both on loopback, and what the proxy printed."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
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
        """(operation, check) of every check with that outcome so far."""
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
