"""The recorder: writes a cassette as the exchanges stream, credentials blanked.

The recorder masks credential headers and scrubs every credential value it has seen from
everything it writes, bodies included (same-length `*` runs, so lengths stay true), all
through `videos_contract.credentials`. A key first seen after some files were written is
scrubbed from those files at `close`.
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
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from videos_contract.cassette.format import (
    BODIES_DIR,
    FORMAT_NAME,
    FORMAT_VERSION,
    INLINE_JSON_LIMIT,
    JOURNAL_NAME,
    MANIFEST_NAME,
    CassetteError,
)
from videos_contract.credentials import Secrets, StreamScrubber, bare_url
from videos_contract.http_rules import is_json, media_type

__all__ = ["Exchange", "Recorder"]


_VIDEO_ID = re.compile(r"/videos/([^/?#]+)")


_EXTENSIONS = {
    "video/mp4": ".mp4",
    "image/webp": ".webp",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/json": ".json",
    "multipart/form-data": ".multipart",
}


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
                    "headers": self._recorder._secrets.kept_headers(headers, short=False),
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
            event["error"] = self._recorder._secrets.scrub_text(error, short=False)
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
        recorder = cls(directory, bare_url(upstream))
        recorder._write_manifest()
        recorder._journal = os.open(
            directory / JOURNAL_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
        )
        recorder._files[JOURNAL_NAME] = 0
        atexit.register(recorder.close)
        return recorder

    def _relative(self, moment: float) -> float:
        return round(max(moment - self._origin, 0.0), 6)

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
            masked_headers = self._secrets.kept_headers(headers, short=False)
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
                    "target": self._secrets.kept_target(target, short=False),
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
                relative: self._secrets.scrub_file(self.directory / relative, short=False)
                for relative, generation in self._files.items()
                if generation < self._secrets.generation and relative != JOURNAL_NAME
            }
            if digests or self._files[JOURNAL_NAME] < self._secrets.generation:
                self._rewrite_journal(digests)
            self._write_manifest(_now_utc())

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
