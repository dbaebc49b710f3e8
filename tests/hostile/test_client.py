"""The client helpers against hostile servers: each case one behaviour, on a real socket.

Memory is shown bounded by what the server managed to send before the client stopped reading
(a client that held the body would have read it all); time by generous margins.
"""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest
from aihubmix_videos.models.video_model import check_video_model

from tests.support.hostile import (
    MIB,
    behind_a_cdn,
    completed_video,
    cut_halfway,
    endless_chunked,
    gzip_bomb,
    gzipped_asset,
    hostile,
    huge_json,
    is_content,
    is_retrieve,
    list_cycle,
    redirect_content,
    silent,
    trickle,
    trickle_head,
)
from videos_contract.client import (
    DEFAULT_MAX_BODY,
    DeadlineExceeded,
    DownloadError,
    EncodingRefusedError,
    PaginationCycleError,
    ResponseTooLargeError,
    async_iter_videos,
    async_retrieve,
    connect,
    create,
    download,
    iter_videos,
    retrieve,
)
from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.probe import probe_video

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)


def test_every_request_asks_for_identity_encoding(mock: MockServer, tmp_path: Path) -> None:
    video_id = completed_video(mock)
    with hostile(mock.url, lambda seen: None) as server, connect(server.url, mock.key) as client:
        retrieve(client, video_id)
        list(iter_videos(client))
        download(client, video_id, tmp_path / "clip.mp4")
        create(client, model=MODEL, prompt="another lake")
    assert server.seen and all(s.headers.get("accept-encoding") == "identity" for s in server.seen)


def test_gzip_bomb_is_refused_unread(mock: MockServer, tmp_path: Path) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: gzip_bomb if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        with pytest.raises(EncodingRefusedError, match="'gzip'"):
            download(client, video_id, tmp_path / "clip.mp4")
    assert server.sent < 4 * MIB, "the client stopped reading at the headers"
    assert list(tmp_path.iterdir()) == []


def test_two_gigabyte_json_is_refused_by_its_length(mock: MockServer) -> None:
    rule = lambda seen: huge_json if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        with pytest.raises(ResponseTooLargeError, match="declares 2147483648 bytes"):
            retrieve(client, "video_x")
    assert server.sent < 64 * MIB


def test_endless_chunked_json_is_cut_at_the_cap(mock: MockServer) -> None:
    rule = lambda seen: endless_chunked if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        with pytest.raises(ResponseTooLargeError, match=f"passed {DEFAULT_MAX_BODY} bytes"):
            retrieve(client, "video_x")
    # What the client read plus what socket buffers held when it hung up.
    assert server.sent < DEFAULT_MAX_BODY + 32 * MIB


def test_endless_chunked_json_is_cut_at_the_cap_async(mock: MockServer) -> None:
    rule = lambda seen: endless_chunked if is_retrieve(seen) else None  # noqa: E731

    async def run(url: str) -> None:
        client = connect(url, mock.key, max_body=MIB)
        try:
            await async_retrieve(client, "video_x")
        finally:
            await client.get_async_httpx_client().aclose()

    with hostile(mock.url, rule) as server:
        with pytest.raises(ResponseTooLargeError, match=f"passed {MIB} bytes"):
            asyncio.run(run(server.url))
    assert server.sent < MIB + 32 * MIB


@pytest.mark.parametrize(
    ("asynchronous", "what"),
    [(False, "body"), (True, "body"), (False, "head"), (True, "head")],
    ids=["sync-body", "async-body", "sync-head", "async-head"],
)
def test_trickle_ends_at_the_call_deadline(mock: MockServer, asynchronous: bool, what: str) -> None:
    video_id = completed_video(mock)
    slow = trickle(1.0) if what == "body" else trickle_head(0.5)
    rule = lambda seen: slow if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        client = connect(server.url, mock.key, call_timeout=2.0)
        with pytest.raises(DeadlineExceeded, match=r"within 2 s .*too slow"):
            if asynchronous:

                async def run() -> None:
                    try:
                        await async_retrieve(client, video_id)
                    finally:
                        await client.get_async_httpx_client().aclose()

                asyncio.run(run())
            else:
                with client:
                    retrieve(client, video_id)
    # The answer trickles for minutes (a byte a second): the deadline error, not the answer,
    # ended the call. That it overruns the deadline by at most the read in progress is held on
    # a fake clock by `test_each_read_waits_at_most_until_the_deadline_on_a_fake_clock`.
    assert server.requests_to(f"/videos/{video_id}"), "the retrieve never reached the server"


def test_server_that_never_answers_ends_at_the_call_deadline(mock: MockServer) -> None:
    rule = lambda seen: silent if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server, connect(server.url, mock.key, call_timeout=1.0) as c:
        with pytest.raises(DeadlineExceeded, match="no answer within 1 s"):
            retrieve(c, "video_x")


def test_cycling_cursors_stop_with_an_error(mock: MockServer) -> None:
    with hostile(mock.url, list_cycle) as server, connect(server.url, mock.key) as client:
        seen = []
        with pytest.raises(PaginationCycleError, match="'video_A'"):
            for video in iter_videos(client):
                seen.append(video.id)
        assert seen == ["video_A", "video_B", "video_A"]
        assert len(server.seen) == 3

        async def walk() -> list[str]:
            ids = []
            try:
                async for video in async_iter_videos(client):
                    ids.append(video.id)
            finally:
                await client.get_async_httpx_client().aclose()
            return ids

        with pytest.raises(PaginationCycleError):
            asyncio.run(walk())
        assert len(server.seen) == 6


def test_close_delimited_body_cut_halfway_is_kept_as_part(mock: MockServer, tmp_path: Path) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: cut_halfway(0.5) if is_content(seen) else None  # noqa: E731
    target = tmp_path / "clip.mp4"
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        with pytest.raises(DownloadError, match=r"no Content-Length .* kept as .*clip\.mp4\.part"):
            download(client, video_id, target)
    assert not target.exists()
    assert (tmp_path / "clip.mp4.part").stat().st_size > 0


def test_close_delimited_body_that_is_whole_is_verified_and_kept(
    mock: MockServer, tmp_path: Path
) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: cut_halfway(1.0) if is_content(seen) else None  # noqa: E731
    target = tmp_path / "clip.mp4"
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        result = download(client, video_id, target)
        thumb = download(client, video_id, tmp_path / "t.webp", variant="thumbnail")
    assert result.size == target.stat().st_size and probe_video(target).frames > 0
    assert thumb.size > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_close_delimited_body_without_the_media_extra_is_kept_as_part(
    mock: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base install has no decoder: a body without a length cannot be shown complete, so
    it is not trusted, and the error names the extra that would check it."""
    video_id = completed_video(mock)
    # The client's question, answered as in an install without PyAV and Pillow (the mock
    # serving the asset in this process still has them).
    module = importlib.import_module("videos_contract.client.download")
    monkeypatch.setattr(module, "missing", lambda extra: ("av", "PIL"))
    rule = lambda seen: cut_halfway(1.0) if is_content(seen) else None  # noqa: E731
    target = tmp_path / "clip.mp4"
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        with pytest.raises(DownloadError) as caught:
            download(client, video_id, target)
    assert "no Content-Length" in str(caught.value)
    assert "needs the 'media' extra: pip install 'videos-contract[media]'" in str(caught.value)
    assert not target.exists()
    assert probe_video(tmp_path / "clip.mp4.part").frames > 0  # whole, yet unchecked: kept


def test_unrequested_gzip_is_refused_and_nothing_saved(mock: MockServer, tmp_path: Path) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: gzipped_asset if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server, connect(server.url, mock.key) as client:
        with pytest.raises(EncodingRefusedError, match="Content-Encoding 'gzip'"):
            download(client, video_id, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_redirect_to_another_origin_carries_no_key(mock: MockServer, tmp_path: Path) -> None:
    video_id = completed_video(mock)

    with behind_a_cdn(mock.url, mock.key) as (cdn, api), connect(api.url, mock.key) as client:
        result = download(client, video_id, tmp_path / "clip.mp4")
        cdn_heads = [s.raw_head for s in cdn.seen]
    assert result.redirects and result.redirects[0].startswith(cdn.url)
    assert probe_video(tmp_path / "clip.mp4").frames > 0
    assert cdn_heads, "the CDN was asked"
    assert all(b"authorization" not in h.lower() for h in cdn_heads)
    assert all(mock.key.encode() not in h for h in cdn_heads)
    assert api.seen[0].headers["authorization"] == f"Bearer {mock.key}"


def test_endless_redirects_are_bounded(mock: MockServer, tmp_path: Path) -> None:
    video_id = completed_video(mock)
    with hostile(mock.url, redirect_content(None)) as api:
        with connect(api.url, mock.key) as client:
            with pytest.raises(DownloadError, match="more than 5 redirects"):
                download(client, video_id, tmp_path / "clip.mp4")
    assert len(api.requests_to("/content")) == 6
    assert list(tmp_path.iterdir()) == []
