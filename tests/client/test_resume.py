"""A stopped download resumes from its stable `NAME.part` in the next run, when the server
proves (size and ETag or Last-Modified) that the asset is the same; otherwise it starts over.

Within one run the same holds after a dropped connection: the resumption names the asset it
has bytes of (`If-Range`), and an asset replaced in between comes whole, never spliced.

The asset is a real MP4 made by the mock; a small loopback server serves it with or without
validators, honours `Range`/`If-Range`, can cut its first answer short, and can replace the
asset right after that cut.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aihubmix_videos.models.video_model import check_video_model

from tests.client.conftest import Helpers
from videos_contract.client import DownloadError, connect, create, download, wait
from videos_contract.families import families
from videos_contract.mock.ranges import range_applies

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)

CUT = 1000


@dataclass
class _Asset:
    body: bytes = b""
    etag: str | None = '"v1"'
    last_modified: str | None = None
    cut: int | None = None  # the next answer stops after this many bytes
    after_cut: Callable[[_Asset], None] | None = None  # run once that cut answer is out
    honour_if_range: bool = True  # False: every Range is answered 206, whatever If-Range says
    seen: list[dict[str, str]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def validators(self) -> dict[str, str]:
        served = {"ETag": self.etag, "Last-Modified": self.last_modified}
        return {name: value for name, value in served.items() if value is not None}


class _Server(http.server.ThreadingHTTPServer):
    asset: _Asset


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, _Server)
        asset = self.server.asset
        asset.seen.append({k.lower(): v for k, v in self.headers.items()})
        body, start = asset.body, 0
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range") if asset.honour_if_range else None
        if wanted and range_applies(if_range, asset.validators()):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            asset.statuses.append(206)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            asset.statuses.append(200)
            self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(body) - start))
        for name, value in asset.validators().items():
            self.send_header(name, value)
        self.end_headers()
        cut, asset.cut = asset.cut, None
        self.wfile.write(body[start:] if cut is None else body[start : start + cut])
        self.wfile.flush()
        if cut is not None and asset.after_cut is not None:
            # Before the connection closes, so before the client can ask again.
            asset.after_cut(asset)
            asset.after_cut = None
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
        job = create(client, model=MODEL, prompt="a glacier")
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


# Within one run: a connection dropped after CUT bytes of the answer's body.
DATE = "Wed, 02 Dec 2026 05:00:00 GMT"
LATER = "Wed, 02 Dec 2026 06:00:00 GMT"


def _replaced_by(
    body: bytes, etag: str | None, last_modified: str | None = None
) -> Callable[[_Asset], None]:
    """What `after_cut` runs: the server holds another asset under the same id from then on."""

    def replace(asset: _Asset) -> None:
        asset.body, asset.etag, asset.last_modified = body, etag, last_modified

    return replace


def test_a_resume_in_the_same_run_names_the_first_answer_s_etag(
    served: tuple[str, _Asset], tmp_path: Path, helpers: Helpers
) -> None:
    url, asset = served
    asset.cut = CUT
    with connect(url, "sk-gateway-test") as client:
        result = helpers.download(client, "video_1", tmp_path / "fox.mp4")
    assert [seen.get("range") for seen in asset.seen] == [None, f"bytes={CUT}-"]
    assert [seen.get("if-range") for seen in asset.seen] == [None, '"v1"']
    assert asset.statuses == [200, 206]
    assert (result.resumes, result.restarts) == (1, 0)
    assert result.path.read_bytes() == asset.body


@pytest.mark.parametrize(
    ("first", "then", "if_range"),
    [
        pytest.param(('"v1"', None), ('"v2"', None), '"v1"', id="strong-etag"),
        pytest.param(('"v1"', DATE), ('"v2"', LATER), '"v1"', id="etag-before-date"),
        pytest.param((None, DATE), (None, LATER), DATE, id="last-modified"),
        pytest.param(('W/"v1"', DATE), ('W/"v2"', LATER), DATE, id="weak-etag-so-date"),
    ],
)
def test_an_asset_replaced_between_the_cut_and_the_resume_comes_whole(
    served: tuple[str, _Asset],
    tmp_path: Path,
    helpers: Helpers,
    first: tuple[str | None, str | None],
    then: tuple[str | None, str | None],
    if_range: str,
) -> None:
    """Catches a resumption without `If-Range` (the server sends the rest of the new asset,
    206, and the file is the first half of one asset and the second half of another), and one
    that appends the `200` a changed asset gets."""
    url, asset = served
    original = asset.body
    replacement = original[::-1]  # the same size: only a validator can tell them apart
    asset.etag, asset.last_modified = first
    asset.cut, asset.after_cut = CUT, _replaced_by(replacement, *then)
    with connect(url, "sk-gateway-test") as client:
        result = helpers.download(client, "video_1", tmp_path / "fox.mp4")
    spliced = original[:CUT] + replacement[CUT:]
    assert result.path.read_bytes() != spliced
    assert result.path.read_bytes() == replacement
    assert (result.resumes, result.restarts) == (1, 1)
    assert asset.seen[1]["range"] == f"bytes={CUT}-"
    assert asset.seen[1].get("if-range") == if_range
    assert asset.statuses == [200, 200]


@pytest.mark.parametrize(
    ("first", "then"),
    [
        pytest.param('"v1"', '"v2"', id="another-etag"),
        # A weak tag may not go in If-Range, so the server sends the rest: its tag still tells.
        pytest.param('W/"v1"', 'W/"v2"', id="another-weak-etag"),
    ],
)
def test_a_206_of_another_asset_starts_over(
    served: tuple[str, _Asset], tmp_path: Path, helpers: Helpers, first: str, then: str
) -> None:
    """A server that answers every `Range` 206, whatever `If-Range` says: the resumption's
    validator is not the first answer's, so its bytes are not appended."""
    url, asset = served
    replacement = asset.body[::-1]
    asset.etag, asset.honour_if_range = first, False
    asset.cut, asset.after_cut = CUT, _replaced_by(replacement, then)
    with connect(url, "sk-gateway-test") as client:
        result = helpers.download(client, "video_1", tmp_path / "fox.mp4")
    assert result.path.read_bytes() == replacement
    assert (result.resumes, result.restarts) == (1, 1)
    assert asset.seen[1].get("if-range") == (None if first.startswith("W/") else first)
    assert asset.statuses == [200, 206, 200]
    assert "range" not in asset.seen[2]


def test_a_206_of_another_size_starts_over(
    served: tuple[str, _Asset], tmp_path: Path, helpers: Helpers
) -> None:
    """The same validator (a server that reuses it) but another total in `Content-Range`."""
    url, asset = served
    replacement = asset.body + b"\0" * 100
    asset.honour_if_range = False
    asset.cut, asset.after_cut = CUT, _replaced_by(replacement, asset.etag)
    with connect(url, "sk-gateway-test") as client:
        result = helpers.download(client, "video_1", tmp_path / "fox.mp4")
    assert asset.statuses == [200, 206, 200]
    assert result.path.read_bytes() == replacement
    assert (result.resumes, result.restarts) == (1, 1)


def test_a_resume_after_a_restart_names_the_new_asset(
    served: tuple[str, _Asset], tmp_path: Path, helpers: Helpers
) -> None:
    """After a `200` of a replaced asset, the next resumption names that asset, not the first."""
    url, asset = served
    replacement = asset.body[::-1]

    def replace_then_cut_again(changed: _Asset) -> None:
        _replaced_by(replacement, '"v2"')(changed)
        changed.cut = CUT  # the whole new asset, cut too

    asset.cut, asset.after_cut = CUT, replace_then_cut_again
    with connect(url, "sk-gateway-test") as client:
        result = helpers.download(client, "video_1", tmp_path / "fox.mp4")
    assert [seen.get("if-range") for seen in asset.seen] == [None, '"v1"', '"v2"']
    assert asset.statuses == [200, 200, 206]
    assert result.path.read_bytes() == replacement
    assert (result.resumes, result.restarts) == (2, 1)
