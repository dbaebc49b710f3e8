"""The HTTP client the behaviour checks use: talks to the relay, records what it sent.

Every response carries the `Exchange` that produced it (with the server's real URL and no
key), so that a check can attach a reproduction to the violation it reports.

The client keeps the audit's clock: past its `deadline` (set by the engine for the whole
audit and for each check) it sends nothing more and raises `UpstreamFailed`, and it
remembers in `cut_off` why the current check was cut short. `reach` is the first request
of an audit, made before any relay exists, with the same words for what went wrong.

A media answer (video, image, octet-stream) is never held in memory: it streams to a
temporary file (bounded by the media cap, deleted when the `Reply` is closed), and the reply
keeps only its size, its first bytes and its digest; the checks decode the file.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from videos_contract.audit.proxy import (
    BUDGET_MARK,
    DEFAULT_MAX_MEDIA,
    MEDIA_PREFIXES,
    OUTCOME_HEADER,
    PLACEHOLDER_KEY,
    REFUSED_MARK,
    REQUEST_ID_HEADER,
    UPSTREAM_ERROR_MARK,
)
from videos_contract.audit.results import Exchange
from videos_contract.credentials import Secrets
from videos_contract.sockets import reads_until
from videos_contract.sockets import transport as deadline_transport

__all__ = [
    "AnswerRefused",
    "AuditClient",
    "BudgetSpent",
    "MediaBody",
    "Reply",
    "TargetUnusable",
    "UpstreamFailed",
    "reach",
]

# Seconds the client waits for the relay beyond the relay's own limit on a request.
_GRACE = 5.0
# The first bytes of a media body a reply keeps (a byte-range check compares at most these).
MEDIA_HEAD = 4096


class BudgetSpent(Exception):
    """The relay refused a billed request: the --max-creates budget is spent."""


class UpstreamFailed(Exception):
    """The relay could not get an answer from the server (`kind` says how), or the audit's
    deadline stopped the request."""

    def __init__(self, message: str, kind: str = "") -> None:
        super().__init__(message)
        self.kind = kind


class AnswerRefused(Exception):
    """The server answered outside a bound the audit keeps (an encoding nobody asked for, a
    body too large, an answer too slow): a violation, with the request that caused it."""

    def __init__(self, kind: str, message: str, exchange: Exchange) -> None:
        super().__init__(message)
        self.kind = kind
        self.exchange = exchange
        expected = {
            "content-encoding": "an answer in identity encoding (the only one accepted)",
            "too-large": "an answer of a bounded size",
            "too-slow": "a complete answer in bounded time",
            "no-answer": "an answer",
        }
        self.expected = expected.get(kind, "an answer the audit can read")


class TargetUnusable(Exception):
    """The first request found no server to audit; the message says which way it failed."""


def _unknown_host(exc: BaseException) -> bool:
    """Whether the connection failed on resolving the host name (httpx's error, then
    httpcore's, then the resolver's)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# How much of an answer `reach` keeps as the server's words.
WORDS_KEPT = 2000


def reach(url: str, key: str, path: str, timeout: float = 30.0) -> tuple[int, str]:
    """One read of `path` (authenticated unless `key` is empty), bounded in time and size;
    its status and the start of its body (the server's words, the key masked).

    Raises `TargetUnusable` saying "cannot reach" (no connection), "no answer" (connected,
    nothing came back) or "answer too slow" (the answer did not finish within `timeout`).
    """
    started = time.monotonic()
    target = url.rstrip("/") + path

    masked = Secrets([key])

    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    received: int | None = None  # None until the status line and headers have arrived
    try:
        with (
            # Every socket read cut to the time left: headers sent a byte at a time end too.
            reads_until(started + timeout),
            httpx.Client(timeout=limits, transport=deadline_transport()) as http,
            http.stream(
                "GET",
                target,
                params={"limit": 1},
                headers=(
                    {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
                    if key
                    else {"Accept-Encoding": "identity"}
                ),
            ) as response,
        ):
            received = 0
            head = b""
            for chunk in response.iter_raw():
                received += len(chunk)
                head = (head + chunk)[:WORDS_KEPT]
                if time.monotonic() - started > timeout:
                    raise httpx.ReadTimeout("past the deadline")
                if received > 1024 * 1024:
                    break  # a list page of one video; the status is what matters here
            words = " ".join(head.decode("utf-8", "replace").split())
            return response.status_code, masked(words)
    except httpx.ConnectError as exc:
        reason = masked(str(exc))
        kind = "TLS handshake failed" if "SSL" in reason or "certificate" in reason else None
        if kind:
            raise TargetUnusable(f"{kind} to {url}: {reason}") from None
        if _unknown_host(exc):
            host = urlsplit(url).hostname
            raise TargetUnusable(f"cannot reach {url}: unknown host {host} ({reason})") from None
        raise TargetUnusable(f"cannot reach {url}: cannot connect ({reason})") from None
    except httpx.ConnectTimeout:
        raise TargetUnusable(f"cannot reach {url}: no connection within 10 s") from None
    except httpx.ReadTimeout:
        if received is not None:
            raise TargetUnusable(
                f"answer too slow from {url}: only {received} bytes of the answer within "
                f"{timeout:g} s"
            ) from None
        raise TargetUnusable(
            f"no answer from {url}: it accepted the connection but no answer arrived within "
            f"{timeout:g} s"
        ) from None
    except httpx.RemoteProtocolError as exc:
        raise TargetUnusable(
            f"no answer from {url}: it closed the connection without an answer ({masked(str(exc))})"
        ) from None
    except httpx.HTTPError as exc:
        raise TargetUnusable(f"cannot reach {url}: {type(exc).__name__}") from None


@dataclass(frozen=True)
class MediaBody:
    """A media body on disk (a temporary file) and what the checks keep of it."""

    path: Path
    size: int
    head: bytes
    sha256: str


@dataclass(frozen=True)
class Reply:
    """A response and the exchange that produced it.

    A media body is in `media` (a temporary file, removed by `close()` or the `with` block),
    the response's own body then left unread; any other body is in `response` as read."""

    response: httpx.Response
    exchange: Exchange
    media: MediaBody | None = None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def size(self) -> int:
        """The body's length in bytes."""
        return self.media.size if self.media is not None else len(self.response.content)

    @property
    def head(self) -> bytes:
        """The body's first bytes (up to `MEDIA_HEAD`)."""
        if self.media is not None:
            return self.media.head
        return self.response.content[:MEDIA_HEAD]

    @property
    def sha256(self) -> str:
        """The body's SHA-256, hex."""
        if self.media is not None:
            return self.media.sha256
        return hashlib.sha256(self.response.content).hexdigest()

    @property
    def source(self) -> bytes | Path:
        """The body for `videos_contract.probe`: its file, or its bytes."""
        return self.media.path if self.media is not None else self.response.content

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        if self.media is not None:
            return None
        try:
            return self.response.json()
        except ValueError:
            return None

    def close(self) -> None:
        """Remove a media body's temporary file."""
        if self.media is not None:
            self.media.path.unlink(missing_ok=True)

    def __enter__(self) -> Reply:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


_URL = re.compile(r"https?://[^\s,;\"'<>]+", re.IGNORECASE)


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or "").lower(), port or (443 if parts.scheme == "https" else 80)


def _internal(url: str) -> bool:
    """Whether a URL names a loopback, private-network or link-local host."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".internal"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


class AuditClient:
    """Requests through the relay; `auth=False` or `key=...` to test the server's key check."""

    def __init__(
        self,
        relay_url: str,
        target_url: str,
        timeout: float = 120.0,
        max_media: int = DEFAULT_MAX_MEDIA,
    ) -> None:
        self._relay_url = relay_url.rstrip("/")
        self.target_url = target_url.rstrip("/")
        self._timeout = timeout
        self.max_media = max_media
        # Identity, as the relay asks of the server: nothing is decoded on either side.
        self._http = httpx.Client(
            base_url=self._relay_url, timeout=timeout, headers={"Accept-Encoding": "identity"}
        )
        # A `time.monotonic()` moment after which nothing is sent; why the last check stopped.
        self.deadline: float | None = None
        self.deadline_reason = ""
        self.cut_off: str | None = None
        # Media bodies on disk whose reply was not closed: removed with the client at the latest.
        self._files: list[Path] = []
        # Answer headers holding a loopback or private-network URL (header -> an example).
        self.leaks: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()
        for path in self._files:
            path.unlink(missing_ok=True)
        self._files.clear()

    def request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        key: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        elif auth:
            headers["Authorization"] = f"Bearer {PLACEHOLDER_KEY}"
        timeout = self._timeout + _GRACE
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.cut_off = f"{self.deadline_reason} before {method} {path}"
                raise UpstreamFailed(self.cut_off, "deadline")
            timeout = min(timeout, left + _GRACE)
        request_id = uuid.uuid4().hex
        headers[REQUEST_ID_HEADER] = request_id
        request = self._http.build_request(method, path, headers=headers, timeout=timeout, **kwargs)
        request.read()  # multipart bodies are streams; the exchange needs their bytes
        response = self._http.send(request, stream=True)
        self._note_leaks(request, response)
        try:
            ctype = response.headers.get("content-type", "").lower()
            if method == "HEAD" or not ctype.startswith(MEDIA_PREFIXES):
                response.read()  # JSON and other answers: the relay has bounded them
                self._check_marks(request, response, response.status_code)
                return Reply(response, self._exchange(request, response.status_code))
            media = self._to_file(request, response, request_id)
        finally:
            response.close()
        return Reply(response, self._exchange(request, response.status_code), media)

    def _note_leaks(self, request: httpx.Request, response: httpx.Response) -> None:
        """Keep answer headers that name a loopback or private-network URL other than the
        audited server's own: they show the server's internals (information, not a fault)."""
        own = {_origin(self.target_url), _origin(self._relay_url)}
        for name, value in response.headers.items():
            for url in _URL.findall(value):
                if _origin(url) not in own and _internal(url):
                    shown = f"{name}: {value}"[:200]
                    self.leaks.setdefault(
                        name.lower(), f"{shown} (answer to {request.method} {request.url.path})"
                    )

    def _to_file(
        self, request: httpx.Request, response: httpx.Response, request_id: str
    ) -> MediaBody:
        """Stream a media body to a temporary file, within the media cap."""
        descriptor, name = tempfile.mkstemp(prefix="videos-contract-audit-", suffix=".media")
        path = Path(name)
        self._files = [kept for kept in self._files if kept.exists()]
        self._files.append(path)
        digest = hashlib.sha256()
        head = b""
        size = 0
        try:
            with os.fdopen(descriptor, "wb") as out:
                try:
                    for chunk in response.iter_raw():
                        size += len(chunk)
                        if size > self.max_media:
                            raise AnswerRefused(
                                "too-large",
                                f"{request.method} {request.url.path}: the answer passed "
                                f"{self.max_media} bytes and was still coming; cut off",
                                self._exchange(request, response.status_code),
                            )
                        if len(head) < MEDIA_HEAD:
                            head += chunk[: MEDIA_HEAD - len(head)]
                        digest.update(chunk)
                        out.write(chunk)
                except httpx.TransportError:
                    # The relay broke the answer off past its headers; it says why.
                    self._ask_outcome(request, response.status_code, request_id)
                    raise
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return MediaBody(path, size, head, digest.hexdigest())

    def _ask_outcome(self, request: httpx.Request, status: int, request_id: str) -> None:
        """Raise what the relay says broke off the answer to `request`."""
        outcome = self._http.get("/", headers={OUTCOME_HEADER: request_id})
        self._check_marks(request, outcome, status)

    def _check_marks(self, request: httpx.Request, response: httpx.Response, status: int) -> None:
        """Raise for an answer the relay made itself instead of passing the server's on."""
        if BUDGET_MARK in response.headers:
            raise BudgetSpent("the --max-creates budget is spent")
        if REFUSED_MARK in response.headers:
            exchange = self._exchange(request, status)
            raise AnswerRefused(
                response.headers[REFUSED_MARK], response.json()["error"]["message"], exchange
            )
        if UPSTREAM_ERROR_MARK in response.headers:
            kind = response.headers[UPSTREAM_ERROR_MARK]
            message = response.json()["error"]["message"]
            if kind == "deadline":
                self.cut_off = f"{self.deadline_reason}: {message}"
            raise UpstreamFailed(message, kind)

    def _exchange(self, request: httpx.Request, status: int) -> Exchange:
        url = str(request.url).replace(self._relay_url, self.target_url, 1)
        skip = {
            "host",
            "content-length",
            "accept-encoding",
            "connection",
            "user-agent",
            "accept",
            REQUEST_ID_HEADER,
        }
        headers = tuple((k, v) for k, v in request.headers.items() if k.lower() not in skip)
        return Exchange(request.method, url, headers, request.content, status)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)
