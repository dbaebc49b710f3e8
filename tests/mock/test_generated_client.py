"""The generated client against the mock on a real socket: every option, every error typed.

This is the end-to-end proof that the spec, the client generated from it and the mock agree
on the wire (multipart with the client's fixed `+++` boundary, JSON parts, ranges).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.api.videos import (
    create_video,
    delete_video,
    download_video_content,
    list_videos,
    remix_video,
    retrieve_video,
)
from aihubmix_videos.models import (
    CreateVideoMultipartRequest,
    DeletedVideo,
    ErrorResponse,
    ImageReference,
    RemixVideoRequest,
    SoraVideoRequest,
    Video,
    VideoList,
)
from aihubmix_videos.models.video_model import check_video_model
from aihubmix_videos.models.video_seconds import check_video_seconds
from aihubmix_videos.models.video_size import check_video_size
from aihubmix_videos.types import File, Response
from PIL import Image

from videos_contract.families import families
from videos_contract.mock import MockConfig, MockServer, running_mock
from videos_contract.probe import probe_image, probe_video
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()
# Read from the spec; the check functions hold the generated models to the same values.
SIZES = [check_video_size(value) for value in SPEC.enum("VideoSize")]
MODELS = [check_video_model(value) for value in SPEC.enum("VideoModel")]
SECONDS = [check_video_seconds(value) for value in SPEC.enum("VideoSeconds")]


def png(size: str) -> io.BytesIO:
    width, _, height = size.partition("x")
    buffer = io.BytesIO()
    Image.new("RGB", (int(width), int(height)), (200, 60, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def client_for(server: MockServer, token: str | None = None) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url, token=token or server.key, timeout=None)


@pytest.fixture
def server() -> Iterator[MockServer]:
    with running_mock(MockConfig(render_seconds=0.0, seed=4)) as running:
        yield running


def completed(client: AuthenticatedClient, video_id: str) -> Video:
    for _ in range(200):
        video = retrieve_video.sync(video_id, client=client)
        assert isinstance(video, Video)
        if video.status in ("completed", "failed"):
            return video
        time.sleep(0.05)
    raise AssertionError(f"{video_id} did not finish")


def test_create_with_every_option_as_multipart_with_a_file(server: MockServer) -> None:
    size, model, seconds = SIZES[-1], MODELS[-1], SECONDS[1]
    with client_for(server) as client:
        body = CreateVideoMultipartRequest(
            prompt="A paper boat in the rain.",
            model=model,
            seconds=seconds,
            size=size,
            input_reference=File(payload=png(size), file_name="boat.png", mime_type="image/png"),
        )
        response = create_video.sync_detailed(client=client, body=body)
        assert response.status_code == 200, response.content
        video = response.parsed
        assert isinstance(video, Video)
        assert (video.model, video.seconds, video.size, video.status) == (
            model,
            seconds,
            size,
            "queued",
        )
        assert video.prompt == "A paper boat in the rain."
        done = completed(client, video.id)
        assert done.status == "completed"
        stored = server.store.get(server.app.state.service.owner_id(server.key), video.id)
        assert stored is not None and stored.reference is not None
        assert stored.reference["type"] == "upload"


def _jobs(server: MockServer) -> list[Any]:
    owner = server.app.state.service.owner_id(server.key)
    jobs, _ = server.store.page(owner, after=None, limit=1000, order="asc")
    return jobs


@pytest.mark.parametrize(
    "reference",
    [ImageReference(image_url="https://example.com/a.png"), ImageReference(file_id="f")],
)
def test_reference_object_as_a_json_part_and_in_a_json_body(
    server: MockServer, reference: ImageReference
) -> None:
    with client_for(server) as client:
        multipart = CreateVideoMultipartRequest(
            model=check_video_model(MODEL), prompt="A fox.", input_reference=reference
        )
        as_json = SoraVideoRequest(
            prompt="A fox.",
            model=MODELS[0],
            seconds=SECONDS[-1],
            size=SIZES[1],
            input_reference=reference,
        )
        for body in (multipart, as_json):
            response = create_video.sync_detailed(client=client, body=body)
            assert response.status_code == 200, response.content
            assert isinstance(response.parsed, Video)
    expected = {k: v for k, v in reference.to_dict().items()}
    references = [job.reference for job in _jobs(server)]
    assert references == [{"type": "object", **expected}] * 2


def test_list_retrieve_download_remix_delete(server: MockServer) -> None:
    with client_for(server) as client:
        created = create_video.sync(
            client=client, body=SoraVideoRequest(model=check_video_model(MODEL), prompt="A fox.")
        )
        assert isinstance(created, Video)
        done = completed(client, created.id)
        assert done.completed_at is not None and done.expires_at is not None

        page = list_videos.sync(client=client, limit=1)
        assert isinstance(page, VideoList)
        assert [v.id for v in page.data] == [created.id]

        whole = download_video_content.sync_detailed(created.id, client=client)
        assert whole.status_code == 200 and isinstance(whole.parsed, File)
        info = probe_video(whole.content)
        assert (info.codec, info.size) == ("h264", created.size)
        part = download_video_content.sync_detailed(created.id, client=client, range_="bytes=0-9")
        assert part.status_code == 206 and part.content == whole.content[:10]
        thumb = download_video_content.sync_detailed(created.id, client=client, variant="thumbnail")
        assert probe_image(thumb.content).size == created.size

        remix = remix_video.sync(created.id, client=client, body=RemixVideoRequest(prompt="Night"))
        assert isinstance(remix, Video) and remix.remixed_from_video_id == created.id

        gone = delete_video.sync(created.id, client=client)
        assert isinstance(gone, DeletedVideo) and gone.deleted is True
        missing = retrieve_video.sync(created.id, client=client)
        assert isinstance(missing, ErrorResponse)


def _assert_typed_error(response: Response[Any], status: int) -> ErrorResponse:
    assert response.status_code == status, response.content
    parsed = response.parsed
    assert isinstance(parsed, ErrorResponse), parsed
    sent = json.loads(response.content)["error"]
    assert parsed.error.message == sent["message"]
    assert parsed.error.type_ == sent["type"]
    assert parsed.error.param == sent["param"]
    assert parsed.error.code == sent["code"]
    return parsed


def test_each_error_status_arrives_as_a_typed_error_response(server: MockServer) -> None:
    with client_for(server) as client:
        bad = _assert_typed_error(
            create_video.sync_detailed(
                client=client,
                body=CreateVideoMultipartRequest(model=check_video_model(MODEL), prompt=""),
            ),
            400,
        )
        assert bad.error.param == "prompt"
        other_size = File(payload=png(SIZES[1]), file_name="r.png", mime_type="image/png")
        wrong_image = CreateVideoMultipartRequest(
            model=check_video_model(MODEL),
            prompt="A fox.",
            size=SIZES[0],
            input_reference=other_size,
        )
        bad = _assert_typed_error(create_video.sync_detailed(client=client, body=wrong_image), 400)
        assert bad.error.param == "input_reference" and SIZES[1] in bad.error.message
        unnamed = File(payload=png(SIZES[0]), mime_type="image/png")
        no_name = CreateVideoMultipartRequest(
            model=check_video_model(MODEL), prompt="A fox.", input_reference=unnamed
        )
        bad = _assert_typed_error(create_video.sync_detailed(client=client, body=no_name), 400)
        assert bad.error.code == "missing_filename"
        _assert_typed_error(create_video.sync_detailed(client=client), 415)
        _assert_typed_error(retrieve_video.sync_detailed("video_nope", client=client), 404)
        _assert_typed_error(delete_video.sync_detailed("video_nope", client=client), 404)
        _assert_typed_error(
            remix_video.sync_detailed(
                "video_nope", client=client, body=RemixVideoRequest(prompt="x")
            ),
            404,
        )
        _assert_typed_error(list_videos.sync_detailed(client=client, after="video_nope"), 400)
        video = create_video.sync(
            client=client, body=SoraVideoRequest(model=check_video_model(MODEL), prompt="A fox.")
        )
        assert isinstance(video, Video)
        completed(client, video.id)
        _assert_typed_error(
            download_video_content.sync_detailed(video.id, client=client, range_="bytes=9999999-"),
            416,
        )
        _assert_typed_error(
            remix_video.sync_detailed(video.id, client=client, body=RemixVideoRequest(prompt="")),
            400,
        )
    with client_for(server, token="sk-gateway-wrong") as client:
        denied = _assert_typed_error(list_videos.sync_detailed(client=client), 401)
        assert denied.error.type_ == "authentication_error"


def test_states_and_limits_arrive_as_typed_errors() -> None:
    config = MockConfig(render_seconds=3600.0, max_body_bytes=64 * 1024)
    with running_mock(config) as server, client_for(server) as client:
        video = create_video.sync(
            client=client, body=SoraVideoRequest(model=check_video_model(MODEL), prompt="A fox.")
        )
        assert isinstance(video, Video)
        _assert_typed_error(download_video_content.sync_detailed(video.id, client=client), 409)
        _assert_typed_error(
            remix_video.sync_detailed(video.id, client=client, body=RemixVideoRequest(prompt="x")),
            409,
        )
        big = File(payload=io.BytesIO(b"\x00" * 200_000), file_name="big.png")
        too_big = CreateVideoMultipartRequest(
            model=check_video_model(MODEL), prompt="A fox.", input_reference=big
        )
        _assert_typed_error(create_video.sync_detailed(client=client, body=too_big), 413)
    with (
        running_mock(MockConfig(render_seconds=0.0, asset_ttl_seconds=0.0)) as server,
        client_for(server) as client,
    ):
        video = create_video.sync(
            client=client, body=SoraVideoRequest(model=check_video_model(MODEL), prompt="A fox.")
        )
        assert isinstance(video, Video)
        _assert_typed_error(download_video_content.sync_detailed(video.id, client=client), 410)


def test_faults_and_rate_limits_arrive_as_typed_errors() -> None:
    with running_mock(MockConfig(fault_rate=1.0)) as server, client_for(server) as client:
        statuses = set()
        for _ in range(12):
            response = list_videos.sync_detailed(client=client)
            _assert_typed_error(response, int(response.status_code))
            statuses.add(int(response.status_code))
        assert statuses == {500, 503}
    with running_mock(MockConfig(rate_limit=1)) as server, client_for(server) as client:
        responses = [list_videos.sync_detailed(client=client) for _ in range(4)]
        limited = [r for r in responses if r.status_code == 429]
        assert limited
        _assert_typed_error(limited[0], 429)
