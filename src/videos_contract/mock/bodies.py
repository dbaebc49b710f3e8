"""Reading request bodies within a size limit, without holding uploads in memory.

The limit is enforced twice: a `Content-Length` above it is refused before a byte is read,
and the bytes actually received are counted while streaming (a client may lie or use chunked
encoding). Multipart bodies are parsed as they arrive; file parts go to a temporary file that
moves to disk past a small size, and a part's file name is never used as a path.

A body that does not arrive within its time limit (a client that stalls mid-upload) is
answered 408 and its connection closed, so it holds no more than one waiting coroutine; too
many multipart parts is a 413, and JSON nested deeper than `MAX_JSON_DEPTH` a 400.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any

from multipart import MultipartError, MultipartSegment, ParserError, PushMultipartParser
from multipart import parse_options_header as _parse_options_header
from starlette.requests import ClientDisconnect, Request

from videos_contract.mock.errors import ApiError

__all__ = [
    "MAX_FIELD_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_PARTS",
    "SPOOL_BYTES",
    "MultipartForm",
    "Part",
    "limited_stream",
    "loads_json",
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
# No request of this API nests more than a few levels; far deeper is abuse.
MAX_JSON_DEPTH = 32

_FILE_TYPES = ("image/", "application/octet-stream", "video/", "audio/")


# A Content-Type seen again and again (every client sends its own on each request) is parsed
# once; only short ones are kept, so the cache stays small whatever is sent.
_CACHED_HEADER_CHARS = 256


def _parse_media_type(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    parsed: tuple[str, dict[str, str]] = _parse_options_header(raw)
    kind, options = parsed
    return kind.strip().lower(), tuple((name.lower(), value) for name, value in options.items())


_cached_media_type = functools.lru_cache(maxsize=256)(_parse_media_type)


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type (lower case, no parameters) and its parameters (names in
    lower case)."""
    raw = request.headers.get("content-type")
    if not raw:
        return "", {}
    parse = _cached_media_type if len(raw) <= _CACHED_HEADER_CHARS else _parse_media_type
    kind, options = parse(raw)
    return kind, dict(options)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"The request body is larger than this server accepts ({limit} bytes).",
        code="request_too_large",
    )


def _timed_out(timeout: float) -> ApiError:
    return ApiError(
        408,
        f"The request body did not arrive within {timeout:g} seconds.",
        code="request_timeout",
        headers={"Connection": "close"},
    )


async def limited_stream(
    request: Request, limit: int, timeout: float | None = None
) -> AsyncIterator[bytes]:
    """The body's chunks, refusing (413) as soon as more than `limit` bytes are announced
    or received, and (408) when the whole body has not arrived within `timeout` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(400, "Invalid Content-Length header.", code="invalid_request")
        if int(declared) > limit:
            raise _too_large(limit)
    # A body already read (Starlette keeps it as `_body`: the replay reads a create's body
    # to match it, then lets the mock's own handler answer) is not waited for again.
    cached: bytes | None = getattr(request, "_body", None)
    if cached is not None:
        if len(cached) > limit:
            raise _too_large(limit)
        if cached:
            yield cached
        return
    received = 0
    # The ASGI messages themselves rather than `request.stream()`: a body that comes in one
    # message (every small create) then takes one wait, not three.
    receive = request.receive
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    more = True
    while more:
        try:
            if deadline is None:
                message = await receive()
            else:
                # A timer on this task, not a task per message as `wait_for` would start.
                async with asyncio.timeout_at(deadline):
                    message = await receive()
        except TimeoutError:
            assert timeout is not None
            raise _timed_out(timeout) from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        if message["type"] != "http.request":
            continue
        more = bool(message.get("more_body", False))
        chunk: bytes = message.get("body", b"")
        if not chunk:
            continue
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        yield chunk


def _depth(value: Any) -> int:
    """How deeply a decoded JSON value nests (without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


class _Repeated(dict[str, Any]):
    """A decoded JSON object in which `key` was given more than once (the last value kept)."""

    key = ""


def _pairs_hook(found: list[_Repeated]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A `json.loads` hook that marks each object with a repeated key and notes that it did."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) == len(items):
            return obj
        repeated = _Repeated(items)
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                repeated.key = key
                break
            seen.add(key)
        found.append(repeated)
        return repeated

    return pairs


def _first_repeated_key(value: Any, prefix: str) -> str | None:
    """The dotted path of the first key given twice in a decoded value (without recursion)."""
    queue: deque[tuple[Any, str]] = deque([(value, prefix)])
    while queue:
        item, path = queue.popleft()
        if isinstance(item, _Repeated):
            return f"{path}.{item.key}" if path else item.key
        if isinstance(item, dict):
            queue.extend((child, f"{path}.{key}" if path else key) for key, child in item.items())
        elif isinstance(item, list):
            queue.extend((child, f"{path}[{i}]") for i, child in enumerate(item))
    return None


def loads_json(text: str | bytes, prefix: str = "") -> Any:
    """Decode JSON text; `ValueError` for bad JSON, `ApiError` (400) for a key given twice.

    JSON parsers disagree on a repeated key (most keep the last value, some the first), so a
    body that says two things is refused, as a form field given twice is. `prefix` is the
    field the text came in, for the error's `param`.
    """
    found: list[_Repeated] = []
    value = json.loads(text, object_pairs_hook=_pairs_hook(found))
    # The walk that names the path runs only when a repeated key was seen.
    repeated = _first_repeated_key(value, prefix) if found else None
    if repeated is not None:
        raise ApiError(
            400,
            f"Invalid '{repeated}': the key is given more than once in the JSON object.",
            param=repeated,
            code="duplicate_parameter",
        )
    return value


async def read_json(request: Request, limit: int, timeout: float | None = None) -> Any:
    """The decoded JSON body; 400 when it is not JSON, repeats a key or nests too deeply."""
    buffer = bytearray()
    async for chunk in limited_stream(request, limit, timeout):
        buffer += chunk
    try:
        value = loads_json(bytes(buffer).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(
            400,
            "We could not parse the JSON body of your request. The body must be a JSON object.",
            code="invalid_json",
        ) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ApiError(
            400,
            f"The JSON body nests more than {MAX_JSON_DEPTH} levels deep.",
            code="invalid_json",
        )
    return value


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


def _malformed(message: str) -> ApiError:
    return ApiError(400, message, code="invalid_multipart")


def _parser_message(error: MultipartError) -> str:
    """The parser's own reason, a fixed sentence (its other arguments may quote the body)."""
    reason = error.args[0] if error.args and isinstance(error.args[0], str) else ""
    return (
        f"The multipart body is malformed: {reason}."
        if reason
        else "The multipart body is malformed."
    )


class _Collector:
    """The parser's events as `Part`s: a part's head checked when it ends, its data kept
    in memory (a field, bounded by `MAX_FIELD_BYTES`) or spooled (a file)."""

    def __init__(self, form: MultipartForm, max_parts: int) -> None:
        self.form = form
        self.max_parts = max_parts
        self.current: Part | None = None

    def feed(self, events: Iterable[MultipartSegment | bytes | None]) -> None:
        for event in events:
            if event is None:
                self._end()
            elif isinstance(event, MultipartSegment):
                self._begin(event)
            else:
                self._data(event)

    def _begin(self, segment: MultipartSegment) -> None:
        if len(self.form.parts) >= self.max_parts:
            raise ApiError(
                413,
                f"The multipart body has more than {self.max_parts} parts.",
                code="too_many_parts",
            )
        # The parser refuses a part without `Content-Disposition: form-data`; without a
        # name it gives "".
        if not segment.name:
            raise _malformed(
                "Every multipart part needs 'Content-Disposition: form-data; name=...'."
            )
        part = Part(
            name=segment.name,
            filename=segment.filename,
            content_type=segment.content_type or None,
        )
        if _is_file_part(part.filename, part.content_type):
            part.file = SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self.form.parts.append(part)
        self.current = part

    def _data(self, chunk: bytes) -> None:
        part = self.current
        assert part is not None  # the parser sends a part's head before its data
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

    def _end(self) -> None:
        if self.current is not None and self.current.file is not None:
            self.current.file.seek(0)
        self.current = None


async def read_multipart(
    request: Request,
    limit: int,
    boundary: str | None,
    *,
    max_parts: int = MAX_PARTS,
    timeout: float | None = None,
) -> MultipartForm:
    """Parse a multipart body as it streams in; 400 when it is malformed, 413 when too big
    or in too many parts, 408 when it does not arrive within `timeout` seconds."""
    if not boundary:
        raise _malformed("The multipart Content-Type has no boundary parameter.")
    form = MultipartForm()
    collector = _Collector(form, max_parts)
    try:
        parser = PushMultipartParser(boundary)
        async for chunk in limited_stream(request, limit, timeout):
            collector.feed(parser.parse(chunk))
        try:
            parser.close()
        except ParserError:
            raise _malformed("The multipart body ends before its closing boundary.") from None
    except MultipartError as error:
        form.close()
        raise _malformed(_parser_message(error)) from None
    except BaseException:
        form.close()
        raise
    return form
