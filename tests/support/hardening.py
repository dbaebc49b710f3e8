"""Helpers of the hardening tests: the mock as a subprocess (as users start it), any ASGI app
on a real socket, and a wrapper that counts what the server saw and answered."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from videos_contract.listening import bind
from videos_contract.mock import MockConfig
from videos_contract.mock.server import protected_config

KEY = "sk-gateway-hardening0secret"
CLI = [sys.executable, "-m", "videos_contract"]


@dataclass
class CliMock:
    """`videos-contract mock` running in a subprocess; `output` collects its stdout+stderr."""

    process: subprocess.Popen[str]
    url: str
    banner: list[str]
    output: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def client(self, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {KEY}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0, **kwargs)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        """Send `sig` and wait for the exit status (every log line is then in `output`)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.close()
        return code

    def kill_all(self) -> None:
        """`kill -9` of the mock and of every worker it started (its process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.close()

    def close(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_cli_mock(*args: str, key: str = KEY) -> CliMock:
    """Start the mock command on a free port and wait for its banner."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "VIDEOS_MOCK_KEYS": key}
    process = subprocess.Popen(
        [*CLI, "mock", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, so that kill_all reaches the workers
    )
    assert process.stdout is not None
    banner = [process.stdout.readline()]
    while banner[-1] and not banner[-1].startswith("Stop with"):
        banner.append(process.stdout.readline())
    match = re.search(r"listening on (http://\S+)", banner[0])
    if match is None:
        process.kill()
        rest = process.communicate()[0]
        raise AssertionError("the mock did not start: " + "".join(banner) + rest)
    mock = CliMock(process, match.group(1), banner)
    stream = process.stdout

    def read() -> None:
        for line in stream:
            mock.output.append(line)

    mock._reader = threading.Thread(target=read, daemon=True)
    mock._reader.start()
    return mock


def wait_until_serving(url: str, timeout: float = 30.0) -> None:
    """Poll until the server answers (workers start after the banner)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{url}/v1/videos", timeout=2.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Counting:
    """ASGI wrapper counting requests by (method, path) and answers by status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: Counter[tuple[str, str]] = Counter()
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self._lock:
            self.requests[(scope["method"], scope["path"])] += 1

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                with self._lock:
                    self.statuses[int(message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counted)


@contextmanager
def serving(app: ASGIApp, config: MockConfig) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port, with the mock's protective settings."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(
        protected_config(app, config, log_config=None, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    host, port = sock.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
