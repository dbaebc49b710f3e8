"""The relay every audit request goes through on its way to the server under audit.

The fuzzer and the behaviour checks talk to this local relay, never to the server directly,
so that one place enforces what must hold for all of them. It is an ASGI app on the relay
core (`videos_contract.relay`: served by its front, `audit.serving`, and forwarding with its
upstream client, one per origin), like the validating proxy; what is here is the audit's
policy:

* the key: callers send a placeholder; only the relay swaps in the real key, so the key never
  reaches the fuzzer's reports, cassettes or the checks' reproductions, and any echo of the key
  in a response is blanked before a caller can record it;
* the create budget: a billed request is sent only after reserving a slot (see `gate`), and a
  refused one is answered locally with a marked 429, which the engine reports as skipped;
* the rate limit, and waiting out a server's `429 Retry-After` instead of reporting it;
* bounds on what a server can make the audit hold or wait for. Upstream requests ask for
  `Accept-Encoding: identity`, and an answer in another `Content-Encoding` is refused unread
  (nothing is ever inflated); a JSON (or other) body is read raw up to `max_body` bytes and
  refused past it; a media answer (video, image, octet-stream) is never held: it streams
  through chunk by chunk, counted against `max_media`, and is cut off past it (the caller
  sees the connection break and asks the relay why, see `OUTCOME_HEADER`); each request has
  `request_timeout` seconds
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
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.answers import DEFAULT_MAX_BODY, DEFAULT_REQUEST_TIMEOUT, MEDIA_PREFIXES
from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.marks import (
    BUDGET_MARK,
    PLACEHOLDER_KEY,
    REFUSED_MARK,
    UPSTREAM_ENCODING_HEADER,
    UPSTREAM_ERROR_MARK,
    UPSTREAM_LENGTH_HEADER,
)
from videos_contract.audit.operations import OperationIndex
from videos_contract.credentials import Secrets, StreamScrubber
from videos_contract.http_rules import error_bytes, hop_by_hop, retry_after_seconds
from videos_contract.relay.upstream import Answer, Upstream, UpstreamError

__all__ = [
    "BUDGET_MARK",
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_MEDIA",
    "DEFAULT_REQUEST_TIMEOUT",
    "MAX_REDIRECTS",
    "MEDIA_PREFIXES",
    "OUTCOME_HEADER",
    "PLACEHOLDER_KEY",
    "REFUSED_MARK",
    "REQUEST_ID_HEADER",
    "UPSTREAM_ENCODING_HEADER",
    "UPSTREAM_ERROR_MARK",
    "UPSTREAM_LENGTH_HEADER",
    "AuditRelay",
    "RelayStats",
]

# Media answers stream through (never held): the cap bounds disk and time, a real clip is tens
# of MB.
DEFAULT_MAX_MEDIA = 128 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# A caller's id for its request (not sent upstream); after a streamed answer broke off, a
# request carrying `OUTCOME_HEADER: <id>` is answered by the relay itself with what happened,
# marked like any answer the relay makes (`REFUSED_MARK` or `UPSTREAM_ERROR_MARK`).
REQUEST_ID_HEADER = "x-videos-contract-request-id"
OUTCOME_HEADER = "x-videos-contract-outcome"
_MAX_OUTCOMES = 64

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


class _Cut(Exception):
    """A streamed answer broke off after its headers went out; the connection is dropped
    (the app returns without ending the answer)."""


@dataclass
class _Answer:
    """An upstream answer read within bounds: what the relay passes on (`streamed`: already
    passed on, chunk by chunk)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    streamed: bool = False


@dataclass
class _Downstream:
    """The caller of one relayed request: where a streamed answer goes."""

    send: Send
    method: str
    request_id: str
    started: bool = False


def _retry_after(headers: list[tuple[bytes, bytes]]) -> float:
    """How long to wait out a 429: its `Retry-After` (capped), else a default."""
    raw = next((v for k, v in headers if k.lower() == b"retry-after"), None)
    advised = retry_after_seconds(None if raw is None else raw.decode("latin-1"))
    return _DEFAULT_RETRY_AFTER if advised is None else min(advised, _MAX_RETRY_AFTER)


def _not_passed_on(headers: list[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """The lower-case names of `headers` that a relay does not pass on (hop-by-hop)."""
    text = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
    return frozenset(name.encode("latin-1") for name in hop_by_hop(text))


@dataclass
class _Request:
    """A request to the server (or where a redirect leads): its URL whole."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _get(headers: list[tuple[str, str]], name: str) -> str | None:
    """A header's value (names in lower case)."""
    return next((value for key, value in headers if key == name), None)


def _raw(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]


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
        self._secrets = Secrets([key])
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
        # One client per origin (the audited server's, and those redirects lead to).
        self._upstreams: dict[str, Upstream] | None = None
        # request id -> (mark, kind, message) of streamed answers that broke off.
        self._outcomes: dict[str, tuple[str, str, str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await self._read_body(receive)
        method: str = scope["method"]
        path: str = scope["path"]
        asked = self._header(scope, OUTCOME_HEADER)
        if asked is not None:
            await self._tell_outcome(send, asked)
            return
        downstream = _Downstream(send, method, self._header(scope, REQUEST_ID_HEADER) or "")
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
                answer = await self._forward(scope, method, body, downstream)
            except _Failed as exc:
                settle(None)
                with self._stats_lock:
                    self.stats.upstream_errors += 1
                reason = self._scrub(str(exc).encode()).decode()
                self._cut_if_started(downstream, UPSTREAM_ERROR_MARK, exc.kind, reason)
                await self._answer(send, 502, reason, UPSTREAM_ERROR_MARK, exc.kind)
                return
            except _Refused as exc:
                settle(exc.status)  # the server did answer (a billed request was accepted)
                reason = self._scrub(str(exc).encode()).decode()
                self._cut_if_started(downstream, REFUSED_MARK, exc.kind, reason)
                await self._answer(send, 502, reason, REFUSED_MARK, exc.kind, refused=True)
                return
            # A billed answer is JSON, read whole: settled here, before any byte goes out. (A
            # media answer to a create is streamed first and settled just after.)
            settle(answer.status)
            if not answer.streamed:
                await self._relay_response(send, method, answer)
        except _Cut:
            # The answer broke off after its head went out: returning without ending it
            # drops the connection (the caller asks why with OUTCOME_HEADER).
            return
        finally:
            settle(None)  # cancelled before the server answered: the slot goes back

    @staticmethod
    def _header(scope: Scope, name: str) -> str | None:
        wanted = name.encode()
        for key, value in scope["headers"]:
            if key.lower() == wanted:
                return bytes(value).decode("latin-1")
        return None

    def _cut_if_started(self, downstream: _Downstream, mark: str, kind: str, reason: str) -> None:
        """After a streamed answer's headers went out, no error answer can follow: remember
        why (for the caller to ask) and drop the connection."""
        if not downstream.started:
            return
        with self._stats_lock:
            if downstream.request_id:
                self._outcomes[downstream.request_id] = (mark, kind, reason)
                while len(self._outcomes) > _MAX_OUTCOMES:
                    self._outcomes.pop(next(iter(self._outcomes)))
        raise _Cut(reason)

    async def _tell_outcome(self, send: Send, request_id: str) -> None:
        with self._stats_lock:
            outcome = self._outcomes.pop(request_id, None)
        if outcome is None:
            outcome = (UPSTREAM_ERROR_MARK, "closed", "the relayed answer broke off")
        mark, kind, reason = outcome
        await self._answer(send, 502, reason, mark, kind, refused=mark == REFUSED_MARK)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._upstreams = {}
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for upstream in (self._upstreams or {}).values():
                    upstream.close()
                self._upstreams = None
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

    def _headers(self, scope: Scope) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = []
        # The upstream's Host comes from its URL; identity only, whatever the caller accepts:
        # nothing is ever decoded here.
        dropped = _not_passed_on(scope["headers"]) | {
            b"host",
            b"accept-encoding",
            REQUEST_ID_HEADER.encode(),
        }
        for name, value in scope["headers"]:
            lower = name.lower()
            if lower in dropped:
                continue
            if lower == b"authorization" and value == f"Bearer {PLACEHOLDER_KEY}".encode():
                value = f"Bearer {self._key}".encode()
            elif lower == b"authorization" and value == f"Basic {PLACEHOLDER_KEY}".encode():
                # The key in the wrong scheme: the audit checks that the server refuses it.
                value = f"Basic {self._key}".encode()
            headers.append((lower.decode("latin-1"), bytes(value).decode("latin-1")))
        headers.append(("accept-encoding", "identity"))
        return headers

    def _client_for(self, url: str) -> tuple[Upstream, str]:
        """The client to `url`'s origin, and the target to send it."""
        assert self._upstreams is not None, "the relay serves only between startup and shutdown"
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        upstream = self._upstreams.get(origin)
        if upstream is None:
            upstream = Upstream(origin, connect_timeout=min(self._timeout, 10.0))
            self._upstreams[origin] = upstream
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return upstream, target

    async def _forward(
        self, scope: Scope, method: str, body: bytes, downstream: _Downstream
    ) -> _Answer:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url = self.upstream + raw_path.decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        headers = self._headers(scope)
        if body and not any(name == "content-length" for name, _ in headers):
            headers.append(("content-length", str(len(body))))
        for attempt in range(_MAX_RATE_LIMIT_RETRIES + 1):
            wait = self._bucket.reserve()
            if wait:
                await asyncio.sleep(wait)
            with self._stats_lock:
                self.stats.requests += 1
            answer = await self._bounded(_Request(method, url, headers, body), downstream)
            if answer.status != 429 or attempt == _MAX_RATE_LIMIT_RETRIES:
                return answer
            with self._stats_lock:
                self.stats.rate_limited_waits += 1
            await asyncio.sleep(_retry_after(answer.headers))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _bounded(self, request: _Request, downstream: _Downstream) -> _Answer:
        """Send `request` (following redirects) and read its answer within every bound."""
        now = time.monotonic()
        limit = now + self.request_timeout
        by_deadline = self.deadline is not None and self.deadline < limit
        if self.deadline is not None:
            limit = min(limit, self.deadline)
        what = f"{request.method} {request.path}"
        progress: dict[str, Any] = {"stage": "no-answer", "bytes": 0, "status": None}
        try:
            async with asyncio.timeout(max(0.0, limit - now)):
                return await self._send(request, progress, downstream)
        except TimeoutError:
            seconds = time.monotonic() - now
            if by_deadline:
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
        except UpstreamError as exc:
            if exc.kind == "cannot-reach":
                raise _Failed(
                    "cannot-reach", f"{what}: {exc}".replace("upstream", "server")
                ) from None
            raise _Failed("closed", f"{what}: the server closed the connection: {exc}") from None

    async def _send(
        self, request: _Request, progress: dict[str, Any], downstream: _Downstream
    ) -> _Answer:
        origin = _origin(request.url)
        for hop in range(MAX_REDIRECTS + 1):
            upstream, target = self._client_for(request.url)
            response = await upstream.send(request.method, target, request.headers, request.body)
            progress["stage"] = "body"
            progress["status"] = response.status
            try:
                location = _get(response.headers, "location")
                if (
                    request.method == "GET"
                    and response.status in _REDIRECTS
                    and location
                    and hop < MAX_REDIRECTS
                ):
                    request = self._redirected(request, location, origin)
                    continue
                ctype = (_get(response.headers, "content-type") or "").lower()
                if (
                    ctype.startswith(MEDIA_PREFIXES)
                    and downstream.method != "HEAD"
                    and response.status != 429
                ):
                    await self._stream(request, response, progress, downstream)
                    return _Answer(response.status, [], b"", streamed=True)
                body = await self._read(request, response, progress)
                return _Answer(response.status, _raw(response.headers), body)
            finally:
                response.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def _redirected(self, request: _Request, location: str, origin: str) -> _Request:
        """The next hop; the key goes only to the audited server's own origin."""
        target = urljoin(request.url, location)
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            raise _Refused("redirect", f"redirect to a {parts.scheme!r} URL", None)
        same = _origin(target) == origin
        headers = [
            (name, value)
            for name, value in request.headers
            if name not in ("host", "content-length", "content-type")
            and (same or name != "authorization")
        ]
        shown = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"
        with self._stats_lock:
            self.stats.redirects.append(f"GET {request.path} -> {shown}")
        return _Request("GET", target, headers, b"")

    def _limit(self, request: _Request, response: Answer) -> int:
        """The cap for this answer's body, after refusing what may not be read at all."""
        what = f"{request.method} {request.path}"
        encoding = (_get(response.headers, "content-encoding") or "").strip().lower()
        if encoding not in ("", "identity"):
            raise _Refused(
                "content-encoding",
                f"{what}: the answer came in Content-Encoding {encoding!r} although the request "
                "accepted only identity; not decoded",
                response.status,
            )
        ctype = (_get(response.headers, "content-type") or "").lower()
        limit = self.max_media if ctype.startswith(MEDIA_PREFIXES) else self.max_body
        declared = (_get(response.headers, "content-length") or "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise _Refused(
                "too-large",
                f"{what}: the answer declares {declared} bytes, more than the audit reads "
                f"({limit} bytes for {ctype or 'an untyped answer'})",
                response.status,
            )
        return limit

    def _too_large(self, request: _Request, response: Answer, limit: int) -> _Refused:
        ctype = (_get(response.headers, "content-type") or "").lower()
        return _Refused(
            "too-large",
            f"{request.method} {request.path}: the answer passed {limit} bytes "
            f"({ctype or 'untyped'}) and was still coming; cut off",
            response.status,
        )

    async def _read(self, request: _Request, response: Answer, progress: dict[str, Any]) -> bytes:
        """The raw body, never decoded, within the cap of its kind."""
        limit = self._limit(request, response)
        chunks: list[bytes] = []
        async for chunk in response.chunks():
            progress["bytes"] += len(chunk)
            if progress["bytes"] > limit:
                raise self._too_large(request, response, limit)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _stream(
        self,
        request: _Request,
        response: Answer,
        progress: dict[str, Any],
        downstream: _Downstream,
    ) -> None:
        """Pass a media body on as it comes (raw, never decoded), counted against the cap.

        Its length is unknown until the end, so it goes out chunked; the server's own
        Content-Length and Content-Encoding go in the marks."""
        limit = self._limit(request, response)
        raw = _raw(response.headers)
        dropped = _not_passed_on(raw)
        headers = [
            (name, self._scrub(value))
            for name, value in raw
            if name.lower() not in dropped
            and name.lower() not in (b"content-length", b"content-encoding")
        ]
        headers += self._upstream_marks(raw)
        await downstream.send(
            {"type": "http.response.start", "status": response.status, "headers": headers}
        )
        downstream.started = True
        scrubber = StreamScrubber(self._secrets, short=False)
        async for chunk in response.chunks():
            progress["bytes"] += len(chunk)
            if progress["bytes"] > limit:
                raise self._too_large(request, response, limit)
            out = scrubber.feed(chunk)
            if out:
                await downstream.send(
                    {"type": "http.response.body", "body": out, "more_body": True}
                )
        await downstream.send({"type": "http.response.body", "body": scrubber.flush()})

    @staticmethod
    def _upstream_marks(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """The server's own Content-Length and Content-Encoding, under the relay's marks."""
        marks = {
            b"content-length": UPSTREAM_LENGTH_HEADER.encode(),
            b"content-encoding": UPSTREAM_ENCODING_HEADER.encode(),
        }
        return [(marks[name.lower()], value) for name, value in headers if name.lower() in marks]

    def _scrub(self, data: bytes) -> bytes:
        return self._secrets.scrub(data)

    async def _relay_response(self, send: Send, method: str, answer: _Answer) -> None:
        # The body goes out as read (identity) with its length counted here, not taken on trust
        # from the server; a HEAD answer keeps the server's length.
        raw = self._scrub(answer.body)
        recompute = method != "HEAD"
        dropped = _not_passed_on(answer.headers)
        headers = [
            (name, self._scrub(value))
            for name, value in answer.headers
            if name.lower() not in dropped
            and name.lower() != b"content-encoding"
            and not (recompute and name.lower() == b"content-length")
        ]
        if recompute:
            headers.append((b"content-length", str(len(raw)).encode()))
            headers += self._upstream_marks(answer.headers)
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
        body = error_bytes(message, "audit_relay", code=value)
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
