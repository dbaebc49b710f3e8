"""The relay every audit request goes through on its way to the server under audit.

The fuzzer and the behaviour checks talk to this local relay, never to the server directly,
so that one place enforces what must hold for all of them:

* the key: callers send a placeholder; only the relay swaps in the real key, so the key never
  reaches the fuzzer's reports, cassettes or the checks' reproductions, and any echo of the key
  in a response is blanked before a caller can record it;
* the create budget: a billed request is sent only after reserving a slot (see `gate`), and a
  refused one is answered locally with a marked 429, which the engine reports as skipped;
* the rate limit, and waiting out a server's `429 Retry-After` instead of reporting it;
* bounds on what a server can make the audit hold or wait for. Upstream requests ask for
  `Accept-Encoding: identity`, and an answer in another `Content-Encoding` is refused unread
  (nothing is ever inflated); a body is read raw up to `max_body` bytes (`max_media` for
  video and image answers), and refused past it; each request has `request_timeout` seconds
  for its whole answer, and none runs past the audit's `deadline`. A refused answer is
  replaced by a marked 502 (`REFUSED_MARK`: the server broke a rule, the checks report it), a
  failed one by a marked 502 (`UPSTREAM_ERROR_MARK`) naming what failed: `cannot-reach` (the
  connection could not be opened), `no-answer` (connected, no answer), `closed` (the server
  closed without answering), `too-slow` (the answer did not arrive in time) or `deadline`
  (the audit's own deadline cut the request);
* redirects of GET requests (as gateways redirect content to storage or a CDN): up to
  `MAX_REDIRECTS` are followed, `Authorization` is sent only to the audited server's own
  origin, and each redirect followed is recorded in `stats.redirects`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex

__all__ = [
    "BUDGET_MARK",
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_MEDIA",
    "DEFAULT_REQUEST_TIMEOUT",
    "MAX_REDIRECTS",
    "PLACEHOLDER_KEY",
    "REFUSED_MARK",
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
# Marks an answer the relay refused to pass on (its value says why); its body says what came.
REFUSED_MARK = "x-videos-contract-refused"
# The server's own Content-Length and Content-Encoding, before the relay rewrote them.
UPSTREAM_LENGTH_HEADER = "x-videos-contract-upstream-content-length"
UPSTREAM_ENCODING_HEADER = "x-videos-contract-upstream-content-encoding"
MASK = "***"
# A JSON answer (a Video, a list page, an error) is a few kB; 8 MiB is far above any real one.
DEFAULT_MAX_BODY = 8 * 1024 * 1024
# Media answers are held in memory for the checks that decode them: a real clip is tens of MB.
DEFAULT_MAX_MEDIA = 128 * 1024 * 1024
# The whole answer of one request, headers and body; a trickling server is cut off here.
DEFAULT_REQUEST_TIMEOUT = 120.0
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MEDIA_PREFIXES = ("video/", "image/", "application/octet-stream")

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
    # "GET /path -> http://other/path" for each redirect followed.
    redirects: list[str] = field(default_factory=list)


class _Failed(Exception):
    """The upstream request failed; `kind` is one of the `UPSTREAM_ERROR_MARK` values."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Refused(Exception):
    """The answer breaks a bound the audit keeps; `kind` names it, the message says how."""

    def __init__(self, kind: str, message: str, status: int | None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


@dataclass
class _Answer:
    """An upstream answer read within bounds: what the relay passes on."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _retry_after(headers: list[tuple[bytes, bytes]]) -> float:
    raw = next((v for k, v in headers if k.lower() == b"retry-after"), b"").decode("latin-1")
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
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_body: int = DEFAULT_MAX_BODY,
        max_media: int = DEFAULT_MAX_MEDIA,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._key = key
        self._index = index
        self.budget = budget
        self._bucket = bucket
        self._timeout = timeout
        self.request_timeout = request_timeout
        self.max_body = max_body
        self.max_media = max_media
        # A `time.monotonic()` moment no request may run past (the audit's deadline), or None.
        self.deadline: float | None = None
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
        # The slot is settled as soon as the server's status is known, before the caller sees
        # any answer: a caller that sends its next billed request the moment it has read this
        # one must find the budget already up to date.
        unsettled = billed

        def settle(status: int | None) -> None:
            nonlocal unsettled
            if unsettled:
                unsettled = False
                self.budget.settle(status)

        try:
            try:
                answer = await self._forward(scope, method, body)
            except _Failed as exc:
                settle(None)
                with self._stats_lock:
                    self.stats.upstream_errors += 1
                reason = self._scrub(str(exc).encode()).decode()
                await self._answer(send, 502, reason, UPSTREAM_ERROR_MARK, exc.kind)
                return
            except _Refused as exc:
                settle(exc.status)  # the server did answer (a billed request was accepted)
                reason = self._scrub(str(exc).encode()).decode()
                await self._answer(send, 502, reason, REFUSED_MARK, exc.kind, refused=True)
                return
            settle(answer.status)
            await self._relay_response(send, method, answer)
        finally:
            settle(None)  # cancelled before the server answered: the slot goes back

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._client = httpx.AsyncClient(
                    timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 10.0)),
                    follow_redirects=False,
                )
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
            # Identity only, whatever the caller accepts: nothing is ever decoded here.
            if lower.decode("latin-1") in _HOP_BY_HOP or lower == b"accept-encoding":
                continue
            if lower == b"authorization" and value == f"Bearer {PLACEHOLDER_KEY}".encode():
                value = f"Bearer {self._key}".encode()
            headers.append((name, value))
        headers.append((b"accept-encoding", b"identity"))
        return headers

    async def _forward(self, scope: Scope, method: str, body: bytes) -> _Answer:
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
            answer = await self._bounded(request)
            if answer.status != 429 or attempt == _MAX_RATE_LIMIT_RETRIES:
                return answer
            with self._stats_lock:
                self.stats.rate_limited_waits += 1
            await asyncio.sleep(_retry_after(answer.headers))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _bounded(self, request: httpx.Request) -> _Answer:
        """Send `request` (following redirects) and read its answer within every bound."""
        now = time.monotonic()
        limit = now + self.request_timeout
        by_deadline = self.deadline is not None and self.deadline < limit
        if self.deadline is not None:
            limit = min(limit, self.deadline)
        what = f"{request.method} {request.url.path}"
        progress: dict[str, Any] = {"stage": "no-answer", "bytes": 0, "status": None}
        try:
            async with asyncio.timeout(max(0.0, limit - now)):
                return await self._send(request, progress)
        except (TimeoutError, httpx.TimeoutException) as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                message = f"{what}: cannot reach the server (connect timeout)"
                raise _Failed("cannot-reach", message) from None
            seconds = time.monotonic() - now
            if by_deadline and isinstance(exc, TimeoutError):
                raise _Failed(
                    "deadline", f"{what}: cut off by the audit's deadline after {seconds:.1f} s"
                ) from None
            if progress["stage"] == "no-answer":
                raise _Refused(
                    "no-answer",
                    f"{what}: no answer: the server accepted the connection but sent nothing "
                    f"back within {seconds:.0f} s",
                    None,
                ) from None
            raise _Refused(
                "too-slow",
                f"{what}: answer too slow: only {progress['bytes']} bytes of the body "
                f"within {seconds:.0f} s",
                progress["status"],
            ) from None
        except httpx.ConnectError as exc:
            raise _Failed("cannot-reach", f"{what}: cannot reach the server: {exc}") from None
        except httpx.RemoteProtocolError as exc:
            raise _Failed("closed", f"{what}: the server closed the connection: {exc}") from None
        except httpx.HTTPError as exc:
            raise _Failed(type(exc).__name__, f"{what}: {type(exc).__name__}: {exc}") from None

    async def _send(self, request: httpx.Request, progress: dict[str, Any]) -> _Answer:
        assert self._client is not None
        origin = request.url.copy_with(path="/", query=None, fragment=None)
        for hop in range(MAX_REDIRECTS + 1):
            response = await self._client.send(request, stream=True)
            progress["stage"] = "body"
            progress["status"] = response.status_code
            try:
                location = response.headers.get("location")
                if (
                    request.method == "GET"
                    and response.status_code in _REDIRECTS
                    and location
                    and hop < MAX_REDIRECTS
                ):
                    request = self._redirected(request, location, origin)
                    continue
                body = await self._read(request, response, progress)
                return _Answer(response.status_code, list(response.headers.raw), body)
            finally:
                await response.aclose()
        raise AssertionError("unreachable")  # pragma: no cover

    def _redirected(
        self, request: httpx.Request, location: str, origin: httpx.URL
    ) -> httpx.Request:
        """The next hop; the key goes only to the audited server's own origin."""
        target = request.url.join(location)
        if target.scheme not in ("http", "https"):
            raise _Refused("redirect", f"redirect to a {target.scheme!r} URL", None)
        same = target.copy_with(path="/", query=None, fragment=None) == origin
        headers = [
            (name, value)
            for name, value in request.headers.raw
            if name.lower() not in (b"host", b"content-length", b"content-type")
            and (same or name.lower() != b"authorization")
        ]
        shown = f"{target.scheme}://{target.netloc.decode('ascii')}{target.path}"
        with self._stats_lock:
            self.stats.redirects.append(f"GET {request.url.path} -> {shown}")
        return httpx.Request("GET", target, headers=headers, extensions=request.extensions)

    async def _read(
        self, request: httpx.Request, response: httpx.Response, progress: dict[str, Any]
    ) -> bytes:
        """The raw body, never decoded, within the cap of its kind."""
        what = f"{request.method} {request.url.path}"
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding not in ("", "identity"):
            raise _Refused(
                "content-encoding",
                f"{what}: the answer came in Content-Encoding {encoding!r} although the request "
                "accepted only identity; not decoded",
                response.status_code,
            )
        ctype = response.headers.get("content-type", "").lower()
        limit = self.max_media if ctype.startswith(_MEDIA_PREFIXES) else self.max_body
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(
                "too-large",
                f"{what}: the answer declares {declared} bytes, more than the audit reads "
                f"({limit} bytes for {ctype or 'an untyped answer'})",
                response.status_code,
            )
        chunks: list[bytes] = []
        async for chunk in response.aiter_raw():
            progress["bytes"] += len(chunk)
            if progress["bytes"] > limit:
                raise _Refused(
                    "too-large",
                    f"{what}: the answer passed {limit} bytes ({ctype or 'untyped'}) and was "
                    "still coming; cut off",
                    response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _scrub(self, data: bytes) -> bytes:
        if self._key and self._key.encode() in data:
            return data.replace(self._key.encode(), MASK.encode())
        return data

    async def _relay_response(self, send: Send, method: str, answer: _Answer) -> None:
        # The body goes out as read (identity) with its length recomputed, since scrubbing may
        # change it; a HEAD answer keeps the server's length.
        raw = self._scrub(answer.body)
        recompute = method != "HEAD"
        headers = [
            (name, self._scrub(value))
            for name, value in answer.headers
            if name.lower().decode("latin-1") not in _HOP_BY_HOP
            and name.lower() != b"content-encoding"
            and not (recompute and name.lower() == b"content-length")
        ]
        if recompute:
            headers.append((b"content-length", str(len(raw)).encode()))
            for name, value in answer.headers:
                if name.lower() in (b"content-length", b"content-encoding"):
                    mark = (
                        UPSTREAM_LENGTH_HEADER
                        if name.lower() == b"content-length"
                        else (UPSTREAM_ENCODING_HEADER)
                    )
                    headers.append((mark.encode(), value))
        start: Message = {
            "type": "http.response.start",
            "status": answer.status,
            "headers": headers,
        }
        await send(start)
        await send({"type": "http.response.body", "body": raw})

    @staticmethod
    async def _answer(
        send: Send, status: int, message: str, mark: str, value: str, *, refused: bool = False
    ) -> None:
        body = json.dumps(
            {"error": {"message": message, "type": "audit_relay", "param": None, "code": value}}
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (mark.encode(), value.encode()),
            (b"retry-after", b"0"),
        ]
        if refused:
            # The fuzzer skips it like an upstream failure; the behaviour checks report it.
            headers.append((UPSTREAM_ERROR_MARK.encode(), value.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
