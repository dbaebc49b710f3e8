"""A stopped download resumes from its stable `NAME.part` in the next run, when the server
proves (size and ETag or Last-Modified) that the asset is the same; otherwise it starts over.

The asset is a real MP4 made by the mock; a small loopback server serves it with or without
validators, honours `Range`/`If-Range`, and can cut its first answer short.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from videos_contract.client import DownloadError, connect, create, download, wait

CUT = 1000


@dataclass
class _Asset:
    body: bytes = b""
    etag: str | None = '"v1"'
    cut: int | None = None  # the next answer stops after this many bytes
    seen: list[dict[str, str]] = field(default_factory=list)


class _Server(http.server.ThreadingHTTPServer):
    asset: _Asset


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, _Server)
        asset = self.server.asset
        asset.seen.append({k.lower(): v for k, v in self.headers.items()})
        body, start = asset.body, 0
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and (if_range is None or if_range == asset.etag):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(body) - start))
        if asset.etag:
            self.send_header("ETag", asset.etag)
        self.end_headers()
        cut, asset.cut = asset.cut, None
        self.wfile.write(body[start:] if cut is None else body[start : start + cut])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from videos_contract.mock import MockConfig, running_mock

    target = tmp_path_factory.mktemp("asset") / "asset.mp4"
    with (
        running_mock(MockConfig(render_seconds=0.1)) as server,
        connect(server.url, server.key) as client,
    ):
        job = create(client, "a glacier")
        wait(client, job.id, interval=0.05, timeout=30)
        download(client, job.id, target)
    return target.read_bytes()


@pytest.fixture
def served(mp4: bytes) -> Iterator[tuple[str, _Asset]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.asset = _Asset(body=mp4)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.asset
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _stopped_download(url: str, asset: _Asset, target: Path) -> None:
    asset.cut = CUT
    with connect(url, "sk-gateway-test") as client, pytest.raises(DownloadError):
        download(client, "video_1", target, max_resumes=0)
    assert not target.exists()


def test_the_next_run_resumes(served: tuple[str, _Asset], tmp_path: Path) -> None:
    url, asset = served
    target = tmp_path / "fox.mp4"
    _stopped_download(url, asset, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fox.mp4.part", "fox.mp4.part.json"]
    assert (tmp_path / "fox.mp4.part").stat().st_size == CUT
    with connect(url, "sk-gateway-test") as client:
        download(client, "video_1", target)
    assert asset.seen[-1]["range"] == f"bytes={CUT}-"
    assert asset.seen[-1]["if-range"] == asset.etag
    assert target.read_bytes() == asset.body
    assert [p.name for p in tmp_path.iterdir()] == ["fox.mp4"]


def test_a_changed_asset_starts_over(served: tuple[str, _Asset], tmp_path: Path) -> None:
    url, asset = served
    target = tmp_path / "fox.mp4"
    _stopped_download(url, asset, target)
    asset.etag = '"v2"'  # the server now holds another asset under the same id
    asset.body = asset.body[::-1]
    with connect(url, "sk-gateway-test") as client:
        result = download(client, "video_1", target)
    assert asset.seen[-1]["if-range"] == '"v1"'
    assert target.read_bytes() == asset.body
    assert result.restarts == 1


def test_without_validators_nothing_is_kept_to_resume(
    served: tuple[str, _Asset], tmp_path: Path
) -> None:
    url, asset = served
    asset.etag = None
    target = tmp_path / "fox.mp4"
    _stopped_download(url, asset, target)
    assert list(tmp_path.iterdir()) == []
    with connect(url, "sk-gateway-test") as client:
        download(client, "video_1", target)
    assert "range" not in asset.seen[-1]
    assert target.read_bytes() == asset.body


def test_one_download_per_target_at_a_time(served: tuple[str, _Asset], tmp_path: Path) -> None:
    import fcntl
    import os

    url, _ = served
    target = tmp_path / "fox.mp4"
    fd = os.open(tmp_path / "fox.mp4.part", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with (
            connect(url, "sk-gateway-test") as client,
            pytest.raises(DownloadError, match="another download"),
        ):
            download(client, "video_1", target)
    finally:
        os.close(fd)
