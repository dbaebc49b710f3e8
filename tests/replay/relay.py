"""A recording relay for tests: forwards each request to an upstream and records it with the
cassette `Recorder`, the way `proxy --record` does, so that cassettes come from real traffic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from starlette.types import Message, Receive, Scope, Send

from tests.support.hardening import serving
from videos_contract.cassette import Recorder
from videos_contract.mock import MockConfig

# Hop-by-hop headers, never forwarded (RFC 9110 section 7.6.1), and the host.
_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)


class RecordingRelay:
    """An ASGI app that relays to `upstream` and records every exchange into `recorder`."""

    def __init__(self, upstream: str, recorder: Recorder) -> None:
        self.upstream = upstream
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = scope["query_string"].decode("latin-1")
        target = scope["raw_path"].decode("latin-1") + (f"?{query}" if query else "")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        exchange = self.recorder.begin(scope["method"], target, headers, started=time.monotonic())
        body = bytearray()
        while True:
            message: Message = await receive()
            chunk = message.get("body", b"")
            exchange.request_body(chunk)
            body += chunk
            if not message.get("more_body"):
                break
        forwarded = [(k, v) for k, v in headers if k.lower() not in _HOP]
        async with httpx.AsyncClient(timeout=30) as client:
            request = client.build_request(
                scope["method"], self.upstream + target, headers=forwarded, content=bytes(body)
            )
            response = await client.send(request, stream=True)
            try:
                answer = [(k, v) for k, v in response.headers.multi_items() if k not in _HOP]
                exchange.response(response.status_code, answer, at=time.monotonic())
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status_code,
                        "headers": [(k.encode(), v.encode()) for k, v in answer],
                    }
                )
                async for chunk in response.aiter_raw():
                    exchange.response_body(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
            finally:
                await response.aclose()
                exchange.finish(at=time.monotonic())


@contextmanager
def recording(upstream: str, directory: Path) -> Iterator[str]:
    """A relay to `upstream` recording into `directory`; yields the relay's URL."""
    recorder = Recorder.create(directory, upstream=upstream)
    try:
        with serving(RecordingRelay(upstream, recorder), MockConfig()) as url:
            yield url
    finally:
        recorder.close()
