"""Cassettes: recorded HTTP exchanges of the Videos API, written safely and read back strictly.

A cassette is a directory (the format is described in `docs/cassettes.md`):

* `cassette.json`, the manifest: format name, version, the upstream origin (no credentials),
  when the recording started and, once closed, when it ended and which exchanges belong to
  which job. Written at start and replaced atomically at `close`.
* `exchanges.jsonl`, the journal: one JSON line per event (`begin`, `response`, `end`), each
  written with one unbuffered `write`, so a recorder killed mid-download leaves every event
  before the kill on disk. An exchange with no `end` is read back as incomplete.
* `bodies/`, the bodies that are not small JSON: media and multipart uploads, streamed to
  disk chunk by chunk (never held whole), each described in its `end` event by length and
  sha256.

The recorder masks credential headers itself and scrubs every credential value it has seen
from everything it writes, bodies included (same-length `*` runs, so lengths stay true). A key
first seen after some files were written is scrubbed from those files at `close`.

Standard library only: the proxy records with it and the mock replays from it.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from videos_contract.credentials import (
    CREDENTIAL_HEADERS,
    Secrets,
    StreamScrubber,
    masked_header,
    masked_target,
)
from videos_contract.http_rules import is_json, media_type

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "INLINE_JSON_LIMIT",
    "Body",
    "Cassette",
    "CassetteError",
    "Exchange",
    "RecordedExchange",
    "Recorder",
    "read_cassette",
]

FORMAT_NAME = "videos-contract-cassette"
FORMAT_VERSION = 1
MANIFEST_NAME = "cassette.json"
JOURNAL_NAME = "exchanges.jsonl"
BODIES_DIR = "bodies"

#: A JSON body up to this size is kept inline in the journal; a larger one goes to a file.
INLINE_JSON_LIMIT = 256 * 1024
_VIDEO_ID = re.compile(r"/videos/([^/?#]+)")
_EXTENSIONS = {
    "video/mp4": ".mp4",
    "image/webp": ".webp",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/json": ".json",
    "multipart/form-data": ".multipart",
}


class CassetteError(ValueError):
    """A cassette that cannot be written or read; the message is one line naming the fault."""


def _now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _media_type(headers: Sequence[tuple[str, str]]) -> str:
    return media_type(next((v for n, v in headers if n.lower() == "content-type"), ""))


def _content_encoding(headers: Sequence[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-encoding":
            encoding = value.strip().lower()
            return "" if encoding == "identity" else encoding
    return ""


def _decoded(raw: bytes, encoding: str, limit: int) -> bytes | None:
    """`raw` without its gzip or deflate coding, None when it is not that or decodes past
    `limit` bytes (a compressed body is never inflated without a bound)."""
    if not encoding:
        return raw
    if encoding in {"gzip", "x-gzip"}:
        attempts = [16 + zlib.MAX_WBITS]
    elif encoding == "deflate":
        attempts = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped, as the RFC says, or raw
    else:
        return None
    for wbits in attempts:
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(raw, limit + 1)
        except zlib.error:
            continue
        if inflater.eof and len(out) <= limit:
            return out
    return None


def strip_credentials(url: str) -> str:
    """The origin and path of `url` without user, password, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class _BodyWriter:
    """One body: kept in memory while it may stay inline JSON, else streamed to its file."""

    def __init__(
        self, recorder: Recorder, seq: int, side: str, headers: Sequence[tuple[str, str]]
    ) -> None:
        self._recorder = recorder
        self._seq = seq
        self._side = side
        self.media_type = _media_type(headers)
        self.encoding = _content_encoding(headers)
        self._inline = is_json(self.media_type)
        self._buffer = bytearray()
        self._fd: int | None = None
        self.relative: str | None = None
        self._scrubber = StreamScrubber(recorder._secrets, short=False)
        self._digest = hashlib.sha256()
        self.length = 0

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self._inline:
            self._buffer += chunk
            if len(self._buffer) <= INLINE_JSON_LIMIT:
                return
            self._inline = False
            chunk, self._buffer = bytes(self._buffer), bytearray()
        self._to_file(self._scrubber.feed(chunk))

    def _to_file(self, data: bytes) -> None:
        if self._fd is None:
            extension = _EXTENSIONS.get(self.media_type, ".bin")
            self.relative = f"{BODIES_DIR}/{self._seq:06d}-{self._side}{extension}"
            path = self._recorder.directory / self.relative
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._recorder._files[self.relative] = self._recorder._secrets.generation
        if data:
            _write_all(self._fd, data)
            self._digest.update(data)
            self.length += len(data)
            assert self.relative is not None
            self._recorder._files[self.relative] = self._recorder._secrets.generation

    def finish(self, complete: bool) -> dict[str, Any] | None:
        """The body's record for the `end` event (None for an empty body)."""
        if self._inline:
            if not self._buffer:
                return None
            # A gzip or deflate JSON body is kept decoded (readable, and scrubbed: a key
            # inside compressed bytes would escape the scrubber); a replay serves it plainly.
            plain = _decoded(bytes(self._buffer), self.encoding, INLINE_JSON_LIMIT)
            value = (
                _parsed(self._recorder._secrets.scrub(plain, short=False))
                if plain is not None
                else None
            )
            if value is None:
                self._inline = False
                self._to_file(self._recorder._secrets.scrub(bytes(self._buffer), short=False))
            else:
                record: dict[str, Any] = {"json": value[0], "length": len(value[1])}
                if self.media_type:
                    record["content_type"] = self.media_type
                if self.encoding:
                    record["decoded_from"] = self.encoding
                if not complete:
                    record["complete"] = False
                return record
        rest = self._scrubber.flush()
        if rest or self._fd is not None:
            self._to_file(rest)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.relative is None:
            return None
        record = {
            "file": self.relative,
            "length": self.length,
            "sha256": self._digest.hexdigest(),
        }
        if self.media_type:
            record["content_type"] = self.media_type
        if self.encoding:
            record["content_encoding"] = self.encoding
        if not complete:
            record["complete"] = False
        return record

    def first_json(self) -> Any:
        """The body parsed as JSON when it is inline JSON, else None (for job ids)."""
        if not self._inline or not self._buffer:
            return None
        plain = _decoded(bytes(self._buffer), self.encoding, INLINE_JSON_LIMIT)
        value = _parsed(plain) if plain is not None else None
        return None if value is None else value[0]


def _parsed(raw: bytes) -> tuple[Any, bytes] | None:
    """(value, raw) when `raw` is a JSON document, else None."""
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8")), raw
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


class Exchange:
    """One request and its response, recorded as they stream. Synchronous, small writes only."""

    def __init__(
        self,
        recorder: Recorder,
        seq: int,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
    ) -> None:
        self._recorder = recorder
        self.seq = seq
        self.method = method.upper()
        self.target = target
        self._request = _BodyWriter(recorder, seq, "request", headers)
        self._response: _BodyWriter | None = None
        self.status: int | None = None
        self.finished = False

    def request_body(self, chunk: bytes) -> None:
        with self._recorder._lock:
            if not self.finished:
                self._request.write(chunk)

    def response(self, status: int, headers: Sequence[tuple[str, str]], *, at: float) -> None:
        with self._recorder._lock:
            if self.finished or self._response is not None:
                return
            self.status = status
            self._response = _BodyWriter(self._recorder, self.seq, "response", headers)
            self._recorder._event(
                {
                    "event": "response",
                    "seq": self.seq,
                    "status": status,
                    "headers": self._recorder._headers(headers),
                    "at": self._recorder._relative(at),
                }
            )

    def response_body(self, chunk: bytes) -> None:
        with self._recorder._lock:
            if not self.finished and self._response is not None:
                self._response.write(chunk)

    def finish(self, *, at: float, error: str | None = None) -> None:
        with self._recorder._lock:
            self._finish(at, error)

    def _finish(self, at: float, error: str | None) -> None:
        if self.finished:
            return
        self.finished = True
        complete = error is None
        job_id = self._job_id()
        request = self._request.finish(complete)
        response = self._response.finish(complete) if self._response is not None else None
        event: dict[str, Any] = {
            "event": "end",
            "seq": self.seq,
            "at": self._recorder._relative(at),
            "complete": complete,
            "job": job_id,
            "request_body": request,
            "response_body": response,
        }
        if error is not None:
            event["error"] = self._recorder._scrubbed_text(error)
        self._recorder._event(event)
        self._recorder._open.pop(self.seq, None)
        if job_id is not None:
            self._recorder._jobs.setdefault(job_id, []).append(self.seq)

    def _job_id(self) -> str | None:
        """The job this exchange belongs to: a create's or remix's new id, else the path's id."""
        if self.method == "POST" and self._response is not None and self.status == 200:
            body = self._response.first_json()
            if isinstance(body, dict) and isinstance(body.get("id"), str):
                return str(body["id"])
        match = _VIDEO_ID.search(self.target.split("?", 1)[0])
        return match.group(1) if match else None


class Recorder:
    """Writes one cassette directory. Thread-safe; every method returns quickly."""

    def __init__(self, directory: Path, upstream: str) -> None:
        self.directory = directory
        self.upstream = upstream
        self._lock = threading.RLock()
        self._secrets = Secrets()
        self._files: dict[str, int] = {}
        self._jobs: dict[str, list[int]] = {}
        self._open: dict[int, Exchange] = {}
        self._seq = 0
        self._origin = time.monotonic()
        self._recorded_at = _now_utc()
        self._closed = False
        self._journal = -1

    @classmethod
    def create(cls, directory: Path, *, upstream: str) -> Recorder:
        """Start a cassette in `directory` (created; it must not hold a cassette already)."""
        directory = Path(directory)
        if (directory / MANIFEST_NAME).exists() or (directory / JOURNAL_NAME).exists():
            raise CassetteError(f"{directory} already holds a cassette; record into a new folder")
        try:
            (directory / BODIES_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CassetteError(f"cannot create cassette folder {directory}: {error}") from None
        recorder = cls(directory, strip_credentials(upstream))
        recorder._write_manifest()
        recorder._journal = os.open(
            directory / JOURNAL_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
        )
        recorder._files[JOURNAL_NAME] = 0
        atexit.register(recorder.close)
        return recorder

    def _relative(self, moment: float) -> float:
        return round(max(moment - self._origin, 0.0), 6)

    def _headers(self, headers: Sequence[tuple[str, str]]) -> list[list[str]]:
        for name, value in headers:
            self._secrets.add_header(name, value)
        return [
            [
                name,
                masked_header(name, value)
                if name.lower() in CREDENTIAL_HEADERS
                else self._scrubbed_text(value),
            ]
            for name, value in headers
        ]

    def _target(self, target: str) -> str:
        self._secrets.add_target(target)
        return self._scrubbed_text(masked_target(target))

    def _scrubbed_text(self, text: str) -> str:
        raw = self._secrets.scrub(text.encode("utf-8", "surrogateescape"), short=False)
        return raw.decode("utf-8", "surrogateescape")

    def _event(self, event: Mapping[str, Any]) -> None:
        if self._journal < 0:
            return
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
        _write_all(self._journal, self._secrets.scrub(line.encode("utf-8"), short=False))
        self._files[JOURNAL_NAME] = self._secrets.generation

    def begin(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        *,
        started: float,
    ) -> Exchange:
        with self._lock:
            self._seq += 1
            masked_headers = self._headers(headers)
            exchange = Exchange(self, self._seq, method, target, headers)
            if self._closed:
                exchange.finished = True
                return exchange
            self._open[exchange.seq] = exchange
            self._event(
                {
                    "event": "begin",
                    "seq": exchange.seq,
                    "method": exchange.method,
                    "target": self._target(target),
                    "headers": masked_headers,
                    "started": self._relative(started),
                }
            )
            return exchange

    def _manifest(self, closed_at: str | None) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "upstream": self.upstream,
            "recorded_at": self._recorded_at,
            "closed_at": closed_at,
            "journal": JOURNAL_NAME,
            "exchanges": self._seq,
            "jobs": {job: list(seqs) for job, seqs in self._jobs.items()},
        }

    def _write_manifest(self, closed_at: str | None = None) -> None:
        text = json.dumps(self._manifest(closed_at), indent=2, ensure_ascii=False) + "\n"
        _atomic_write(
            self.directory / MANIFEST_NAME, self._secrets.scrub(text.encode("utf-8"), short=False)
        )

    def close(self) -> None:
        """Mark unfinished exchanges incomplete, scrub late keys, write the manifest. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            atexit.unregister(self.close)
            now = time.monotonic()
            for exchange in list(self._open.values()):
                exchange._finish(now, "recording stopped before the exchange finished")
            if self._journal >= 0:
                os.fsync(self._journal)
                os.close(self._journal)
                self._journal = -1
            digests = {
                relative: self._rescrub(self.directory / relative)
                for relative, generation in self._files.items()
                if generation < self._secrets.generation and relative != JOURNAL_NAME
            }
            if digests or self._files[JOURNAL_NAME] < self._secrets.generation:
                self._rewrite_journal(digests)
            self._write_manifest(_now_utc())

    def _rescrub(self, path: Path) -> str:
        """Scrub a body written before some key was seen (rare, one pass); its new sha256."""
        scrubber = StreamScrubber(self._secrets, short=False)
        digest = hashlib.sha256()
        temporary = path.with_name(path.name + ".tmp")
        with open(path, "rb") as source, open(temporary, "wb") as target:
            while chunk := source.read(1 << 20):
                out = scrubber.feed(chunk)
                digest.update(out)
                target.write(out)
            out = scrubber.flush()
            digest.update(out)
            target.write(out)
        os.replace(temporary, path)
        return digest.hexdigest()

    def _rewrite_journal(self, digests: Mapping[str, str]) -> None:
        """Scrub the journal again and give rescrubbed bodies their new digests."""
        path = self.directory / JOURNAL_NAME
        lines = []
        for line in path.read_bytes().splitlines():
            event = json.loads(self._secrets.scrub(line, short=False).decode("utf-8"))
            for side in ("request_body", "response_body"):
                body = event.get(side)
                if isinstance(body, dict) and body.get("file") in digests:
                    body["sha256"] = digests[body["file"]]
            lines.append(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        _atomic_write(path, "".join(lines).encode("utf-8"))

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Body:
    """A recorded body: inline JSON (`json`) or a file in the cassette (`path`)."""

    length: int
    content_type: str = ""
    json: Any = None
    path: Path | None = None
    sha256: str | None = None
    complete: bool = True
    content_encoding: str = ""  # of a file body stored as received; inline JSON is plain

    @property
    def inline(self) -> bool:
        return self.path is None

    def read(self) -> bytes:
        """The whole body (for inline JSON, its compact serialisation)."""
        if self.path is None:
            return json.dumps(self.json, ensure_ascii=False, separators=(",", ":")).encode()
        return self.path.read_bytes()

    def chunks(
        self, start: int = 0, end: int | None = None, size: int = 1 << 16
    ) -> Iterator[bytes]:
        """Bytes `start` to `end` (exclusive) of a file body, in chunks, from disk."""
        if self.path is None:
            yield self.read()[start:end]
            return
        stop = self.length if end is None else end
        with open(self.path, "rb") as handle:
            handle.seek(start)
            remaining = stop - start
            while remaining > 0:
                chunk = handle.read(min(size, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk


@dataclass(frozen=True)
class RecordedExchange:
    seq: int
    method: str
    target: str
    request_headers: list[tuple[str, str]]
    started: float
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_at: float | None = None
    finished_at: float | None = None
    complete: bool = False
    error: str | None = None
    job: str | None = None
    request_body: Body | None = None
    response_body: Body | None = None

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    def response_header(self, name: str) -> str | None:
        for key, value in self.response_headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class Cassette:
    directory: Path
    upstream: str
    recorded_at: str
    closed_at: str | None
    exchanges: list[RecordedExchange]

    @property
    def jobs(self) -> dict[str, list[RecordedExchange]]:
        """Each job's exchanges in recorded order, jobs in order of first appearance."""
        grouped: dict[str, list[RecordedExchange]] = {}
        for exchange in self.exchanges:
            if exchange.job is not None:
                grouped.setdefault(exchange.job, []).append(exchange)
        return grouped


def _fail(directory: Path, message: str) -> CassetteError:
    return CassetteError(f"cassette {directory}: {message}")


def _expect(directory: Path, where: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    # bool is an int to isinstance; a number field holding true is still malformed
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _fail(directory, f"{where} has the wrong type")
    return value


def _read_headers(directory: Path, where: str, value: Any) -> list[tuple[str, str]]:
    _expect(directory, where, value, list)
    headers: list[tuple[str, str]] = []
    for pair in value:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(item, str) for item in pair)
        ):
            raise _fail(directory, f"{where} holds a header that is not a [name, value] pair")
        headers.append((pair[0], pair[1]))
    return headers


def _read_body(directory: Path, where: str, value: Any, verify: bool) -> Body | None:
    if value is None:
        return None
    record = _expect(directory, where, value, dict)
    length = _expect(directory, f"{where}.length", record.get("length"), int)
    content_type = _expect(directory, f"{where}.content_type", record.get("content_type", ""), str)
    complete = _expect(directory, f"{where}.complete", record.get("complete", True), bool)
    if "json" in record:
        return Body(length, content_type, json=record["json"], complete=complete)
    encoding = _expect(
        directory, f"{where}.content_encoding", record.get("content_encoding", ""), str
    )
    relative = _expect(directory, f"{where}.file", record.get("file"), str)
    path = (directory / relative).resolve()
    if directory.resolve() not in path.parents:
        raise _fail(directory, f"{where}.file {relative!r} points outside the cassette")
    sha256 = _expect(directory, f"{where}.sha256", record.get("sha256"), str)
    try:
        size = path.stat().st_size
    except OSError:
        raise _fail(directory, f"{relative} is missing") from None
    if size != length:
        raise _fail(
            directory, f"{relative} holds {size} bytes, the journal says {length} (truncated?)"
        )
    if verify:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise _fail(directory, f"{relative} does not match its sha256 (modified or damaged)")
    return Body(
        length,
        content_type,
        path=path,
        sha256=sha256,
        complete=complete,
        content_encoding=encoding,
    )


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST_NAME
    if not directory.is_dir():
        raise _fail(directory, "no such folder")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise _fail(directory, f"no {MANIFEST_NAME}: not a cassette folder") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _fail(directory, f"{MANIFEST_NAME} is not readable JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _fail(directory, f"{MANIFEST_NAME} is not a {FORMAT_NAME} manifest")
    version = manifest.get("version")
    if version != FORMAT_VERSION:
        raise _fail(
            directory,
            f"format version {version!r} is not supported (this videos-contract reads "
            f"version {FORMAT_VERSION})",
        )
    return manifest


def read_cassette(directory: Path, *, verify: bool = True) -> Cassette:
    """Read and check a whole cassette; `verify` also checks each body file's sha256.

    A cassette whose recorder never closed (killed mid-recording) is read as far as its
    journal goes: a torn last line is left out and unfinished exchanges are incomplete.
    A closed cassette must be whole. Any fault is a `CassetteError` with a one-line message.
    """
    directory = Path(directory)
    manifest = _read_manifest(directory)
    closed_at = manifest.get("closed_at")
    journal = directory / JOURNAL_NAME
    try:
        raw = journal.read_bytes()
    except OSError:
        raise _fail(directory, f"no {JOURNAL_NAME}") from None
    lines = raw.split(b"\n")
    torn = lines.pop()  # after the last newline: empty unless the last write was cut short
    if torn and closed_at is not None:
        raise _fail(directory, f"{JOURNAL_NAME} ends in the middle of a line (truncated)")
    begun: dict[int, dict[str, Any]] = {}
    order: list[int] = []
    for number, line in enumerate(lines, start=1):
        where = f"{JOURNAL_NAME} line {number}"
        try:
            event = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _fail(directory, f"{where} is not valid JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("seq"), int):
            raise _fail(directory, f"{where} is not an event with a seq number")
        seq, kind = event["seq"], event.get("event")
        if kind == "begin":
            if seq in begun:
                raise _fail(directory, f"{where} begins exchange {seq} a second time")
            begun[seq] = {
                "seq": seq,
                "method": _expect(directory, f"{where} method", event.get("method"), str),
                "target": _expect(directory, f"{where} target", event.get("target"), str),
                "request_headers": _read_headers(
                    directory, f"{where} headers", event.get("headers")
                ),
                "started": float(
                    _expect(directory, f"{where} started", event.get("started"), (int, float))
                ),
            }
            order.append(seq)
            continue
        if seq not in begun:
            raise _fail(directory, f"{where} refers to exchange {seq}, which never began")
        record = begun[seq]
        if kind == "response":
            record["status"] = _expect(directory, f"{where} status", event.get("status"), int)
            record["response_headers"] = _read_headers(
                directory, f"{where} headers", event.get("headers")
            )
            record["response_at"] = float(
                _expect(directory, f"{where} at", event.get("at"), (int, float))
            )
        elif kind == "end":
            record["finished_at"] = float(
                _expect(directory, f"{where} at", event.get("at"), (int, float))
            )
            record["complete"] = _expect(
                directory, f"{where} complete", event.get("complete"), bool
            )
            job = event.get("job")
            record["job"] = None if job is None else _expect(directory, f"{where} job", job, str)
            error = event.get("error")
            record["error"] = (
                None if error is None else _expect(directory, f"{where} error", error, str)
            )
            record["request_body"] = _read_body(
                directory, f"{where} request_body", event.get("request_body"), verify
            )
            record["response_body"] = _read_body(
                directory, f"{where} response_body", event.get("response_body"), verify
            )
        else:
            raise _fail(directory, f"{where} has an unknown event {kind!r}")
    if closed_at is not None:
        unfinished = [seq for seq in order if "finished_at" not in begun[seq]]
        if unfinished:
            raise _fail(directory, f"exchange {unfinished[0]} never ended in a closed cassette")
    return Cassette(
        directory=directory,
        upstream=str(manifest.get("upstream", "")),
        recorded_at=str(manifest.get("recorded_at", "")),
        closed_at=closed_at if isinstance(closed_at, str) else None,
        exchanges=[RecordedExchange(**begun[seq]) for seq in order],
    )
