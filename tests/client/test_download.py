"""`download`: streamed, atomic, length-checked, resumed with `Range` after a drop."""

from __future__ import annotations

import os
import re
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.client.conftest import ClientFactory, Helpers
from videos_contract.client import ApiError, DownloadError, download

ASSET = bytes(range(256)) * 1200  # 300 KiB, several chunks


class Dropping(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that sends `data` in small chunks, then breaks after `cut` bytes if given."""

    def __init__(self, data: bytes, cut: int | None = None) -> None:
        self.data = data
        self.cut = cut

    def _chunks(self) -> Iterator[bytes]:
        end = len(self.data) if self.cut is None else self.cut
        for start in range(0, end, 10_000):
            yield self.data[start : min(start + 10_000, end)]
        if self.cut is not None:
            raise httpx.ReadError("connection reset by peer")

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk


class AssetServer:
    """Serves ASSET with Range support; `cuts` break the first answers after so many bytes."""

    def __init__(
        self,
        *,
        cuts: list[int] | None = None,
        honour_range: bool = True,
        length: int | None = None,
        send: bytes = ASSET,
        range_start_shift: int = 0,
    ) -> None:
        self.cuts = list(cuts or [])
        self.honour_range = honour_range
        self.length = length
        self.send = send
        self.shift = range_start_shift
        self.ranges: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/content")
        header = request.headers.get("range")
        self.ranges.append(header)
        cut = self.cuts.pop(0) if self.cuts else None
        match = re.fullmatch(r"bytes=(\d+)-", header or "")
        if match and self.honour_range:
            start = int(match[1]) + self.shift
            part = ASSET[start:]
            headers = {
                "Content-Range": f"bytes {start}-{len(ASSET) - 1}/{len(ASSET)}",
                "Content-Length": str(len(part)),
                "Content-Type": "video/mp4",
            }
            return httpx.Response(206, headers=headers, stream=Dropping(part, cut))
        headers = {
            "Content-Length": str(self.length if self.length is not None else len(self.send)),
            "Content-Type": "video/mp4",
            "Accept-Ranges": "bytes",
        }
        return httpx.Response(200, headers=headers, stream=Dropping(self.send, cut))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_streams_to_the_target(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    server = AssetServer()
    progress: list[tuple[int, int | None]] = []
    target = tmp_path / "clip.mp4"
    result = helpers.download(
        make_client(server), "video_1", target, on_progress=lambda d, t: progress.append((d, t))
    )
    assert target.read_bytes() == ASSET
    assert (result.size, result.resumes, result.restarts) == (len(ASSET), 0, 0)
    assert result.content_type == "video/mp4"
    assert len(progress) > 1 and progress[-1] == (len(ASSET), len(ASSET))
    assert _leftovers(tmp_path) == ["clip.mp4"]
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o644)


def test_resumes_after_a_drop(helpers: Helpers, make_client: ClientFactory, tmp_path: Path) -> None:
    server = AssetServer(cuts=[100_000, 50_000])
    target = tmp_path / "clip.mp4"
    result = helpers.download(make_client(server), "video_1", target)
    assert target.read_bytes() == ASSET
    assert result.resumes == 2
    assert server.ranges == [None, "bytes=100000-", "bytes=150000-"]


def test_drop_without_resumes_leaves_no_file(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    server = AssetServer(cuts=[100_000])
    target = tmp_path / "clip.mp4"
    with pytest.raises(DownloadError, match=r"connection lost.*100000"):
        helpers.download(make_client(server), "video_1", target, max_resumes=0)
    assert _leftovers(tmp_path) == []


def test_failure_keeps_an_existing_target_intact(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    target = tmp_path / "clip.mp4"
    target.write_bytes(b"previous download")
    server = AssetServer(cuts=[1000, 1000, 1000])
    with pytest.raises(DownloadError, match="gave up after 2"):
        helpers.download(make_client(server), "video_1", target, max_resumes=2)
    assert target.read_bytes() == b"previous download"
    assert _leftovers(tmp_path) == ["clip.mp4"]


def test_server_ignoring_range_restarts_cleanly(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    server = AssetServer(cuts=[120_000], honour_range=False)
    target = tmp_path / "clip.mp4"
    result = helpers.download(make_client(server), "video_1", target)
    assert target.read_bytes() == ASSET
    assert (result.resumes, result.restarts) == (1, 1)


def test_206_at_the_wrong_offset_is_refused(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    server = AssetServer(cuts=[100_000], range_start_shift=5)
    target = tmp_path / "clip.mp4"
    with pytest.raises(DownloadError, match=r"resume at byte 100000.*100005"):
        helpers.download(make_client(server), "video_1", target)
    assert _leftovers(tmp_path) == []


def test_more_bytes_than_content_length_is_refused(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    server = AssetServer(length=len(ASSET) - 10)
    with pytest.raises(DownloadError, match="more than its Content-Length"):
        helpers.download(make_client(server), "video_1", tmp_path / "clip.mp4")
    assert _leftovers(tmp_path) == []


def test_short_body_is_never_accepted_as_complete(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    """A body shorter than its Content-Length, every time, ends in an error, not a file."""
    server = AssetServer(honour_range=False, length=len(ASSET) + 10)
    with pytest.raises(DownloadError, match="body ended early"):
        helpers.download(make_client(server), "video_1", tmp_path / "clip.mp4", max_resumes=2)
    assert _leftovers(tmp_path) == []


def test_not_ready_is_an_api_error(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = {"message": "not ready", "type": "invalid_request_error", "param": None}
        return httpx.Response(409, json={"error": {**error, "code": "video_not_ready"}})

    with pytest.raises(ApiError) as caught:
        helpers.download(make_client(handler), "video_1", tmp_path / "clip.mp4")
    assert caught.value.code == "video_not_ready"
    assert _leftovers(tmp_path) == []


def test_variant_is_sent(helpers: Helpers, make_client: ClientFactory, tmp_path: Path) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params.get("variant"))
        body = Dropping(b"RIFF....WEBP")
        # With its length: a close-delimited body would be decoded first (and this is no image).
        headers = {"Content-Type": "image/webp", "Content-Length": "12"}
        return httpx.Response(200, stream=body, headers=headers)

    helpers.download(make_client(handler), "video_1", tmp_path / "t.webp", variant="thumbnail")
    assert seen == ["thumbnail"]


def test_target_that_is_a_folder(
    helpers: Helpers, make_client: ClientFactory, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="is a folder"):
        helpers.download(make_client(AssetServer()), "video_1", tmp_path)
    assert _leftovers(tmp_path) == []


def test_missing_folder(helpers: Helpers, make_client: ClientFactory, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="does not exist"):
        helpers.download(make_client(AssetServer()), "video_1", tmp_path / "nope" / "clip.mp4")


class Endless(httpx.SyncByteStream):
    """`size` bytes produced on the fly, so that the test itself holds no copy of the body."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __iter__(self) -> Iterator[bytes]:
        block = bytes(64 * 1024)
        for _ in range(self.size // len(block)):
            yield block


def test_memory_stays_flat_for_a_large_asset(make_client: ClientFactory, tmp_path: Path) -> None:
    size = 48 * 1024 * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Length": str(size), "Content-Type": "video/mp4"}
        return httpx.Response(200, headers=headers, stream=Endless(size))

    client = make_client(handler)
    tracemalloc.start()
    try:
        result = download(client, "video_big", tmp_path / "big.mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.size == size == (tmp_path / "big.mp4").stat().st_size
    assert peak < size // 16, f"peak {peak} bytes while downloading {size}"
