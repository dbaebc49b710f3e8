"""The strict reader: a cassette read back whole, or one line that names its fault."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from videos_contract.cassette.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    JOURNAL_NAME,
    MANIFEST_NAME,
    CassetteError,
)

__all__ = ["Body", "Cassette", "RecordedExchange", "read_cassette"]


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
