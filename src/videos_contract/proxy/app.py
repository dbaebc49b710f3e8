"""The validating reverse proxy's exchanges: each request forwarded to the upstream as the
client sent it, each answer passed back, both sides checked on the way through.

A plain ASGI app (no routing: every request is an exchange) served by the relay core's front
(`videos_contract.relay.front`, uvicorn with h11) and forwarding with its upstream client
(`videos_contract.relay.upstream`, h11). What it promises:

* it sends upstream exactly the requests its clients send, one each, with their headers
  (the key included, unchanged) less the hop-by-hop ones; it asks for `Accept-Encoding:
  identity` so that it never has to inflate an answer to check it, follows no redirect and
  retries nothing; a request RFC 9112 says to refuse never goes upstream (`request_refusal`);
* the key goes to the upstream only; it is masked in everything the proxy keeps, and every
  credential value it saw is blanked from every line and report;
* bounded: an answer that is not media is read up to `max_body` bytes (as the audit's relay
  does) within `request_timeout` seconds; a media answer streams through as it comes to the
  client (its memory flat whatever its size: the upstream is read no faster than the client
  takes it, and time the client takes is not counted against the upstream) while it is
  copied to a temporary file of at most `max_spool` bytes, which is decoded once the last
  byte went by (an MP4's `moov` box may come last) and then deleted; a request body is
  forwarded as it comes, each piece within `request_timeout` seconds of the last (else 408),
  and kept for checking up to `max_request_body` bytes;
* an upstream that cannot be reached, closes without answering, breaks HTTP/1.1 or sends too
  much is answered with an OpenAI-style error (502; 504 when it is too slow), marked with
  `PROXY_ERROR_HEADER` and reported against it; once an answer's head went out, a failure
  can only break the connection;
* a fault of the proxy itself is never blamed on the upstream: it is logged, answered 500
  marked `internal` (or the connection broken, once the head went out), and reported as the
  proxy's own (`INTERNAL_CHECK`), which makes the run's exit status non-zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from videos_contract.audit.answers import (
    MEDIA_PREFIXES,
)
from videos_contract.credentials import masked_headers
from videos_contract.http_rules import error_bytes, hop_by_hop
from videos_contract.proxy.checks import Seen, TrafficChecker
from videos_contract.proxy.limits import DEFAULT_MAX_REQUEST_BODY, DEFAULT_MAX_SPOOL, ProxyLimits
from videos_contract.relay.rules import GRACEFUL_SECONDS, Refusal, request_refusal
from videos_contract.relay.upstream import Answer, Connector, Upstream, UpstreamError

__all__ = [
    "DEFAULT_MAX_REQUEST_BODY",
    "DEFAULT_MAX_SPOOL",
    "INTERNAL_CHECK",
    "PROXY_ERROR_HEADER",
    "ExchangeRecord",
    "ProxyLimits",
    "RecordingSink",
    "ValidatingProxy",
]

# Marks an answer the proxy made itself (the upstream gave none); its value says why.
PROXY_ERROR_HEADER = "x-videos-contract-proxy-error"
# The check under which a fault of the proxy itself is reported (never the upstream's).
INTERNAL_CHECK = "proxy_internal_error"
# A request body up to this size is read whole before it is sent (one write upstream).
_SMALL_BODY = 256 * 1024

# Request headers the proxy sets itself towards the upstream (besides the hop-by-hop ones).
_REPLACED = frozenset({"host", "accept-encoding", "expect"})
# How long after an answer went out it is judged, at most (a poll's next request, arriving
# meanwhile, goes first).
_JUDGE_DELAY = 0.0005
_BODILESS = frozenset({204, 304})
_log = logging.getLogger("videos_contract.proxy")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]


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


class _Failure(Exception):
    """No usable answer from the upstream: `status` for the client, `kind` for the mark."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind

    @classmethod
    def of(cls, error: UpstreamError, suffix: str = "") -> _Failure:
        status = 504 if error.kind == "too-slow" else 502
        return cls(status, error.kind, f"{error}{suffix}")


class _ClientGone(Exception):
    """The client went away (mid-request or mid-answer)."""


class _ClientTooSlow(Exception):
    """The client's request body stopped coming."""


class _Spool:
    """A bounded temporary copy of a streamed asset; no file once it passed the cap.

    Written in the loop's thread as each piece passes: a page-cache write costs less than
    handing the piece to another thread. Nothing is allocated ahead of the bytes: a size an
    upstream declares is only a claim.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._file: IO[bytes] | None = tempfile.NamedTemporaryFile(
            prefix="videos-contract-proxy-", suffix=".asset", delete=False, buffering=0
        )
        self.path: Path | None = Path(self._file.name)

    def write(self, data: bytes) -> None:
        self.size += len(data)
        file = self._file
        if file is None:
            return
        if self.size > self.cap:
            self.discard()
            return
        try:
            view = memoryview(data)
            while view:
                view = view[file.write(view) or 0 :]
        except OSError:
            self.discard()  # a full disk: the asset is not decoded

    def close(self) -> Path | None:
        """The file's path, every piece in it (None when it passed the cap or failed)."""
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


def _without(
    headers: Sequence[tuple[str, str]], dropped: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Headers (names in lower case) less the hop-by-hop ones and those in `dropped`."""
    gone = hop_by_hop(headers) | dropped
    return [(name, value) for name, value in headers if name not in gone]


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    """The value of header `name` (names in lower case on both sides)."""
    for key, value in headers:
        if key == name:
            return value
    return None


def _encoded(headers: Sequence[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]


class ValidatingProxy:
    """The ASGI app forwarding to `upstream`, checking every exchange with `checker`."""

    def __init__(
        self,
        upstream: str,
        checker: TrafficChecker,
        *,
        limits: ProxyLimits | None = None,
        recorder: RecordingSink | None = None,
        connector: Connector | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._connector = connector
        self.checker = checker
        self.findings = checker.findings
        self.limits = limits or ProxyLimits()
        self.recorder = recorder
        self._upstream: Upstream | None = None
        # Exchanges not yet checked to the end (their client may already have its answer).
        self._busy = 0
        # Answers that went out, waiting to be judged (`later`).
        self._judging: deque[Callable[[], None]] = deque()
        self._judge_scheduled = False

    @property
    def upstream_client(self) -> Upstream:
        if self._upstream is None:
            limits = self.limits
            self._upstream = Upstream(
                self.upstream,
                connect_timeout=min(limits.connect_timeout, limits.request_timeout),
                connector=self._connector,
            )
        return self._upstream

    def close(self) -> None:
        """Close the kept-alive connections to the upstream."""
        if self._upstream is not None:
            self._upstream.close()
            self._upstream = None

    @property
    def busy(self) -> int:
        return self._busy

    def wait_idle(self, timeout: float) -> bool:
        """Block until every exchange so far is checked (False if `timeout` passed first);
        from another thread than the loop's."""
        deadline = time.monotonic() + timeout
        while self._busy:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def begun(self) -> None:
        self._busy += 1  # only ever changed in the loop's thread

    def ended(self) -> None:
        self._busy -= 1

    def later(self, judge: Callable[[], None]) -> None:
        """Judge an answer once the loop has passed on what was waiting: a client's next
        request is forwarded before the last answer is checked."""
        self._judging.append(judge)
        if not self._judge_scheduled:
            self._judge_scheduled = True
            asyncio.get_running_loop().call_later(_JUDGE_DELAY, self._judge)

    def _judge(self) -> None:
        self._judge_scheduled = False
        judging = self._judging
        while judging:
            judge = judging.popleft()
            try:
                judge()
            except Exception as exc:  # a check's own fault: the proxy's, not the upstream's
                self.internal_error("checking an answer", exc)

    def internal_error(self, what: str, exc: BaseException) -> None:
        """A fault of the proxy itself: logged, and reported as the proxy's own."""
        _log.error("videos-contract proxy: internal error %s", what, exc_info=exc)
        message = self.findings.secrets(f"{type(exc).__name__}: {exc}")
        self.findings.failed(
            "(the proxy)",
            INTERNAL_CHECK,
            "videos-contract proxy",
            f"no internal error while {what}",
            message,
        )

    # -- ASGI ---------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    # The server stopped taking exchanges; those still being checked (an
                    # asset being decoded) get the graceful time to end.
                    loop = asyncio.get_running_loop()
                    deadline = loop.time() + GRACEFUL_SECONDS
                    while self._busy and loop.time() < deadline:
                        await asyncio.sleep(0.02)
                    self.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = scope["raw_path"].decode("latin-1")
        query: bytes = scope["query_string"]
        if query:
            target += "?" + query.decode("latin-1")
        refusal = request_refusal(scope["method"], target, scope["http_version"], scope["headers"])
        if refusal is not None:
            await _refuse(send, refusal)
            return
        if not target.startswith("/"):
            # Absolute form (RFC 9112 §3.2.2): the path and query go to the upstream.
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        exchange = _Exchange(self, scope, target, receive, send)
        self.begun()
        try:
            await exchange.run()
        except Exception as exc:
            exchange.internal(exc)
            if not exchange.answered:
                await exchange.answer_internal()
        finally:
            exchange.settle()


async def _refuse(send: Send, refusal: Refusal) -> None:
    body = error_bytes(str(refusal), "invalid_request_error", code=refusal.code)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Exchange:
    """One request and its answer: `run` forwards, passes back, and hands the answer to the
    checks; `settle` ends it in the proxy's count (once every check of it is done)."""

    def __init__(
        self, proxy: ValidatingProxy, scope: Scope, target: str, receive: Receive, send: Send
    ) -> None:
        self.proxy = proxy
        self.limits = proxy.limits
        self.receive = receive
        self.send = send
        self.method: str = scope["method"]
        self.target = target
        self.headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
        ]
        self.seen = Seen(self.method, target, (), b"")
        self.answered = False  # an answer's head went out
        self._kept: list[bytes] = []
        self._kept_size = 0
        self._booked = False
        self._pending = 1  # what must end before the exchange is settled: itself, its checks
        self._record: ExchangeRecord | None = None
        self._finished = False
        self._size = 0

    # -- bookkeeping --------------------------------------------------------------------
    def settle(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.proxy.ended()

    def _book(self) -> None:
        """Credentials noted (to be blanked everywhere), the request counted and masked."""
        if self._booked:
            return
        self._booked = True
        findings = self.proxy.findings
        secrets = findings.secrets
        for name, value in self.headers:
            secrets.add_header(name, value)
        secrets.add_target(self.target)
        findings.count_request()
        self.seen.headers = masked_headers(self.headers)
        self.seen.body = self._kept_body()

    def _keep(self, chunk: bytes) -> None:
        if self._record is not None:
            self._record.request_body(chunk)
        self._kept_size += len(chunk)
        if self._kept_size <= self.limits.max_request_body:
            self._kept.append(chunk)

    def _kept_body(self) -> bytes | None:
        if self._kept_size > self.limits.max_request_body:
            return None
        return b"".join(self._kept)

    def _finish_record(self, error: str | None) -> None:
        if self._record is not None and not self._finished:
            self._finished = True
            self._record.finish(at=time.monotonic(), error=error)

    # -- the request --------------------------------------------------------------------
    async def _body(self) -> AsyncIterator[bytes]:
        """The request's body as it comes, each piece within the timeout of the last."""
        timeout = self.limits.request_timeout
        more = True
        while more:
            try:
                async with asyncio.timeout(timeout):
                    message = await self.receive()
            except TimeoutError:
                raise _ClientTooSlow(
                    f"the request body did not arrive within {timeout:g} seconds"
                ) from None
            if message["type"] == "http.disconnect":
                raise _ClientGone("the client went away before its request body ended")
            chunk: bytes = message.get("body", b"")
            more = bool(message.get("more_body", False))
            if chunk:
                self._keep(chunk)
                yield chunk

    async def _disconnected(self) -> None:
        """Return once the client went away (what is left of its request, if any, read)."""
        while (await self.receive())["type"] != "http.disconnect":
            pass

    async def _whole_body(self) -> bytes:
        return b"".join([chunk async for chunk in self._body()])

    async def run(self) -> None:
        recorder = self.proxy.recorder
        if recorder is not None:
            self._record = recorder.begin(
                self.method, self.target, self.headers, started=time.monotonic()
            )
        headers = _without(self.headers, _REPLACED)
        declared = _header(self.headers, "content-length")
        chunked = _header(self.headers, "transfer-encoding") is not None
        body: bytes | AsyncIterator[bytes] = b""
        try:
            if chunked:
                headers.append(("transfer-encoding", "chunked"))
                body = self._body()
            elif declared is not None and int(declared) > _SMALL_BODY:
                body = self._body()
            elif declared is not None and int(declared) > 0:
                body = await self._whole_body()
            headers.append(("accept-encoding", "identity"))
            await self._forward(headers, body)
        except _ClientTooSlow as exc:
            await self._client_too_slow(str(exc))
        except _ClientGone as exc:
            self._client_lost(str(exc))
        except _Failure as failure:
            await self._fail(failure)

    async def _forward(
        self, headers: list[tuple[str, str]], body: bytes | AsyncIterator[bytes]
    ) -> None:
        timeout = self.limits.request_timeout
        loop = asyncio.get_running_loop()
        answer: Answer | None = None
        try:
            try:
                async with asyncio.timeout(timeout) as budget:
                    if not isinstance(body, bytes):
                        body = self._extending(body, budget, timeout)
                    answer = await self.proxy.upstream_client.send(
                        self.method, self.target, headers, body
                    )
                    media = (_header(answer.headers, "content-type") or "").lower().startswith(
                        MEDIA_PREFIXES
                    ) and self.method != "HEAD"
                    if not media:
                        whole = await self._read_whole(answer)
            except TimeoutError:
                what = "the upstream's answer" if answer is None else "the upstream's answer's body"
                raise _Failure(504, "too-slow", f"{what} did not arrive in time") from None
            except UpstreamError as exc:
                suffix = f" (after {self._size} bytes of the body)" if self._size else ""
                raise _Failure.of(exc, suffix) from None
            self.seen.status = answer.status
            self.seen.response_headers = tuple(answer.headers)
            if media:
                await self._stream(answer, loop)
            else:
                await self._pass_whole(answer, whole)
        finally:
            if answer is not None:
                answer.close()

    async def _extending(
        self, body: AsyncIterator[bytes], budget: asyncio.Timeout, timeout: float
    ) -> AsyncIterator[bytes]:
        """`body` for the upstream: the time spent waiting for the client is not the
        upstream's (the client's own timeout covers it), and the upstream's time runs again
        from each piece sent."""
        loop = asyncio.get_running_loop()
        while True:
            budget.reschedule(None)
            chunk = await anext(body, None)
            budget.reschedule(loop.time() + timeout)
            if chunk is None:
                return
            yield chunk

    async def _read_whole(self, answer: Answer) -> bytes:
        limit = self.limits.max_body
        declared = (_header(answer.headers, "content-length") or "").strip()
        if declared.isdigit() and int(declared) > limit and self.method != "HEAD":
            raise _Failure(
                502,
                "too-large",
                f"the upstream's answer declares {declared} bytes, more than {limit}",
            )
        pieces: list[bytes] = []
        async for chunk in answer.chunks():
            self._size += len(chunk)
            if self._size > limit:
                raise _Failure(
                    502,
                    "too-large",
                    f"the upstream's answer passed {limit} bytes and was still coming",
                )
            pieces.append(chunk)
        return b"".join(pieces)

    # -- the answer ---------------------------------------------------------------------
    async def _pass_whole(self, answer: Answer, body: bytes) -> None:
        status = answer.status
        out = _without(answer.headers)
        if self._record is not None:
            self._record.response(status, out, at=time.monotonic())  # as the upstream framed it
            if body:
                self._record.response_body(body)
        if status in _BODILESS:
            out = [(k, v) for k, v in out if k != "content-length"]
        elif self.method != "HEAD":
            out = [(k, v) for k, v in out if k != "content-length"]
            out.append(("content-length", str(len(body))))
        self.answered = True
        await self.send({"type": "http.response.start", "status": status, "headers": _encoded(out)})
        await self.send({"type": "http.response.body", "body": body})
        self._finish_record(None)
        self._pending += 1
        self.proxy.later(lambda: self._judge_whole(body))

    def _judge_whole(self, body: bytes) -> None:
        try:
            self._book()
            self.proxy.checker.whole(self.seen, body)
        except Exception as exc:  # a check's own fault: the proxy's, reported before settling
            self.proxy.internal_error(f"checking {self.method} {self.seen.path}", exc)
        finally:
            self.settle()

    async def _stream(self, answer: Answer, loop: asyncio.AbstractEventLoop) -> None:
        """A media answer, passed on as it comes; each upstream read within the timeout."""
        status = answer.status
        out = _without(answer.headers)
        if self._record is not None:
            self._record.response(status, out, at=time.monotonic())
        spool = _Spool(self.limits.max_spool) if status == 200 else None
        # The client going away is heard while the answer streams (its `send` does not say).
        gone = loop.create_task(self._disconnected())
        timeout = self.limits.request_timeout
        chunks = answer.chunks()
        try:
            self.answered = True
            await self.send(
                {"type": "http.response.start", "status": status, "headers": _encoded(out)}
            )
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        chunk = await anext(chunks, None)
                except TimeoutError:
                    raise _Failure(504, "too-slow", "the upstream sent nothing in time") from None
                except UpstreamError as exc:
                    raise _Failure.of(exc, f" (after {self._size} bytes of the asset)") from None
                if gone.done():
                    raise _ClientGone("the client went away before the answer ended")
                if chunk is None:
                    break
                self._size += len(chunk)
                if self._record is not None:
                    self._record.response_body(chunk)
                if spool is not None:
                    spool.write(chunk)
                await self.send({"type": "http.response.body", "body": chunk, "more_body": True})
            await self.send({"type": "http.response.body", "body": b""})
        except BaseException:
            if spool is not None:
                spool.discard()
            raise
        finally:
            gone.cancel()
            await chunks.aclose()
        self._finish_record(None)
        self._book()
        self.proxy.checker.streamed(self.seen)
        if spool is not None:
            self._pending += 1
            loop.create_task(self._decode(spool, self._size))

    async def _decode(self, spool: _Spool, size: int) -> None:
        try:
            path = spool.close()
            await asyncio.to_thread(self.proxy.checker.asset, self.seen, path, size)
        except Exception as exc:
            self.proxy.internal_error("decoding an asset", exc)
        finally:
            spool.discard()
            self.settle()

    # -- endings ------------------------------------------------------------------------
    async def _fail(self, failure: _Failure) -> None:
        """The upstream gave no usable answer: the client is told (or cut off), it is
        reported against the upstream."""
        self._book()
        message = self.proxy.findings.secrets(str(failure))
        expected = "a complete answer" if self.answered else "an answer"
        self._finish_record(message)
        self.proxy.checker.upstream_failed(self.seen, expected, message)
        if self.answered:
            return  # the head is out: the client can only see the connection break
        body = error_bytes(f"videos-contract proxy: {message}", "upstream_error", code=failure.kind)
        await self._answer(failure.status, failure.kind, body)

    async def _answer(self, status: int, kind: str, body: bytes) -> None:
        headers = [
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            (PROXY_ERROR_HEADER, kind),
        ]
        if self._record is not None:
            self._record.response(status, headers, at=time.monotonic())
            self._record.response_body(body)
        self.answered = True
        await self.send(
            {"type": "http.response.start", "status": status, "headers": _encoded(headers)}
        )
        await self.send({"type": "http.response.body", "body": body})

    async def _client_too_slow(self, message: str) -> None:
        """The client's body stopped coming: a 408 (when no answer went out yet), and the
        connection ends; nobody's violation but a note."""
        self._book()
        self._finish_record(message)
        self.proxy.findings.note(f"{self.method} {self.seen.path}: {message}")
        if self.answered:
            return
        body = error_bytes(message, "invalid_request_error", code="request_timeout")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        self.answered = True
        with contextlib.suppress(Exception):
            await self.send({"type": "http.response.start", "status": 408, "headers": headers})
            await self.send({"type": "http.response.body", "body": body})

    def _client_lost(self, message: str) -> None:
        self._finish_record("the exchange was cut short")
        self._book()
        self.proxy.findings.note(f"{self.method} {self.seen.path}: {message}")

    def internal(self, exc: BaseException) -> None:
        self._finish_record("internal error")
        self.proxy.internal_error(f"relaying {self.method} {self.seen.path}", exc)

    async def answer_internal(self) -> None:
        body = error_bytes(
            "videos-contract proxy: internal error (see the proxy's log)",
            "internal_error",
            code="internal",
        )
        with contextlib.suppress(Exception):
            await self._answer(500, "internal", body)
