"""The validating reverse proxy's exchanges: each request forwarded to the upstream as the
client sent it, each answer passed back, both sides checked on the way through.

What it promises:

* it sends upstream exactly the requests its clients send, one each, with their headers
  (the key included, unchanged) less the hop-by-hop ones; it asks for `Accept-Encoding:
  identity` so that it never has to inflate an answer to check it, follows no redirect and
  retries nothing;
* the key goes to the upstream only; it is masked in everything the proxy keeps, and every
  credential value it saw is blanked from every line and report;
* bounded: an answer that is not media is read up to `max_body` bytes (as the audit's relay
  does) within `request_timeout` seconds; a media answer streams through as it comes to the
  client (its memory flat whatever its size: the upstream is read no faster than the client
  takes it) while a thread copies it to a temporary file of at most `max_spool` bytes, which
  is decoded once the last byte went by (an MP4's `moov` box may come last) and then deleted;
  a request body is forwarded as it comes and kept for checking up to `max_request_body`
  bytes;
* an upstream that cannot be reached, closes without answering or sends too much is answered
  with an OpenAI-style error (502; 504 when it is too slow), marked with `PROXY_ERROR_HEADER`
  and reported; once an answer's head went out, a failure can only break the connection.

Each exchange is driven by the callbacks of its two connections (`front` for the client's,
`upstream` for the upstream's): the bytes of an answer go out in the callback that read them,
and the checks of an answer that is not media run once it went out, while the client reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from videos_contract.audit.answers import (
    DEFAULT_MAX_BODY,
    DEFAULT_REQUEST_TIMEOUT,
    MEDIA_PREFIXES,
)
from videos_contract.credentials import masked_headers
from videos_contract.http_rules import error_bytes, hop_by_hop
from videos_contract.proxy.checks import Seen, TrafficChecker
from videos_contract.proxy.upstream import Connection, Upstream, UpstreamError

if TYPE_CHECKING:
    from videos_contract.proxy.front import ClientConnection, Request

__all__ = [
    "DEFAULT_MAX_REQUEST_BODY",
    "DEFAULT_MAX_SPOOL",
    "PROXY_ERROR_HEADER",
    "Exchange",
    "ExchangeRecord",
    "ProxyLimits",
    "RecordingSink",
    "ValidatingProxy",
    "answer_head",
]

# Marks an answer the proxy made itself (the upstream gave none); its value says why.
PROXY_ERROR_HEADER = "x-videos-contract-proxy-error"
# Request bodies are forwarded as they come; this much is kept to check (a create with a
# reference image is a few MiB).
DEFAULT_MAX_REQUEST_BODY = 32 * 1024 * 1024
# An asset up to this size is spooled to disk and decoded; a larger one still streams through.
DEFAULT_MAX_SPOOL = 4 * 1024 * 1024 * 1024
# A request body up to this size is read whole before it is sent (one write upstream).
_SMALL_BODY = 256 * 1024
# Bytes of a request body held while the upstream connection is not ready: past these, the
# client is not read meanwhile.
_HELD = 1024 * 1024

# Request headers the proxy sets itself towards the upstream (besides the hop-by-hop ones).
_REPLACED = frozenset({"host", "accept-encoding", "expect"})
# How long after an answer went out it is judged, at most (a poll's next request, arriving
# meanwhile, goes first).
_JUDGE_DELAY = 0.0005
_REASONS = {status.value: status.phrase for status in HTTPStatus}


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


class _Spool:
    """A bounded temporary copy of a streamed asset; no file once it passed the cap.

    Written in the loop's thread as each piece passes: a page-cache write costs less than
    handing the piece to another thread (measured: about 0.05 s of CPU per 256 MiB, against
    several times that in thread hand-offs).
    """

    def __init__(self, cap: int, expected: int | None) -> None:
        self.cap = cap
        self.size = 0
        self._file: IO[bytes] | None = tempfile.NamedTemporaryFile(
            prefix="videos-contract-proxy-", suffix=".asset", delete=False, buffering=0
        )
        self.path: Path | None = Path(self._file.name)
        if expected is not None and 0 < expected <= cap:
            with contextlib.suppress(OSError, AttributeError):
                # The blocks at once, not one write at a time (where the system can).
                os.posix_fallocate(self._file.fileno(), 0, expected)

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
            if self.path is not None:
                # What was allocated ahead and not written (a short answer) is no asset.
                self._file.truncate(self.size)
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


def answer_head(status: int, headers: Sequence[tuple[str, str]]) -> bytes:
    """The status line and headers of an answer to the client."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, '')}".rstrip()]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    """The value of header `name` (names in lower case on both sides)."""
    for key, value in headers:
        if key == name:
            return value
    return None


class ValidatingProxy:
    """Forwards to `upstream`, checking every exchange with `checker`; its connections come
    from `front.ClientConnection`."""

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
        # Exchanges waiting for the upstream, each with the moment it times out (`sweep`).
        self.waiting: set[Exchange] = set()
        # Answers that went out, waiting to be judged (`later`).
        self._judging: deque[tuple[Callable[[bytes], None], bytes]] = deque()
        self._judge_scheduled = False

    @property
    def client(self) -> Upstream:
        if self._client is None:
            limits = self.limits
            self._client = Upstream(
                self.upstream,
                connect_timeout=min(limits.connect_timeout, limits.request_timeout),
            )
        return self._client

    def close(self) -> None:
        """Close the kept-alive connections to the upstream."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def begun(self) -> None:
        self._busy += 1  # only ever changed in the loop's thread

    def ended(self) -> None:
        self._busy -= 1

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

    def exchange(self, client: ClientConnection, request: Request) -> Exchange:
        return Exchange(self, client, request)

    def later(self, judge: Callable[[bytes], None], body: bytes) -> None:
        """Judge an answer once the loop has passed on what was waiting: a client's next
        request is forwarded before the last answer is checked (the checks wait at most
        `_JUDGE_DELAY` seconds)."""
        self._judging.append((judge, body))
        if not self._judge_scheduled:
            self._judge_scheduled = True
            asyncio.get_running_loop().call_later(_JUDGE_DELAY, self._judge)

    def _judge(self) -> None:
        self._judge_scheduled = False
        judging = self._judging
        while judging:
            judge, body = judging.popleft()
            judge(body)

    def sweep(self, now: float) -> None:
        """Time out the exchanges whose upstream is too slow (called a few times a second:
        one timer for all, not one per exchange)."""
        for exchange in [e for e in self.waiting if e.due <= now]:
            exchange.tick(now)


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


class Exchange:
    """One request and its answer, driven by the callbacks of both connections.

    The front calls `start` once the exchange is its connection's current one, then
    `client_body`/`client_body_done` as the request's body comes, `client_writable` when
    the client takes bytes again and `client_lost` if it goes away; the upstream connection
    calls the `upstream_*` methods (`upstream.Listener`); the proxy's sweep calls `tick`.
    """

    # Made for every request: slots make it quicker to build and to read.
    __slots__ = (
        "_begun",
        "_body",
        "_body_done",
        "_booked",
        "_chunked",
        "_chunked_out",
        "_connecting",
        "_connection",
        "_head_sent",
        "_held",
        "_held_size",
        "_kept",
        "_kept_size",
        "_last",
        "_last_client",
        "_loop",
        "_media",
        "_out_headers",
        "_record",
        "_seen",
        "_size",
        "_small",
        "_spool",
        "_status",
        "_upstream_paused",
        "client",
        "done",
        "due",
        "limits",
        "proxy",
        "request",
        "started",
    )

    def __init__(self, proxy: ValidatingProxy, client: ClientConnection, request: Request) -> None:
        self.proxy = proxy
        self.client = client
        self.request = request
        self.limits = proxy.limits
        self.done = False
        self.started = False
        self.due = 0.0
        self._loop = asyncio.get_running_loop()
        self._record: _Tracked | None = None
        self._seen = Seen(request.method, request.target, (), b"")
        self._booked = False
        # The request's body: what is kept to check, and what waits for the upstream.
        self._kept: list[bytes] = []
        self._kept_size = 0
        self._held: list[bytes] = []
        self._held_size = 0
        self._body_done = not request.has_body
        self._small = not request.has_body or (
            request.declared is not None and request.declared <= _SMALL_BODY
        )
        self._chunked = request.has_body and request.declared is None
        self._connection: Connection | None = None
        self._connecting: asyncio.Task[None] | None = None
        # The answer.
        self._status = 0
        self._out_headers: list[tuple[str, str]] = []
        self._media = False
        self._head_sent = False
        self._chunked_out = False
        self._body: list[bytes] = []
        self._size = 0
        self._spool: _Spool | None = None
        self._upstream_paused = False
        # When the request was sent, and when bytes last came from each side.
        self._begun = 0.0
        self._last = 0.0
        self._last_client = 0.0

    @property
    def body_done(self) -> bool:
        """The request's body was read to its end (else its connection cannot go on)."""
        return self._body_done

    # -- the request --------------------------------------------------------------------
    def start(self) -> None:
        """The exchange is the connection's current one: begin forwarding."""
        self.started = True
        self.proxy.begun()
        recorder = self.proxy.recorder
        if recorder is not None:
            request = self.request
            self._record = _Tracked(
                recorder.begin(
                    request.method, request.target, request.headers, started=time.monotonic()
                )
            )
        for chunk in self._held:
            self._keep(chunk)
        if self.request.expects_continue and not self._body_done and not self._held:
            self.client.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if not self._small or self._body_done:
            self._send()

    def _book(self) -> None:
        """Credentials noted (to be blanked everywhere), the request counted and masked."""
        if self._booked:
            return
        self._booked = True
        findings = self.proxy.findings
        headers = self.request.headers
        secrets = findings.secrets
        for name, value in headers:
            secrets.add_header(name, value)
        secrets.add_target(self.request.target)
        findings.count_request()
        self._seen.headers = masked_headers(headers)

    def client_body(self, chunk: bytes) -> None:
        if self.started:
            self._keep(chunk)
        self._last_client = self._loop.time()
        connection = self._connection
        if connection is not None and not self._small:
            connection.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if self._chunked else chunk)
            if connection.write_paused:
                self.client.pause_reading()
            return
        self._held.append(chunk)
        self._held_size += len(chunk)
        if not self._small and self._held_size > _HELD:
            self.client.pause_reading()

    def client_body_done(self) -> None:
        self._body_done = True
        if not self.started or self.done:
            return
        connection = self._connection
        if self._small:
            if connection is None and self._connecting is None:
                self._send()
        elif connection is not None and self._chunked:
            connection.write(b"0\r\n\r\n")

    def upstream_writable(self) -> None:
        if not self.done:
            self.client.resume_reading()

    def _keep(self, chunk: bytes) -> None:
        if self._record is not None:
            self._record.record.request_body(chunk)
        self._kept_size += len(chunk)
        if self._kept_size <= self.limits.max_request_body:
            self._kept.append(chunk)

    def _kept_body(self) -> bytes | None:
        if self._kept_size > self.limits.max_request_body:
            return None
        return b"".join(self._kept)

    def _send(self) -> None:
        self._begun = self._last = self._loop.time()
        self.due = self._begun + self.limits.request_timeout
        self.proxy.waiting.add(self)
        connection = self.proxy.client.idle()
        if connection is not None:
            self._forward(connection)
        else:
            self._connecting = self._loop.create_task(self._connect())

    async def _connect(self) -> None:
        try:
            connection = await self.proxy.client.connect()
        except UpstreamError as exc:
            self._connecting = None
            self._fail(_Failure.of(exc))
            return
        self._connecting = None
        if self.done:
            connection.close()
            return
        self._forward(connection)

    def _forward(self, connection: Connection) -> None:
        request = self.request
        headers = _without(request.headers, _REPLACED)
        headers.append(("accept-encoding", "identity"))
        body = b"".join(self._held) if self._small else b""
        try:
            head = self.proxy.client.head(
                request.method,
                request.target,
                headers,
                length=len(body) if self._small else request.declared,
            )
        except UpstreamError as exc:
            connection.close()
            self._fail(_Failure.of(exc))
            return
        self._connection = connection
        connection.start(self, head + body, head_only=request.method == "HEAD")
        if self._small:
            self._held.clear()
            return
        if self._held:
            for chunk in self._held:
                connection.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if self._chunked else chunk)
            self._held.clear()
            self._held_size = 0
            self.client.resume_reading()
        if self._body_done and self._chunked:
            connection.write(b"0\r\n\r\n")

    # -- the answer ---------------------------------------------------------------------
    def upstream_head(self, status: int, headers: list[tuple[str, str]]) -> None:
        if self.done:
            return
        self._last = self._loop.time()
        self._status = status
        seen = self._seen
        seen.status = status
        seen.response_headers = tuple(headers)
        self._out_headers = _without(headers)
        ctype = (_header(headers, "content-type") or "").lower()
        self._media = ctype.startswith(MEDIA_PREFIXES) and self.request.method != "HEAD"
        if not self._media:
            declared = (_header(headers, "content-length") or "").strip()
            if declared.isdigit() and int(declared) > self.limits.max_body:
                self._fail(
                    _Failure(
                        502,
                        "too-large",
                        f"the upstream's answer declares {declared} bytes, "
                        f"more than {self.limits.max_body}",
                    )
                )
            return
        # A media answer goes out as it comes; each read must come in time, not the whole.
        out = self._out_headers
        if self._record is not None:
            self._record.response(status, out)  # as the upstream framed it: no framing header
        length = _header(out, "content-length")
        if length is None:
            if self.request.http10:
                self.request.keep_alive = False  # the close ends the body
            else:
                out = [*out, ("transfer-encoding", "chunked")]
                self._chunked_out = True
        if status == 200:
            expected = int(length) if length is not None and length.strip().isdigit() else None
            self._spool = _Spool(self.limits.max_spool, expected)
        self._head_sent = True
        self.due = self._last + self.limits.request_timeout
        self.client.write(answer_head(status, self.client.framed(out)))

    def upstream_body(self, data: bytes) -> None:
        if self.done:
            return
        self._last = self._loop.time()
        self._size += len(data)
        if not self._media:
            if self._size > self.limits.max_body:
                self._fail(
                    _Failure(
                        502,
                        "too-large",
                        f"the upstream's answer passed {self.limits.max_body} bytes "
                        "and was still coming",
                    )
                )
                return
            self._body.append(data)
            return
        if self._record is not None:
            self._record.body(data)
        self.client.write(b"%x\r\n%b\r\n" % (len(data), data) if self._chunked_out else data)
        if self._spool is not None:
            self._spool.write(data)
        if self.client.write_paused:
            self._pause_upstream()

    def client_writable(self) -> None:
        """The client takes bytes again: read the upstream again."""
        if self._upstream_paused and not self.client.write_paused:
            self._upstream_paused = False
            self._last = self._loop.time()  # the upstream's time runs again from here
            if self._connection is not None:
                self._connection.resume()

    def _pause_upstream(self) -> None:
        if not self._upstream_paused and self._connection is not None:
            self._upstream_paused = True
            self._connection.pause()

    def upstream_done(self) -> None:
        if self.done:
            return
        self.proxy.waiting.discard(self)
        seen = self._seen
        if not self._media:
            body = b"".join(self._body)
            self._body.clear()
            out = self._out_headers
            status = self._status
            if self._record is not None:
                self._record.response(status, out)  # as the upstream framed it
                if body:
                    self._record.body(body)
            if (
                self.request.method != "HEAD"
                and status not in (204, 304)
                and _header(out, "content-length") is None
            ):
                out = [*out, ("content-length", str(len(body)))]
            self._release()
            self.client.write(answer_head(status, self.client.framed(out)) + body)
            self._finish_record(None)
            self._end()
            # Checked once the answer is out, when the proxy has nothing to pass on.
            self.proxy.later(self._judge_whole, body)
            return
        if self._chunked_out:
            self.client.write(b"0\r\n\r\n")
        self._release()
        self._finish_record(None)
        self._end()
        self._book()
        seen.body = self._kept_body()
        self.proxy.checker.streamed(seen)
        spool, self._spool = self._spool, None
        if spool is None:
            self.proxy.ended()
            return
        self._loop.create_task(self._decode(spool, self._size))

    def _judge_whole(self, body: bytes) -> None:
        self._book()
        self._seen.body = self._kept_body()
        try:
            self.proxy.checker.whole(self._seen, body)
        finally:
            self.proxy.ended()

    async def _decode(self, spool: _Spool, size: int) -> None:
        try:
            path = spool.close()
            await asyncio.to_thread(self.proxy.checker.asset, self._seen, path, size)
        finally:
            spool.discard()
            self.proxy.ended()

    def upstream_failed(self, error: UpstreamError) -> None:
        if self.done:
            return
        suffix = ""
        if self._head_sent or self._size:
            suffix = f" (after {self._size} bytes of the {'asset' if self._media else 'body'})"
        self._fail(_Failure.of(error, suffix))

    def _release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            if self._body_done:
                self.proxy.client.release(connection)
            else:
                connection.close()  # the request was cut short: the connection is unsure

    # -- time ---------------------------------------------------------------------------
    def tick(self, now: float) -> None:
        """`due` passed: time out, unless bytes came meanwhile (then a later `due`)."""
        if self.done:
            self.proxy.waiting.discard(self)
            return
        timeout = self.limits.request_timeout
        # A whole answer must come within the timeout; a media answer's bytes, and a
        # request body still being sent, within the timeout of the last ones.
        due = self._last + timeout if self._head_sent else self._begun + timeout
        if self._upstream_paused:
            # Not read because the client takes its bytes slowly: not the upstream's delay.
            due = now + timeout
        if not self._body_done:
            due = max(due, self._last_client + timeout)
        if now < due:
            self.due = due
            return
        if self._head_sent:
            message = "the upstream sent nothing in time"
        else:
            message = "the upstream's answer did not arrive in time"
        self._fail(_Failure(504, "too-slow", message))

    # -- endings ------------------------------------------------------------------------
    def _fail(self, failure: _Failure) -> None:
        if self.done:
            return
        self._book()
        self.proxy.waiting.discard(self)
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.discard()
        seen = self._seen
        seen.body = self._kept_body()
        message = self.proxy.findings.secrets(str(failure))
        expected = "a complete answer" if self._head_sent else "an answer"
        if self._head_sent:
            # The head is out: the client can only see the connection break.
            self._finish_record(message)
            self._end()
            self.client.abort()
        else:
            body = error_bytes(
                f"videos-contract proxy: {message}", "upstream_error", code=failure.kind
            )
            headers = [
                ("content-type", "application/json"),
                ("content-length", str(len(body))),
                (PROXY_ERROR_HEADER, failure.kind),
            ]
            if self._record is not None:
                self._record.response(failure.status, headers)
                self._record.body(body)
            self._finish_record(message)
            self.client.write(answer_head(failure.status, self.client.framed(headers)) + body)
            self._end()
        self.proxy.checker.upstream_failed(seen, expected, message)
        self.proxy.ended()

    def client_lost(self) -> None:
        """The client went away: the exchange ends here, unjudged."""
        if self.done or not self.started:
            self.done = True
            return
        self.done = True
        self.proxy.waiting.discard(self)
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        if self._connecting is not None:
            self._connecting.cancel()
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.discard()
        self._finish_record("the exchange was cut short")
        self._book()
        what = f"{self.request.method} {self._seen.path}"
        self.proxy.findings.note(f"{what}: the client went away before the answer ended")
        self.proxy.ended()

    def _finish_record(self, error: str | None) -> None:
        if self._record is not None:
            self._record.finish(error)

    def _end(self) -> None:
        """The answer went out (whole, or broken off): the connection may go on."""
        self.done = True
        self.client.exchange_ended(self, clean=self._body_done)
