"""The helpers and the generated client against the mock on a real socket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import openai
import pytest
from aihubmix_videos.api.videos import create_video
from aihubmix_videos.models import CreateVideoMultipartRequest, Video
from aihubmix_videos.models.video_model import check_video_model
from aihubmix_videos.models.video_seconds import check_video_seconds
from aihubmix_videos.models.video_size import check_video_size

from tests.client.conftest import Helpers
from tests.conftest import ApiTarget
from videos_contract.client import (
    ApiError,
    DownloadError,
    JobFailedError,
    OutcomeUnknownError,
    RetryPolicy,
    async_create,
    async_delete,
    async_download,
    async_wait,
    connect,
    create,
    delete,
    download,
    iter_videos,
    remix,
    retrieve,
    wait,
)
from videos_contract.families import families
from videos_contract.mock import FAIL_MARKER, MockConfig, MockServer, running_mock
from videos_contract.probe import probe_image, probe_video
from videos_contract.spec import load_spec

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)

POLL = 0.05


def _other_than_default(schema: str) -> str:
    """A value of the enum that is not its default, so that the server cannot just fall back."""
    spec = load_spec()
    return next(v for v in spec.enum(schema) if v != spec.default(schema))


@pytest.mark.videos_billed(jobs=1)
def test_create_wait_download_and_probe(api_target: ApiTarget, tmp_path: Path) -> None:
    """Runs against the mock, or against the live server when one is configured (billed)."""
    size = _other_than_default("VideoSize")
    seconds = _other_than_default("VideoSeconds")
    with connect(api_target.url, api_target.key) as client:
        job = create(
            client,
            "a red fox",
            model=MODEL,
            size=check_video_size(size),
            seconds=check_video_seconds(seconds),
        )
        assert job.status in load_spec().enum("VideoStatus")
        seen: list[Video] = []
        timeout, interval = (1800, 5.0) if api_target.live else (30, POLL)
        done = wait(client, job.id, interval=interval, timeout=timeout, on_progress=seen.append)
        assert done.status == "completed"
        assert seen[-1].progress == 100

        clip = download(client, job.id, tmp_path / "fox.mp4")
        info = probe_video(clip.path)
        assert (info.codec, info.size) == ("h264", size)
        assert info.duration == pytest.approx(float(seconds), abs=0.1)

        thumb = download(client, job.id, tmp_path / "fox.webp", variant="thumbnail")
        assert probe_image(thumb.path).format == "webp"
        assert probe_image(thumb.path).size == size
        sheet = download(client, job.id, tmp_path / "fox.jpg", variant="spritesheet")
        assert probe_image(sheet.path).format == "jpeg"


def test_generated_client_and_helpers_together(mock_server: MockServer) -> None:
    with connect(mock_server.url, mock_server.key) as client:
        made = create_video.sync(
            client=client,
            body=CreateVideoMultipartRequest(model=check_video_model(MODEL), prompt="a heron"),
        )
        assert isinstance(made, Video)
        assert wait(client, made.id, interval=POLL, timeout=30).status == "completed"


def test_failed_job_raises_with_the_server_reason(mock_server: MockServer) -> None:
    with connect(mock_server.url, mock_server.key) as client:
        job = create(client, model=MODEL, prompt=f"a storm {FAIL_MARKER}")
        with pytest.raises(JobFailedError) as caught:
            wait(client, job.id, interval=POLL, timeout=30)
        assert caught.value.code
        assert caught.value.video.status == "failed"


def test_download_before_completion_is_refused(mock_server: MockServer, tmp_path: Path) -> None:
    with connect(mock_server.url, mock_server.key) as client, mock_server.service.holding():
        job = create(client, model=MODEL, prompt="a slow snail")
        with pytest.raises(ApiError) as caught:
            download(client, job.id, tmp_path / "snail.mp4")
        assert (caught.value.status_code, caught.value.code) == (409, "video_not_ready")
        assert list(tmp_path.iterdir()) == []


def test_remix_list_and_delete(mock_server: MockServer) -> None:
    with connect(mock_server.url, mock_server.key) as client:
        source = create(client, model=MODEL, prompt="a lighthouse")
        wait(client, source.id, interval=POLL, timeout=30)
        remixed = remix(client, source.id, "the same lighthouse at night")
        assert remixed.remixed_from_video_id == source.id
        wait(client, remixed.id, interval=POLL, timeout=30)

        ids = [video.id for video in iter_videos(client, limit=1)]
        assert len(ids) == len(set(ids))
        assert {source.id, remixed.id} <= set(ids)

        assert delete(client, remixed.id).deleted is True
        with pytest.raises(ApiError) as caught:
            retrieve(client, remixed.id)
        assert caught.value.status_code == 404


def test_async_lifecycle(mock_server: MockServer, tmp_path: Path) -> None:
    async def scenario() -> Path:
        async with connect(mock_server.url, mock_server.key) as client:
            job = await async_create(client, "an owl at dusk", model=MODEL)
            await async_wait(client, job.id, interval=POLL, timeout=30)
            result = await async_download(client, job.id, tmp_path / "owl.mp4")
            await async_delete(client, job.id)
            return result.path

    path = asyncio.run(scenario())
    assert probe_video(path).size == load_spec().default("VideoSize")


def test_faults_are_retried_and_creates_never_duplicated() -> None:
    """Under injected 500/503s every GET gets through, and each create is sent once: the jobs
    on the server are exactly the creates that were answered 200."""
    config = MockConfig(render_seconds=0.2, seed=3, fault_rate=0.3)
    no_wait = RetryPolicy(max_retries=10, sleep=lambda _: None, rng=random.Random(0))
    with running_mock(config) as server, connect(server.url, server.key, policy=no_wait) as client:
        accepted: list[str] = []
        refused = 0
        for n in range(12):
            try:
                accepted.append(create(client, model=MODEL, prompt=f"clip number {n}").id)
            except ApiError as exc:
                assert exc.status_code in (500, 503)
                refused += 1
        assert refused > 0, "the seed must fault some creates, or this test proves nothing"
        assert accepted
        for video_id in accepted:
            assert wait(client, video_id, interval=POLL, timeout=30).status == "completed"
        on_server = [video.id for video in iter_videos(client, limit=5)]
        assert sorted(on_server) == sorted(accepted)


def test_rate_limit_is_waited_out() -> None:
    with running_mock(MockConfig(render_seconds=0.2, rate_limit=4)) as server:
        seen: list[int] = []
        policy = RetryPolicy(on_retry=lambda _req, _n, reason, _d: seen.append(len(reason)))
        with connect(server.url, server.key, policy=policy) as client:
            job = create(client, model=MODEL, prompt="a kite")
            for _ in range(8):
                assert retrieve(client, job.id).id == job.id
        assert seen, "the limit must have been hit"


class CuttingProxy:
    """A TCP proxy to the mock that closes the first connection after `cut` response bytes,
    or with `hang`, keeps it open and silent from then on.

    `requests[n]` holds the bytes the client sent on connection n, and `heads[n]` the head
    (status line and headers) of the answer relayed on it.
    """

    def __init__(self, target: str, cut: int, *, hang: bool = False) -> None:
        url = httpx.URL(target)
        self.target = (url.host, url.port or 80)
        self.cut = cut
        self.hang = hang
        self.closed = threading.Event()
        self.cut_sent = threading.Event()
        self.connections = 0
        self.requests: list[bytearray] = []
        self.heads: list[bytearray] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            limit = self.cut if self.connections == 1 else None
            self.requests.append(bytearray())
            self.heads.append(bytearray())
            relay = (downstream, limit, self.requests[-1], self.heads[-1])
            threading.Thread(target=self._relay, args=relay, daemon=True).start()

    def _relay(
        self, downstream: socket.socket, limit: int | None, request: bytearray, head: bytearray
    ) -> None:
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            downstream.close()  # the mock is gone (a late retry): nothing to relay to
            return

        def forward_requests() -> None:
            try:
                while data := downstream.recv(65536):
                    request.extend(data)
                    upstream.sendall(data)
            except OSError:
                pass

        threading.Thread(target=forward_requests, daemon=True).start()
        sent = 0
        try:
            while data := upstream.recv(65536):
                if b"\r\n\r\n" not in head:
                    head.extend(data)
                    if (end := head.find(b"\r\n\r\n")) >= 0:
                        del head[end + 4 :]
                if limit is not None and sent + len(data) >= limit:
                    downstream.sendall(data[: limit - sent])
                    self.cut_sent.set()
                    if self.hang:
                        self.closed.wait()
                    break
                downstream.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            # shutdown, not just close: the other thread's recv would keep the socket open.
            for sock in (downstream, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()


def _header(raw: bytes | bytearray, name: str) -> str | None:
    """The value of header `name` in an HTTP/1.1 message head, or None."""
    for line in raw.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]:
        field, _, value = line.partition(":")
        if field.strip().lower() == name:
            return value.strip()
    return None


def _completed(server: MockServer, tmp_path: Path) -> tuple[str, bytes]:
    """A completed job's id, and its MP4 downloaded whole (`direct.mp4`) straight from the
    mock."""
    with connect(server.url, server.key) as client:
        job = create(client, model=MODEL, prompt="a waterfall")
        wait(client, job.id, interval=POLL, timeout=30)
        whole = download(client, job.id, tmp_path / "direct.mp4").path.read_bytes()
    return job.id, whole


def test_resume_over_a_real_dropped_connection(
    mock_server: MockServer, tmp_path: Path, helpers: Helpers
) -> None:
    """Catches a resumption that does not name the asset its bytes are from (`If-Range` with
    the first answer's strong ETag), and one the mock does not answer with the rest (206)."""
    job_id, whole = _completed(mock_server, tmp_path)
    proxy = CuttingProxy(mock_server.url, cut=len(whole) // 2)
    try:
        with connect(proxy.url, mock_server.key) as client:
            result = helpers.download(client, job_id, tmp_path / "resumed.mp4")
    finally:
        proxy.close()
    assert (result.resumes, result.restarts) == (1, 0)
    assert result.path.read_bytes() == whole
    assert proxy.connections == 2
    etag = _header(proxy.heads[0], "etag")
    assert etag is not None and not etag.startswith("W/")
    assert _header(proxy.requests[0], "if-range") is None
    assert _header(proxy.requests[1], "range") == f"bytes={proxy.cut - len(proxy.heads[0])}-"
    assert _header(proxy.requests[1], "if-range") == etag
    assert _header(proxy.heads[1], "etag") == etag
    assert proxy.heads[1].startswith(b"HTTP/1.1 206 ")
    assert probe_video(result.path).frames > 0


def _stopped_half_way(
    server: MockServer, tmp_path: Path, stop: Callable[..., object]
) -> tuple[str, bytes]:
    """A completed job's id and its MP4 as downloaded whole, and `resumed.mp4.part` (with its
    `.part.json`) left by a download through a relay that cut the connection half-way."""
    job_id, whole = _completed(server, tmp_path)
    proxy = CuttingProxy(server.url, cut=len(whole) // 2)
    try:
        with connect(proxy.url, server.key) as client, pytest.raises(DownloadError):
            stop(client, job_id, tmp_path / "resumed.mp4", max_resumes=0)
    finally:
        proxy.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "direct.mp4",
        "resumed.mp4.part",
        "resumed.mp4.part.json",
    ]
    return job_id, whole


def test_a_stopped_download_resumes_from_the_mock_in_the_next_run(
    mock_server: MockServer, tmp_path: Path, helpers: Helpers
) -> None:
    """Catches a mock that gives no validators or ignores `If-Range` (the next run would
    start again from byte 0), and a resumed file that is not the asset byte for byte."""
    video_id, whole = _stopped_half_way(mock_server, tmp_path, helpers.download)
    kept = (tmp_path / "resumed.mp4.part").stat().st_size
    assert 0 < kept < len(whole)
    offsets: list[int] = []
    with connect(mock_server.url, mock_server.key) as client:
        result = helpers.download(
            client,
            video_id,
            tmp_path / "resumed.mp4",
            on_progress=lambda done, _total: offsets.append(done),
        )
    assert offsets[0] == kept, "the next run must ask only for the rest"
    assert (result.restarts, result.resumes) == (0, 0)
    assert result.path.read_bytes() == whole
    assert probe_video(result.path).frames > 0
    assert not (tmp_path / "resumed.mp4.part.json").exists()


@pytest.mark.parametrize(
    ("edit", "statuses"),
    [
        pytest.param({"etag": None}, [206], id="by-last-modified"),
        pytest.param({"etag": '"an-earlier-asset"'}, [200], id="changed-etag"),
        pytest.param(
            {"etag": None, "last_modified": "Thu, 01 Jan 1970 00:00:00 GMT"},
            [200],
            id="changed-date",
        ),
    ],
)
def test_the_mock_judges_the_if_range_of_a_next_run(
    mock_server: MockServer, tmp_path: Path, edit: dict[str, str | None], statuses: list[int]
) -> None:
    """Catches a mock that does not resume by its Last-Modified date, or that sends the rest
    (206) under an If-Range naming an asset the client's bytes are not from (the client then
    has to ask again: two answers where one is due)."""
    video_id, whole = _stopped_half_way(mock_server, tmp_path, download)
    saved = tmp_path / "resumed.mp4.part.json"
    saved.write_text(json.dumps({**json.loads(saved.read_text()), **edit}))
    seen: list[int] = []
    with connect(mock_server.url, mock_server.key) as client:
        client.get_httpx_client().event_hooks["response"].append(
            lambda response: seen.append(response.status_code)
        )
        result = download(client, video_id, tmp_path / "resumed.mp4")
    assert seen == statuses
    assert result.restarts == (1 if statuses == [200] else 0)
    assert result.path.read_bytes() == whole


def _jobs_on(server: MockServer) -> int:
    with connect(server.url, server.key) as client:
        return sum(1 for _ in iter_videos(client))


def test_lost_answer_to_a_create_is_not_resent(mock_server: MockServer) -> None:
    """The server accepts the create but the answer is cut: one job, and the caller is told."""
    proxy = CuttingProxy(mock_server.url, cut=1)
    try:
        with connect(proxy.url, mock_server.key) as client, pytest.raises(OutcomeUnknownError):
            create(client, model=MODEL, prompt="a billed fox")
    finally:
        proxy.close()
    assert proxy.connections == 1
    assert _jobs_on(mock_server) == 1


@pytest.mark.filterwarnings(
    "ignore:The Sora API is scheduled to permanently shut down:DeprecationWarning"
)
def test_openai_sdk_default_retry_duplicates_that_create(mock_server: MockServer) -> None:
    """Why the policy exists: the SDK's default retries send the same create again."""
    proxy = CuttingProxy(mock_server.url, cut=1)
    try:
        with openai.OpenAI(base_url=proxy.url + "/v1", api_key=mock_server.key) as sdk:
            sdk.videos.create(model=MODEL, prompt="a billed fox")
    finally:
        proxy.close()
    assert proxy.connections == 2
    assert _jobs_on(mock_server) == 2


def test_a_killed_download_leaves_no_partial_target(
    mock_server: MockServer, tmp_path: Path
) -> None:
    """SIGKILL in the middle of the body: the target never appears, only `NAME.part`."""
    with connect(mock_server.url, mock_server.key) as client:
        job = create(client, model=MODEL, prompt="a glacier")
        wait(client, job.id, interval=POLL, timeout=30)
    proxy = CuttingProxy(mock_server.url, cut=4000, hang=True)
    target = tmp_path / "glacier.mp4"
    code = (
        "import sys; from videos_contract.client import connect, download; "
        "download(connect(), sys.argv[1], sys.argv[2])"
    )
    env = {**os.environ, "VIDEOS_API_URL": proxy.url, "VIDEOS_API_KEY": mock_server.key}
    child = subprocess.Popen([sys.executable, "-c", code, job.id, str(target)], env=env)
    try:
        # Part of the body has gone out, the rest never will: the child is mid-download.
        assert proxy.cut_sent.wait(timeout=30), "the download never started"
        assert child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        proxy.close()
    assert not target.exists()
    leftovers = {p.name for p in tmp_path.iterdir()}
    # The stable name a next run resumes from, and, when the child had read the answer's head
    # before it was killed, the size and validators it resumes with.
    assert leftovers - {"glacier.mp4.part.json"} == {"glacier.mp4.part"}
    with connect(mock_server.url, mock_server.key) as client:
        download(client, job.id, target)
    assert probe_video(target).frames > 0
    assert [p.name for p in tmp_path.iterdir()] == ["glacier.mp4"]
