"""Stream one asset of a job to a file, intact or not at all.

The generated download function holds the whole body in memory; this streams it, chunk by
chunk as the socket delivers them (unbuffered, so a drop loses no byte already received),
into `NAME.part` beside the target (one stable name per target: a download stopped by an
error, Ctrl-C or SIGTERM after the server named the size and an ETag or Last-Modified keeps
its bytes and `NAME.part.json`, and the next download to the same target resumes from them
with `Range` and `If-Range`; a server without validators, or an asset that changed, means a
fresh start), checks the length against `Content-Length`, resumes
with `Range` after a dropped connection, and `If-Range` with the validator of the answer the
bytes came from (the `206` must start where the file stopped and name the same size and
validators; an asset replaced in between, or a server that ignores `Range` and sends `200`,
gets a clean restart), then fsyncs and renames.
The target therefore either does not change or holds the complete asset, even after a crash.

`timeout` bounds the whole download (`DEFAULT_DOWNLOAD_TIMEOUT` unless told otherwise):
every request carries the deadline to the retry transport (pauses and timeouts cut to the
time left), no resumption starts after it, and a body still arriving at it is abandoned with
a `DownloadError`; `max_bytes` bounds its size, so an endless body ends too. The async version
writes to the file in a worker thread, so a slow disk never stalls the event loop.

A body without `Content-Length`, delimited only by the server closing the connection, cannot
be told complete from cut short by its length. It is called complete only once verified: a
video must parse to its end as an MP4 with the duration and frame size of the job (read
with a retrieve), an image must decode. Otherwise the bytes are kept beside the target as
`NAME.part`, for inspection, and `DownloadError` says why. Answers in a `Content-Encoding`
that was not asked for are refused by the transport (`EncodingRefusedError`).

Real gateways answer the content request with a redirect to storage or a CDN. Up to
`MAX_REDIRECTS` redirects (301, 302, 303, 307, 308) are followed; `Authorization` is sent only
to the origin of the API itself, never to the other origin a redirect leads to.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl  # POSIX only: the package says so on import where it is missing
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models import ContentVariant

from videos_contract.client.arguments import check_seconds
from videos_contract.client.defaults import DEFAULT_DOWNLOAD_TIMEOUT, DEFAULT_MAX_DOWNLOAD_BYTES
from videos_contract.client.errors import ApiError, DownloadError, VideosClientError
from videos_contract.client.generated_requests import content_request
from videos_contract.client.lifecycle import check_operation
from videos_contract.client.retry import DEADLINE, STREAMED
from videos_contract.extras import missing, needs

__all__ = [
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "MAX_REDIRECTS",
    "MAX_RESUMES",
    "ByteProgressHook",
    "DownloadResult",
    "async_download",
    "atomic_file",
    "download",
]

MAX_RESUMES = 5
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# How far a clip's decoded duration may stray from the job's `seconds` (the last frame rounds).
DURATION_TOLERANCE = 0.5

ByteProgressHook = Callable[[int, int | None], None]

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$")


@dataclass(frozen=True)
class DownloadResult:
    """Where the asset went and what it took."""

    path: Path
    size: int
    content_type: str | None
    resumes: int
    restarts: int
    # Each URL a redirect led to, in order (the origin only: query strings may hold tokens).
    redirects: tuple[str, ...] = ()


class _Changed(DownloadError):
    """The bytes written (by a previous run, or before a drop) are of an asset that has
    changed since: start over."""


class _KeepPart(DownloadError):
    """A failure after which the bytes received are kept as `NAME.part` for inspection."""


def part_path(dest: Path) -> Path:
    """Where the bytes of a download that could not be verified are kept."""
    return dest.with_name(dest.name + ".part")


@contextlib.contextmanager
def atomic_file(dest: Path) -> Iterator[BinaryIO]:
    """A temporary file beside `dest` that replaces `dest` only when the block succeeds."""
    with _atomic(dest) as (handle, _):
        yield handle


@contextlib.contextmanager
def _atomic(dest: Path) -> Iterator[tuple[BinaryIO, Path]]:
    if not dest.parent.is_dir():
        raise DownloadError(f"folder {dest.parent} does not exist")
    if dest.is_dir():
        raise DownloadError(f"{dest} is a folder; name the file to write")
    try:
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise DownloadError(f"cannot write in {dest.parent}: {exc.strerror}") from exc
    os.fchmod(fd, 0o644)
    tmp = Path(tmp_name)
    handle = os.fdopen(fd, "w+b")
    try:
        yield handle, tmp
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        try:
            os.replace(tmp, dest)
        except OSError as exc:
            raise DownloadError(f"cannot write {dest}: {exc.strerror}") from exc
    except _KeepPart:
        handle.close()
        try:
            os.replace(tmp, part_path(dest))
        except OSError:
            tmp.unlink(missing_ok=True)
        raise
    except BaseException:
        handle.close()
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


@dataclass
class _Saved:
    """What a stopped download left beside its target (`NAME.part.json`), to resume from."""

    video_id: str
    variant: str
    total: int
    etag: str | None
    last_modified: str | None
    offset: int = 0

    @property
    def validator(self) -> str | None:
        return _if_range(self.etag, self.last_modified)


def _if_range(etag: str | None, last_modified: str | None) -> str | None:
    """For `If-Range`: a strong ETag, else Last-Modified (a weak ETag may not be used)."""
    if etag and not etag.startswith("W/"):
        return etag
    return last_modified


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _load_saved(part: Path, video_id: str, variant: str) -> _Saved | None:
    """The saved state when it is for this asset, complete and below its total; else None."""
    try:
        raw = json.loads(_meta_path(part).read_text())
        saved = _Saved(
            video_id=str(raw["video_id"]),
            variant=str(raw["variant"]),
            total=int(raw["total"]),
            etag=raw.get("etag"),
            last_modified=raw.get("last_modified"),
            offset=part.stat().st_size,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (saved.video_id, saved.variant) != (video_id, variant) or saved.validator is None:
        return None  # another asset, or nothing to prove the server still has the same one
    if not 0 < saved.offset < saved.total:
        return None
    return saved


@contextlib.contextmanager
def _resumable(
    dest: Path, video_id: str, variant: str
) -> Iterator[tuple[BinaryIO, Path, _Saved | None]]:
    """`NAME.part` beside `dest`, one stable name per target, so that the next run resumes.

    The file is locked while a download writes it. It replaces `dest` only when the download
    succeeds. When the download stops (an error, Ctrl-C, SIGTERM) after the server named the
    asset's size and an ETag or Last-Modified, the bytes and `NAME.part.json` stay for the
    next run; otherwise they are removed.
    """
    if not dest.parent.is_dir():
        raise DownloadError(f"folder {dest.parent} does not exist")
    if dest.is_dir():
        raise DownloadError(f"{dest} is a folder; name the file to write")
    part = part_path(dest)
    try:
        fd = os.open(part, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DownloadError(f"cannot write in {dest.parent}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise DownloadError(f"another download to {dest} is under way ({part} is locked)") from None
    handle = os.fdopen(fd, "r+b")
    saved = _load_saved(part, video_id, variant)
    if saved is None:
        handle.truncate(0)
        _meta_path(part).unlink(missing_ok=True)
    handle.seek(0, os.SEEK_END)
    try:
        yield handle, part, saved
        handle.flush()
        os.fsync(handle.fileno())
        try:
            os.replace(part, dest)
        except OSError as exc:
            raise DownloadError(f"cannot write {dest}: {exc.strerror}") from exc
        finally:
            handle.close()
        _meta_path(part).unlink(missing_ok=True)
    except _KeepPart:
        handle.close()
        _meta_path(part).unlink(missing_ok=True)  # kept for inspection, not for resuming
        raise
    except BaseException:
        handle.flush()
        size = handle.tell()
        handle.close()
        if size == 0 or not _meta_path(part).exists():
            part.unlink(missing_ok=True)
            _meta_path(part).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _int_header(response: httpx.Response, name: str) -> int | None:
    raw = response.headers.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise DownloadError(f"{name} is not a number: {raw!r}") from None
    if value < 0:
        raise DownloadError(f"{name} is negative: {raw!r}")
    return value


class _Transfer:
    """The state of one download across its resumptions; the sync and async loops share it."""

    def __init__(
        self,
        file: BinaryIO,
        label: str,
        max_resumes: int,
        on_progress: ByteProgressHook | None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        saved: _Saved | None = None,
        meta: Path | None = None,
    ) -> None:
        self.meta = meta
        self.identity: dict[str, str] = {}  # video_id and variant, saved with the state
        self.file = file
        self.label = label
        self.max_bytes = max_bytes
        self.redirects: list[str] = []
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.max_resumes = max_resumes
        self.on_progress = on_progress
        self.offset = 0
        # The size and validators of the asset whose bytes are in the file: a resumption
        # names them (`If-Range`), and a 206 that does not match them is of another asset.
        self.total: int | None = None
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.content_type: str | None = None
        self.resumes = 0
        self.restarts = 0
        if saved is not None:  # a previous run's bytes: resume after them
            self.offset, self.total = saved.offset, saved.total
            self.etag, self.last_modified = saved.etag, saved.last_modified

    def extensions(self) -> dict[str, object]:
        """Marks the answer as streamed here, and carries the deadline; raises past it."""
        extensions: dict[str, object] = {STREAMED: True}
        if self.deadline is not None:
            self.check_deadline()
            extensions[DEADLINE] = self.deadline
        return extensions

    def check_deadline(self, cause: Exception | None = None) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise DownloadError(
                f"{self.label}: not complete after {self.timeout:g} s "
                f"({self.offset} of {self.total or 'unknown'} bytes)"
            ) from cause

    def headers(self) -> dict[str, str]:
        # Identity encoding: the bytes counted and written are the asset's own bytes.
        headers = {"Accept-Encoding": "identity"}
        if self.offset:
            headers["Range"] = f"bytes={self.offset}-"
            validator = _if_range(self.etag, self.last_modified)
            if validator:
                # The server sends the rest only if the asset is unchanged, else all of it.
                headers["If-Range"] = validator
        return headers

    def _restart(self) -> None:
        self.file.seek(0)
        self.file.truncate()
        self.offset = 0
        self.restarts += 1
        self._forget()

    def _forget(self) -> None:
        """The next answer is the whole asset as it is now: its size and validators count."""
        self.total, self.etag, self.last_modified = None, None, None

    def _changed(self, response: httpx.Response, total: int | None) -> bool:
        """Whether a 206 is of another asset than the bytes written: another size or validator."""
        if self.total is not None and total != self.total:
            return True
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        return bool(
            (etag and self.etag and etag != self.etag)
            or (modified and self.last_modified and modified != self.last_modified)
        )

    def _remember(self, response: httpx.Response) -> None:
        """Note the answer's validators; save what the next run needs to resume from them."""
        self.etag = response.headers.get("etag") or self.etag
        self.last_modified = response.headers.get("last-modified") or self.last_modified
        if self.meta is None or self.total is None or not (self.etag or self.last_modified):
            return
        state = {"total": self.total, "etag": self.etag, "last_modified": self.last_modified}
        with contextlib.suppress(OSError):
            self.meta.write_text(json.dumps({**self.identity, **state}))

    def _expect_total(self, total: int | None) -> None:
        if total is not None:
            self.total = total
        if self.total is not None and self.max_bytes is not None and self.total > self.max_bytes:
            raise DownloadError(
                f"{self.label}: the server announces {self.total} bytes, more than the "
                f"{self.max_bytes}-byte limit"
            )

    def begin(self, response: httpx.Response) -> None:
        """Check the headers of an answer before reading its body."""
        length = _int_header(response, "content-length")
        self.content_type = response.headers.get("content-type")
        if response.status_code == 206:
            raw = response.headers.get("content-range", "")
            match = _CONTENT_RANGE.match(raw)
            if match is None:
                raise DownloadError(f"{self.label}: 206 with an unusable Content-Range {raw!r}")
            start, end = int(match[1]), int(match[2])
            total = None if match[3] == "*" else int(match[3])
            if self._changed(response, total):
                raise _Changed(f"{self.label} changed since the bytes already written")
            if start != self.offset:
                raise DownloadError(
                    f"{self.label}: asked to resume at byte {self.offset}, "
                    f"the server sent bytes {start}-{end}"
                )
            if length is not None and length != end - start + 1:
                raise DownloadError(
                    f"{self.label}: Content-Length {length} does not match Content-Range {raw!r}"
                )
            self._expect_total(total)
        elif response.status_code == 200:
            if self.offset:
                # The asset changed (If-Range), or the server ignored Range: it sends all of
                # it again, so start over cleanly.
                self._restart()
            self._forget()
            self._expect_total(length)
        else:
            raise DownloadError(f"{self.label}: unexpected HTTP {response.status_code}")
        self._remember(response)
        if self.on_progress is not None:
            self.on_progress(self.offset, self.total)

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)
        self.advance(len(chunk))

    def advance(self, count: int) -> None:
        """Account for `count` bytes written; raises on overflow or past the deadline."""
        self.offset += count
        if self.total is not None and self.offset > self.total:
            raise DownloadError(
                f"{self.label}: the server sent more than its Content-Length of {self.total} bytes"
            )
        if self.max_bytes is not None and self.offset > self.max_bytes:
            raise DownloadError(
                f"{self.label}: the body passed the {self.max_bytes}-byte limit and is still "
                "coming; abandoned"
            )
        if self.on_progress is not None:
            self.on_progress(self.offset, self.total)
        if not self.complete:
            self.check_deadline()

    @property
    def complete(self) -> bool:
        return self.total is None or self.offset == self.total

    def dropped(self, exc: Exception | None) -> None:
        """The body ended early; raise when out of resumptions, else prepare the next try."""
        what = f"connection lost ({type(exc).__name__})" if exc else "body ended early"
        self.check_deadline(exc)
        if self.resumes >= self.max_resumes:
            raise DownloadError(
                f"{self.label}: {what} at byte {self.offset} of {self.total or 'unknown'}; "
                f"gave up after {self.resumes} resumptions"
            ) from exc
        self.resumes += 1
        if self.total is None:
            self._restart()  # without a known size, a partial file cannot be trusted

    def result(self, path: Path) -> DownloadResult:
        return DownloadResult(
            path,
            self.offset,
            self.content_type,
            self.resumes,
            self.restarts,
            tuple(self.redirects),
        )

    def redirect(
        self, request: httpx.Request, response: httpx.Response, origin: tuple[str, str, int]
    ) -> httpx.Request:
        """The request a redirect asks for; `Authorization` only on the API's own origin."""
        location = response.headers.get("location")
        if len(self.redirects) >= MAX_REDIRECTS:
            raise DownloadError(f"{self.label}: more than {MAX_REDIRECTS} redirects; stopped")
        if not location:
            raise DownloadError(f"{self.label}: HTTP {response.status_code} without a Location")
        try:
            url = request.url.join(location)
        except httpx.InvalidURL as exc:
            raise DownloadError(f"{self.label}: unusable redirect Location {location!r}") from exc
        if url.scheme not in ("http", "https"):
            raise DownloadError(f"{self.label}: redirect to a {url.scheme!r} URL refused")
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        headers.pop("host", None)
        headers.pop("Host", None)
        if _origin(url) == origin and "authorization" in request.headers:
            headers["Authorization"] = request.headers["authorization"]
        self.redirects.append(f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}")
        extensions = dict(request.extensions)
        extensions.update(self.extensions())
        return httpx.Request("GET", url, headers=headers, extensions=extensions)

    def verify(
        self, client: AuthenticatedClient, video_id: str, variant: str, part: Path, dest: Path
    ) -> None:
        """A close-delimited body is complete only when it decodes as what was asked for."""
        if self.total is not None:
            return
        from videos_contract.client.calls import retrieve
        from videos_contract.probe import MediaError, probe_image, probe_video

        self.file.flush()
        why: str
        absent = missing("media")
        if absent:  # decoding needs PyAV and Pillow, which the base install leaves out
            raise _KeepPart(
                f"{self.label}: the server sent no Content-Length and closed after "
                f"{self.offset} bytes; checking that they are a complete {variant} "
                f"{needs('media', absent)}; kept as {part_path(dest)}"
            )
        try:
            if variant == "video":
                info = probe_video(part)
                job = retrieve(client, video_id)
                # Sora jobs answer size and seconds; the other families width, height, duration.
                size = job.size or (f"{job.width}x{job.height}" if job.width and job.height else "")
                length = job.seconds or (str(job.duration) if job.duration else "")
                seconds = float(length) if length else info.duration
                if size and info.size != size:
                    why = f"its frame size is {info.size}, the job's is {size}"
                elif abs(info.duration - seconds) > DURATION_TOLERANCE:
                    why = f"it lasts {info.duration:g} s, the job {seconds:g} s"
                else:
                    return
            else:
                probe_image(part)
                return
        except MediaError as exc:
            why = str(exc)
        except (VideosClientError, httpx.HTTPError) as exc:
            why = f"the job could not be read to compare ({exc})"
        raise _KeepPart(
            f"{self.label}: the server sent no Content-Length and closed after "
            f"{self.offset} bytes, which are not a complete {variant}: {why}; "
            f"kept as {part_path(dest)}"
        )


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.host, port)


def _open(
    http: httpx.Client, transfer: _Transfer, method: str, url: str, params: dict[str, str]
) -> httpx.Response:
    """Send the request, following redirects; the final answer, its body not yet read."""
    request = http.build_request(
        method, url, params=params, headers=transfer.headers(), extensions=transfer.extensions()
    )
    origin = _origin(request.url)
    while True:
        response = http.send(request, stream=True)
        if response.status_code not in REDIRECT_STATUSES:
            return response
        response.close()
        request = transfer.redirect(request, response, origin)


async def _aopen(
    http: httpx.AsyncClient, transfer: _Transfer, method: str, url: str, params: dict[str, str]
) -> httpx.Response:
    request = http.build_request(
        method, url, params=params, headers=transfer.headers(), extensions=transfer.extensions()
    )
    origin = _origin(request.url)
    while True:
        response = await http.send(request, stream=True)
        if response.status_code not in REDIRECT_STATUSES:
            return response
        await response.aclose()
        request = transfer.redirect(request, response, origin)


def _request(video_id: str, variant: ContentVariant) -> tuple[str, str, dict[str, str]]:
    kwargs = content_request(video_id, variant)
    return kwargs["method"].upper(), kwargs["url"], kwargs["params"]


def download(
    client: AuthenticatedClient,
    video_id: str,
    dest: Path | str,
    *,
    variant: ContentVariant = "video",
    on_progress: ByteProgressHook | None = None,
    max_resumes: int = MAX_RESUMES,
    timeout: float | None = DEFAULT_DOWNLOAD_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
    model: str | None = None,
) -> DownloadResult:
    """Download `variant` of `video_id` to `dest` atomically, resuming after drops.

    `model`, the job's model when the caller knows it: a variant its family does not offer
    (`thumbnail` and `spritesheet` are Sora's only) raises `UnsupportedOperationError` before
    anything is sent.

    Raises `ApiError` for an error answer (e.g. 409 `video_not_ready`) and `DownloadError`
    when the body cannot be completed intact, or not within `timeout` seconds (None: no
    overall limit), or passes `max_bytes`; `dest` is then left as it was (an unverifiable
    close-delimited body is kept as `NAME.part`, see the module).
    """
    check_operation(model, variant=str(variant))
    check_seconds("timeout", timeout, optional=True)
    dest = Path(dest)
    method, url, params = _request(video_id, variant)
    http = client.get_httpx_client()
    label = f"{variant} of video {video_id}"
    with _resumable(dest, video_id, variant) as (handle, part, saved):
        transfer = _Transfer(
            handle, label, max_resumes, on_progress, timeout, max_bytes, saved, _meta_path(part)
        )
        transfer.identity = {"video_id": video_id, "variant": variant}
        while True:
            started = False
            try:
                resp = _open(http, transfer, method, url, params)
                try:
                    if not resp.is_success:
                        resp.read()
                        raise ApiError.from_response(resp, client.token)
                    try:
                        transfer.begin(resp)
                    except _Changed:
                        transfer._restart()
                        continue
                    started = True
                    for chunk in resp.iter_raw():
                        transfer.write(chunk)
                finally:
                    resp.close()
            except httpx.TransportError as exc:
                if not started:
                    transfer.check_deadline(exc)
                    raise DownloadError(f"{label}: {exc}") from exc
                transfer.dropped(exc)
                continue
            if transfer.complete:
                transfer.verify(client, video_id, variant, part, dest)
                return transfer.result(dest)
            transfer.dropped(None)


async def async_download(
    client: AuthenticatedClient,
    video_id: str,
    dest: Path | str,
    *,
    variant: ContentVariant = "video",
    on_progress: ByteProgressHook | None = None,
    max_resumes: int = MAX_RESUMES,
    timeout: float | None = DEFAULT_DOWNLOAD_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
    model: str | None = None,
) -> DownloadResult:
    """`download` for asyncio code; file writes (and a verification) run in a worker thread."""
    check_operation(model, variant=str(variant))
    check_seconds("timeout", timeout, optional=True)
    dest = Path(dest)
    method, url, params = _request(video_id, variant)
    http = client.get_async_httpx_client()
    label = f"{variant} of video {video_id}"
    with _resumable(dest, video_id, variant) as (handle, part, saved):
        transfer = _Transfer(
            handle, label, max_resumes, on_progress, timeout, max_bytes, saved, _meta_path(part)
        )
        transfer.identity = {"video_id": video_id, "variant": variant}
        while True:
            started = False
            try:
                resp = await _aopen(http, transfer, method, url, params)
                try:
                    if not resp.is_success:
                        await resp.aread()
                        raise ApiError.from_response(resp, client.token)
                    try:
                        transfer.begin(resp)
                    except _Changed:
                        transfer._restart()
                        continue
                    started = True
                    async for chunk in resp.aiter_raw():
                        await asyncio.to_thread(handle.write, chunk)
                        transfer.advance(len(chunk))
                finally:
                    await resp.aclose()
            except httpx.TransportError as exc:
                if not started:
                    transfer.check_deadline(exc)
                    raise DownloadError(f"{label}: {exc}") from exc
                transfer.dropped(exc)
                continue
            if transfer.complete:
                if transfer.total is None:
                    # The verification's retrieve is a sync call: a fresh sync client is used.
                    await asyncio.to_thread(transfer.verify, client, video_id, variant, part, dest)
                return transfer.result(dest)
            transfer.dropped(None)
