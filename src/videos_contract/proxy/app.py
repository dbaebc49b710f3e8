"""The validating reverse proxy: an ASGI app that forwards each request to the upstream as the
client sent it and checks both sides on the way through.

What it promises:

* it sends upstream exactly the requests its clients send, one each, with their headers
  (the key included, unchanged) less the hop-by-hop ones; it asks for `Accept-Encoding:
  identity` so that it never has to inflate an answer to check it, follows no redirect and
  retries nothing;
* the key goes to the upstream only; it is masked in everything the proxy keeps, and every
  credential value it saw is blanked from every line and report;
* bounded: an answer that is not media is read up to `max_body` bytes (as the audit's relay
  does) within `request_timeout` seconds; a media answer streams through chunk by chunk to
  the client (its memory flat whatever its size) while it is copied to a temporary file of
  at most `max_spool` bytes, which is decoded once the last byte went by (an MP4's `moov`
  box may come last) and then deleted; a request body is forwarded as it comes and kept for
  checking up to `max_request_body` bytes;
* an upstream that cannot be reached, closes without answering or sends too much is answered
  with an OpenAI-style error (502; 504 when it is too slow), marked with `PROXY_ERROR_HEADER`
  and reported; once an answer's head went out, a failure can only break the connection.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.proxy import DEFAULT_MAX_BODY, DEFAULT_REQUEST_TIMEOUT, MEDIA_PREFIXES
from videos_contract.proxy.checks import CREDENTIAL_HEADERS, Seen, TrafficChecker, masked_headers
from videos_contract.proxy.upstream import Upstream, UpstreamError, UpstreamResponse

__all__ = [
    "DEFAULT_MAX_REQUEST_BODY",
    "DEFAULT_MAX_SPOOL",
    "PROXY_ERROR_HEADER",
    "ExchangeRecord",
    "ProxyLimits",
    "RecordingSink",
    "ValidatingProxy",
]

# Marks an answer the proxy made itself (the upstream gave none); its value says why.
PROXY_ERROR_HEADER = "x-videos-contract-proxy-error"
# Request bodies are forwarded as they come; this much is kept to check (a create with a
# reference image is a few MiB).
DEFAULT_MAX_REQUEST_BODY = 32 * 1024 * 1024
# An asset up to this size is spooled to disk and decoded; a larger one still streams through.
DEFAULT_MAX_SPOOL = 4 * 1024 * 1024 * 1024
# An asset is passed on in pieces of about this size (the upstream's reads are smaller; one
# write downstream per piece costs less than one per read).
_PASS_ON = 512 * 1024
# A request body up to this size is read whole before it is sent (one write upstream).
_SMALL_BODY = 256 * 1024

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class ExchangeRecord(Protocol):
    """One exchange being recorded (`videos_contract.cassette.Exchange`)."""

    def request_body(self, chunk: bytes) -> None: ...
    def response(self, status: int, headers: Sequence[tuple[str, str]], *, at: float) -> None: ...
    def response_body(self, chunk: bytes) -> None: ...
    def finish(self, *, at: float, error: str | None = None) -> None: ...


class RecordingSink(Protocol):
    """Where exchanges are recorded (`videos_contract.cassette.Recorder`)."""

    def begin(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], *, started: float
    ) -> ExchangeRecord: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ProxyLimits:
    """The bounds of one proxy (see the module's docstring)."""

    max_body: int = DEFAULT_MAX_BODY
    max_spool: int = DEFAULT_MAX_SPOOL
    max_request_body: int = DEFAULT_MAX_REQUEST_BODY
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    connect_timeout: float = 10.0


class _Tracked:
    """An exchange being recorded, and whether it was finished (exactly once)."""

    def __init__(self, record: ExchangeRecord) -> None:
        self.record = record
        self.finished = False

    def response(self, status: int, headers: Sequence[tuple[str, str]]) -> None:
        self.record.response(status, headers, at=time.monotonic())

    def body(self, chunk: bytes) -> None:
        self.record.response_body(chunk)

    def finish(self, error: str | None = None) -> None:
        if not self.finished:
            self.finished = True
            self.record.finish(at=time.monotonic(), error=error)


class _Failure(Exception):
    """No usable answer from the upstream: `status` for the client, `kind` for the mark."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class _Spool:
    """A bounded temporary copy of a streamed asset; None of a file once it passed the cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._file: IO[bytes] | None = tempfile.NamedTemporaryFile(
            prefix="videos-contract-proxy-", suffix=".asset", delete=False
        )
        self.path: Path | None = Path(self._file.name)

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._file is None:
            return
        if self.size > self.cap:
            self.discard()
            return
        self._file.write(chunk)

    def close(self) -> Path | None:
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.path

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


def _decoded(scope: Scope) -> list[tuple[str, str]]:
    return [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in scope["headers"]]


def _forwarded(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers less the hop-by-hop ones (and those the `Connection` header names)."""
    named = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    return [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP and k.lower() not in named]


class ValidatingProxy:
    """ASGI app forwarding to `upstream`, checking every exchange with `checker`."""

    def __init__(
        self,
        upstream: str,
        checker: TrafficChecker,
        *,
        limits: ProxyLimits | None = None,
        recorder: RecordingSink | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.checker = checker
        self.findings = checker.findings
        self.limits = limits or ProxyLimits()
        self.recorder = recorder
        self._client: Upstream | None = None
        # Exchanges not yet checked to the end (their client may already have its answer).
        self._busy = 0
        self._idle = threading.Condition()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            with self._idle:
                self._busy += 1
            try:
                await self._handle(scope, receive, send)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every exchange so far is checked (False if `timeout` passed first)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _open(self) -> Upstream:
        if self._client is None:
            limits = self.limits
            self._client = Upstream(
                self.upstream,
                connect_timeout=min(limits.connect_timeout, limits.request_timeout),
                read_timeout=limits.request_timeout,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- one exchange -------------------------------------------------------------------
    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.monotonic()
        method: str = scope["method"]
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        target = raw_path.decode("latin-1")
        if scope.get("query_string"):
            target += "?" + bytes(scope["query_string"]).decode("latin-1")
        headers = _decoded(scope)
        for name, value in headers:
            if name.lower() in CREDENTIAL_HEADERS:
                self.findings.secret(value)
                self.findings.secret(value.split(" ", 1)[-1].strip())
        self.findings.count_request()
        record = (
            _Tracked(self.recorder.begin(method, target, headers, started=started))
            if self.recorder is not None
            else None
        )
        seen = Seen(method, target, masked_headers(headers), b"")
        kept: list[bytes] = []
        try:
            await self._exchange(scope, receive, send, seen, headers, kept, record)
        finally:
            if record is not None:
                # Finished already unless cancelled (the client went away) on the way.
                record.finish("the exchange was cut short")

    async def _exchange(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        seen: Seen,
        headers: list[tuple[str, str]],
        kept: list[bytes],
        record: _Tracked | None,
    ) -> None:
        client = self._open()
        # `Expect: 100-continue` is answered here (by uvicorn), not passed on.
        upstream_headers = [
            (k, v)
            for k, v in _forwarded(headers)
            if k.lower() not in ("host", "accept-encoding", "expect")
        ] + [("accept-encoding", "identity")]
        has_body = any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers)
        declared = next((v for k, v in headers if k.lower() == "content-length"), "")
        kept_size = [0]

        def keep(chunk: bytes) -> None:
            if record is not None and chunk:
                record.record.request_body(chunk)
            kept_size[0] += len(chunk)
            if kept_size[0] <= self.limits.max_request_body:
                kept.append(chunk)

        content: bytes | AsyncIterator[bytes]
        if not has_body or (declared.isdigit() and int(declared) <= _SMALL_BODY):
            async for chunk in _body(receive):
                keep(chunk)
            content = b"".join(kept)
        else:
            content = _tee(_body(receive), keep)
        answer_started = False
        begun = time.monotonic()
        try:
            async with asyncio.timeout(self.limits.request_timeout):
                try:
                    response = await client.send(
                        seen.method, seen.target, upstream_headers, content
                    )
                except UpstreamError as exc:
                    status = 504 if exc.kind == "too-slow" else 502
                    raise _Failure(status, exc.kind, str(exc)) from None
            seen.body = self._kept_body(kept, kept_size[0])
            seen.status = response.status_code
            seen.response_headers = tuple(response.headers)
            try:
                ctype = (response.header("content-type") or "").lower()
                if ctype.startswith(MEDIA_PREFIXES) and seen.method != "HEAD":
                    # Assets may take long: only each read is bounded (the client's timeout).
                    answer_started = True
                    await self._stream(response, send, seen, record)
                else:
                    left = self.limits.request_timeout - (time.monotonic() - begun)
                    async with asyncio.timeout(max(0.0, left)):
                        body = await self._read(response)
                    await self._whole(response, body, send, seen, record)
            finally:
                await response.aclose()
        except TimeoutError:
            await self._fail(
                send,
                seen,
                record,
                _Failure(504, "too-slow", "the upstream's answer did not arrive in time"),
                started=answer_started,
            )
        except _Failure as failure:
            seen.body = self._kept_body(kept, kept_size[0])
            await self._fail(send, seen, record, failure, started=answer_started)

    def _kept_body(self, kept: list[bytes], size: int) -> bytes | None:
        return b"".join(kept) if size <= self.limits.max_request_body else None

    async def _read(self, response: UpstreamResponse) -> bytes:
        """An answer that is not media, read whole within `max_body`."""
        declared = (response.header("content-length") or "").strip()
        if declared.isdigit() and int(declared) > self.limits.max_body:
            raise _Failure(
                502,
                "too-large",
                f"the upstream's answer declares {declared} bytes, "
                f"more than {self.limits.max_body}",
            )
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.chunks():
                size += len(chunk)
                if size > self.limits.max_body:
                    raise _Failure(
                        502,
                        "too-large",
                        f"the upstream's answer passed {self.limits.max_body} bytes "
                        "and was still coming",
                    )
                chunks.append(chunk)
        except UpstreamError as exc:
            status = 504 if exc.kind == "too-slow" else 502
            raise _Failure(status, exc.kind, f"{exc} ({size} bytes of the body came)") from None
        return b"".join(chunks)

    async def _whole(
        self,
        response: UpstreamResponse,
        body: bytes,
        send: Send,
        seen: Seen,
        record: _Tracked | None,
    ) -> None:
        """An answer that is not media: passed on as read, then checked."""
        out_headers = _forwarded(list(seen.response_headers))
        if record is not None:
            record.response(response.status_code, out_headers)
            if body:
                record.body(body)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out_headers],
            }
        )
        await send({"type": "http.response.body", "body": body})
        self._finish(record)
        self.checker.whole(seen, body)

    async def _stream(
        self, response: UpstreamResponse, send: Send, seen: Seen, record: _Tracked | None
    ) -> None:
        """A media answer: passed on chunk by chunk, spooled (bounded), then decoded."""
        out_headers = _forwarded(list(seen.response_headers))
        if record is not None:
            record.response(response.status_code, out_headers)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out_headers],
            }
        )
        spool = _Spool(self.limits.max_spool) if response.status_code == 200 else None
        size = 0
        try:
            try:
                pending: list[bytes] = []
                held = 0
                async for chunk in response.chunks():
                    size += len(chunk)
                    pending.append(chunk)
                    held += len(chunk)
                    if held >= _PASS_ON:
                        await self._pass_on(b"".join(pending), send, spool, record)
                        pending.clear()
                        held = 0
                if pending:
                    await self._pass_on(b"".join(pending), send, spool, record)
            except UpstreamError as exc:
                status = 504 if exc.kind == "too-slow" else 502
                raise _Failure(
                    status, exc.kind, f"{exc} (after {size} bytes of the asset)"
                ) from None
            await send({"type": "http.response.body", "body": b""})
            self._finish(record)
            self.checker.streamed(seen)
            path = spool.close() if spool is not None else None
            if spool is not None:
                await asyncio.to_thread(self.checker.asset, seen, path, size)
        finally:
            if spool is not None:
                spool.discard()

    @staticmethod
    async def _pass_on(
        data: bytes, send: Send, spool: _Spool | None, record: _Tracked | None
    ) -> None:
        if record is not None:
            record.body(data)
        if spool is None:
            await send({"type": "http.response.body", "body": data, "more_body": True})
            return
        # The copy to disk runs in a thread while the piece goes out to the client.
        written = asyncio.ensure_future(asyncio.to_thread(spool.write, data))
        try:
            await send({"type": "http.response.body", "body": data, "more_body": True})
        finally:
            await written

    def _finish(self, record: _Tracked | None, error: str | None = None) -> None:
        if record is not None:
            record.finish(error)

    async def _fail(
        self, send: Send, seen: Seen, record: _Tracked | None, failure: _Failure, *, started: bool
    ) -> None:
        message = self.findings.redactor(str(failure))
        expected = "a complete answer" if started else "an answer"
        self.checker.upstream_failed(seen, expected, message)
        if started:
            # The head is out: the client can only see the connection break (uvicorn closes
            # a connection whose answer the app left incomplete).
            self._finish(record, message)
            return
        body = json.dumps(
            {
                "error": {
                    "message": f"videos-contract proxy: {message}",
                    "type": "upstream_error",
                    "param": None,
                    "code": failure.kind,
                }
            }
        ).encode()
        headers = [
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            (PROXY_ERROR_HEADER, failure.kind),
        ]
        if record is not None:
            record.response(failure.status, headers)
            record.body(body)
        self._finish(record, message)
        await send(
            {
                "type": "http.response.start",
                "status": failure.status,
                "headers": [(k.encode(), v.encode()) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    more = True
    while more:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        more = bool(message.get("more_body", False))


async def _tee(chunks: AsyncIterator[bytes], keep: Callable[[bytes], None]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        keep(chunk)
        yield chunk
