"""Reading request bodies within a size limit, without holding uploads in memory.

The limit is enforced twice: a `Content-Length` above it is refused before a byte is read,
and the bytes actually received are counted while streaming (a client may lie or use chunked
encoding). Multipart bodies are parsed as they arrive; file parts go to a temporary file that
moves to disk past a small size, and a part's file name is never used as a path.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from videos_contract.mock.errors import ApiError

__all__ = [
    "MAX_FIELD_BYTES",
    "MAX_PARTS",
    "SPOOL_BYTES",
    "MultipartForm",
    "Part",
    "limited_stream",
    "media_type",
    "read_json",
    "read_multipart",
]

# File parts stay in memory up to this size, then move to a temporary file on disk.
SPOOL_BYTES = 256 * 1024
# A text field larger than this is refused (the longest prompt the spec allows is far below).
MAX_FIELD_BYTES = 512 * 1024
# A create request has a handful of fields; many more parts is abuse, not a request.
MAX_PARTS = 64

_FILE_TYPES = ("image/", "application/octet-stream", "video/", "audio/")


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type (lower case, no parameters) and its parameters."""
    raw = request.headers.get("content-type")
    if not raw:
        return "", {}
    kind, options = parse_options_header(raw)
    params = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in options.items()}
    return kind.decode("latin-1").strip().lower(), params


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"The request body is larger than this server accepts ({limit} bytes).",
        code="request_too_large",
    )


async def limited_stream(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body's chunks, refusing (413) as soon as more than `limit` bytes are announced
    or received."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(400, "Invalid Content-Length header.", code="invalid_request")
        if int(declared) > limit:
            raise _too_large(limit)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        yield chunk


async def read_json(request: Request, limit: int) -> Any:
    """The decoded JSON body; 400 when it is not JSON."""
    buffer = bytearray()
    async for chunk in limited_stream(request, limit):
        buffer += chunk
    try:
        return json.loads(bytes(buffer).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(
            400,
            "We could not parse the JSON body of your request. The body must be a JSON object.",
            code="invalid_json",
        ) from None


@dataclass
class Part:
    """One part of a multipart body: a text field or a spooled file."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytearray = field(default_factory=bytearray)
    file: SpooledTemporaryFile[bytes] | None = None
    size: int = 0

    @property
    def is_file(self) -> bool:
        return self.file is not None

    def text(self) -> str:
        try:
            return bytes(self.data).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(
                400,
                f"Invalid '{self.name}': the field is not valid UTF-8 text.",
                param=self.name,
                code="invalid_value",
            ) from None


@dataclass
class MultipartForm:
    """The parts of a multipart body, in the order sent; close it to drop spooled files."""

    parts: list[Part] = field(default_factory=list)

    def close(self) -> None:
        for part in self.parts:
            if part.file is not None:
                part.file.close()


def _is_file_part(filename: str | None, content_type: str | None) -> bool:
    """A file is a part with a file name or a binary media type; JSON is always a field."""
    if content_type == "application/json":
        return False
    if filename is not None:
        return True
    return content_type is not None and content_type.startswith(_FILE_TYPES)


class _Collector:
    """Callbacks for python-multipart's streaming parser."""

    def __init__(self, form: MultipartForm) -> None:
        self.form = form
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.headers: dict[str, bytes] = {}
        self.current: Part | None = None
        self.ended = False

    def on_part_begin(self) -> None:
        self.headers = {}
        self.current = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        name = bytes(self.header_name).decode("latin-1").strip().lower()
        self.headers[name] = bytes(self.header_value)
        self.header_name.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        if len(self.form.parts) >= MAX_PARTS:
            raise ApiError(
                400, f"The multipart body has more than {MAX_PARTS} parts.", code="invalid_request"
            )
        disposition, options = parse_options_header(self.headers.get("content-disposition"))
        if disposition != b"form-data" or b"name" not in options:
            raise ApiError(
                400,
                "Every multipart part needs 'Content-Disposition: form-data; name=...'.",
                code="invalid_multipart",
            )
        name = options[b"name"].decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        kind: str | None = None
        if "content-type" in self.headers:
            parsed, _ = parse_options_header(self.headers["content-type"])
            kind = parsed.decode("latin-1").lower() or None
        part = Part(
            name=name,
            filename=None if filename is None else filename.decode("utf-8", errors="replace"),
            content_type=kind,
        )
        if _is_file_part(part.filename, kind):
            part.file = SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self.form.parts.append(part)
        self.current = part

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.current
        if part is None:
            return
        chunk = data[start:end]
        part.size += len(chunk)
        if part.file is not None:
            part.file.write(chunk)
            return
        if part.size > MAX_FIELD_BYTES:
            raise ApiError(
                400,
                f"Invalid '{part.name}': the field is larger than {MAX_FIELD_BYTES} bytes.",
                param=part.name,
                code="invalid_value",
            )
        part.data += chunk

    def on_part_end(self) -> None:
        if self.current is not None and self.current.file is not None:
            self.current.file.seek(0)
        self.current = None

    def on_end(self) -> None:
        self.ended = True


async def read_multipart(request: Request, limit: int, boundary: str | None) -> MultipartForm:
    """Parse a multipart body as it streams in; 400 when it is malformed, 413 when too big."""
    if not boundary:
        raise ApiError(
            400, "The multipart Content-Type has no boundary parameter.", code="invalid_multipart"
        )
    form = MultipartForm()
    collector = _Collector(form)
    callbacks: Any = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_part_data",
            "on_part_end",
            "on_end",
        )
    }
    try:
        parser = MultipartParser(boundary.encode("latin-1"), callbacks)
        async for chunk in limited_stream(request, limit):
            parser.write(chunk)
        parser.finalize()
        if not collector.ended:
            raise ApiError(
                400,
                "The multipart body ends before its closing boundary.",
                code="invalid_multipart",
            )
    except FormParserError:
        form.close()
        raise ApiError(400, "The multipart body is malformed.", code="invalid_multipart") from None
    except BaseException:
        form.close()
        raise
    return form
