"""The relay every audit request goes through on its way to the server under audit.

The fuzzer and the behaviour checks talk to this local relay, never to the server directly,
so that one place enforces what must hold for all of them:

* the key: callers send a placeholder; only the relay swaps in the real key, so the key never
  reaches the fuzzer's reports, cassettes or the checks' reproductions, and any echo of the key
  in a response is blanked before a caller can record it;
* the create budget: a billed request is sent only after reserving a slot (see `gate`), and a
  refused one is answered locally with a marked 429, which the engine reports as skipped;
* the rate limit, and waiting out a server's `429 Retry-After` instead of reporting it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass

import httpx
from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex

__all__ = [
    "BUDGET_MARK",
    "PLACEHOLDER_KEY",
    "UPSTREAM_ENCODING_HEADER",
    "UPSTREAM_ERROR_MARK",
    "UPSTREAM_LENGTH_HEADER",
    "AuditRelay",
    "RelayStats",
]

# What callers put in `Authorization: Bearer ...`; not a secret, never sent upstream.
PLACEHOLDER_KEY = "sk-audit-placeholder"
# Marks an answer the relay made itself, so that the engine never mistakes it for the server's.
BUDGET_MARK = "x-videos-contract-skipped"
UPSTREAM_ERROR_MARK = "x-videos-contract-upstream-error"
# The server's own Content-Length and Content-Encoding, before the relay rewrote them.
UPSTREAM_LENGTH_HEADER = "x-videos-contract-upstream-content-length"
UPSTREAM_ENCODING_HEADER = "x-videos-contract-upstream-content-encoding"
MASK = "***"

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)
_MAX_RATE_LIMIT_RETRIES = 5
_MAX_RETRY_AFTER = 120.0
_DEFAULT_RETRY_AFTER = 1.0


@dataclass
class RelayStats:
    """Counters the engine reads after the run."""

    requests: int = 0
    rate_limited_waits: int = 0
    upstream_errors: int = 0


def _retry_after(response: httpx.Response) -> float:
    raw = response.headers.get("retry-after", "")
    try:
        return min(max(float(raw), 0.0), _MAX_RETRY_AFTER)
    except ValueError:
        return _DEFAULT_RETRY_AFTER


class AuditRelay:
    """ASGI app forwarding each request to `upstream`, gated as the module says."""

    def __init__(
        self,
        upstream: str,
        key: str,
        index: OperationIndex,
        budget: CreateBudget,
        bucket: TokenBucket,
        *,
        timeout: float = 60.0,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._key = key
        self._index = index
        self.budget = budget
        self._bucket = bucket
        self._timeout = timeout
        self.stats = RelayStats()
        self._stats_lock = threading.Lock()
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await self._read_body(receive)
        method: str = scope["method"]
        path: str = scope["path"]
        billed = self._index.is_billed(method, path)
        if billed and not self.budget.reserve():
            await self._answer(
                send,
                429,
                "The audit's --max-creates budget is spent; this request was not sent.",
                BUDGET_MARK,
                "max-creates",
            )
            return
        status: int | None = None
        try:
            try:
                response = await self._forward(scope, method, body)
            except httpx.HTTPError as exc:
                with self._stats_lock:
                    self.stats.upstream_errors += 1
                reason = self._scrub(f"{type(exc).__name__}: {exc}".encode()).decode()
                await self._answer(send, 502, reason, UPSTREAM_ERROR_MARK, type(exc).__name__)
                return
            status = response.status_code
            await self._relay_response(send, method, response)
        finally:
            if billed:
                self.budget.settle(status)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _read_body(receive: Receive) -> bytes:
        chunks: list[bytes] = []
        more = True
        while more:
            message: Message = await receive()
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        return b"".join(chunks)

    def _headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        headers: list[tuple[bytes, bytes]] = []
        for name, value in scope["headers"]:
            lower = name.lower()
            # httpx sets an Accept-Encoding it can decode; the caller's might not be.
            if lower.decode("latin-1") in _HOP_BY_HOP or lower == b"accept-encoding":
                continue
            if lower == b"authorization" and value == f"Bearer {PLACEHOLDER_KEY}".encode():
                value = f"Bearer {self._key}".encode()
            headers.append((name, value))
        return headers

    async def _forward(self, scope: Scope, method: str, body: bytes) -> httpx.Response:
        assert self._client is not None, "the relay serves only between startup and shutdown"
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url = self.upstream + raw_path.decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = self._headers(scope)
        for attempt in range(_MAX_RATE_LIMIT_RETRIES + 1):
            wait = self._bucket.reserve()
            if wait:
                await asyncio.sleep(wait)
            with self._stats_lock:
                self.stats.requests += 1
            request = self._client.build_request(method, url, headers=headers, content=body)
            response = await self._client.send(request, stream=True)
            try:
                await response.aread()
            finally:
                await response.aclose()
            if response.status_code != 429 or attempt == _MAX_RATE_LIMIT_RETRIES:
                return response
            with self._stats_lock:
                self.stats.rate_limited_waits += 1
            await asyncio.sleep(_retry_after(response))
        raise AssertionError("unreachable")  # pragma: no cover

    def _scrub(self, data: bytes) -> bytes:
        if self._key and self._key.encode() in data:
            return data.replace(self._key.encode(), MASK.encode())
        return data

    async def _relay_response(self, send: Send, method: str, response: httpx.Response) -> None:
        # `aread` decoded any content-encoding, so the body goes out decoded and its length is
        # recomputed (scrubbing may change it too); a HEAD answer keeps the server's length.
        raw = self._scrub(response.content)
        recompute = method != "HEAD"
        headers = [
            (name, self._scrub(value))
            for name, value in response.headers.raw
            if name.lower().decode("latin-1") not in _HOP_BY_HOP
            and name.lower() != b"content-encoding"
            and not (recompute and name.lower() == b"content-length")
        ]
        if recompute:
            headers.append((b"content-length", str(len(raw)).encode()))
            for name, value in response.headers.raw:
                if name.lower() in (b"content-length", b"content-encoding"):
                    mark = (
                        UPSTREAM_LENGTH_HEADER
                        if name.lower() == b"content-length"
                        else (UPSTREAM_ENCODING_HEADER)
                    )
                    headers.append((mark.encode(), value))
        start: Message = {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": headers,
        }
        await send(start)
        await send({"type": "http.response.body", "body": raw})

    @staticmethod
    async def _answer(send: Send, status: int, message: str, mark: str, value: str) -> None:
        body = json.dumps(
            {"error": {"message": message, "type": "audit_relay", "param": None, "code": value}}
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (mark.encode(), value.encode()),
            (b"retry-after", b"0"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
