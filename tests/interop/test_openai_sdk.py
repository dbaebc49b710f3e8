"""The official `openai` SDK, an independently written client, against the mock.

Its `videos` methods are marked deprecated (the upstream API announced a shutdown); exactly
that warning is filtered here, any other warning still fails the test.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from PIL import Image

from videos_contract.families import Family, families
from videos_contract.mock import FAIL_MARKER, MockServer
from videos_contract.probe import probe_image, probe_video
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

pytestmark = pytest.mark.filterwarnings(
    "ignore:The Sora API is scheduled to permanently shut down:DeprecationWarning"
)


@pytest.fixture
def sdk(mock_server: MockServer) -> Iterator[openai.OpenAI]:
    # No retries: a create retried by the SDK would be a second billed job (see docs/client.md).
    with openai.OpenAI(
        base_url=mock_server.url + "/v1", api_key=mock_server.key, max_retries=0
    ) as client:
        yield client


def test_create_retrieve_and_create_and_poll(sdk: openai.OpenAI) -> None:
    spec = load_spec()
    size, seconds = spec.enum("VideoSize")[1], spec.enum("VideoSeconds")[1]
    created = sdk.videos.create(model=MODEL, prompt="a red fox", size=size, seconds=seconds)  # type: ignore[arg-type]
    assert created.status in spec.enum("VideoStatus")
    assert (created.size, created.seconds) == (size, seconds)
    assert not created.model_extra, "fields the SDK does not know about"
    assert sdk.videos.retrieve(created.id).id == created.id

    done = sdk.videos.create_and_poll(model=MODEL, prompt="a heron", poll_interval_ms=50)
    assert done.status == "completed"
    assert done.progress == 100
    assert done.size == spec.default("VideoSize")


def test_poll_follows_the_server_pace(sdk: openai.OpenAI) -> None:
    """Without an interval the SDK sleeps as `openai-poll-after-ms` says (1 s when absent)."""
    created = sdk.videos.create(model=MODEL, prompt="a kite")
    raw = sdk.videos.with_raw_response.retrieve(created.id)
    assert raw.headers.get("openai-poll-after-ms", "").isdigit()
    assert sdk.videos.poll(created.id).status == "completed"


def test_failed_job(sdk: openai.OpenAI) -> None:
    failed = sdk.videos.create_and_poll(
        model=MODEL, prompt=f"a storm {FAIL_MARKER}", poll_interval_ms=50
    )
    assert failed.status == "failed"
    assert failed.error is not None and failed.error.code and failed.error.message


def test_list_with_pagination(sdk: openai.OpenAI) -> None:
    made = [sdk.videos.create(model=MODEL, prompt=f"clip {n}").id for n in range(5)]
    first = sdk.videos.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    assert [v.id for v in first.data] == made[::-1][:2]  # newest first by default
    assert [v.id for v in sdk.videos.list(limit=2)] == made[::-1]  # auto-pagination
    assert [v.id for v in sdk.videos.list(limit=2, order="asc")] == made


def test_download_every_variant(sdk: openai.OpenAI, tmp_path: Path) -> None:
    done = sdk.videos.create_and_poll(model=MODEL, prompt="a lighthouse", poll_interval_ms=50)
    clip = sdk.videos.download_content(done.id)
    info = probe_video(clip.content)
    assert (info.size, info.duration) == (done.size, float(done.seconds))

    thumb = sdk.videos.download_content(done.id, variant="thumbnail")
    assert probe_image(thumb.content).format == "webp"
    sheet = sdk.videos.download_content(done.id, variant="spritesheet")
    target = tmp_path / "sheet.jpg"
    sheet.write_to_file(target)
    assert probe_image(target).format == "jpeg"


def test_streamed_download(sdk: openai.OpenAI, tmp_path: Path) -> None:
    done = sdk.videos.create_and_poll(model=MODEL, prompt="a waterfall", poll_interval_ms=50)
    target = tmp_path / "clip.mp4"
    with sdk.videos.with_streaming_response.download_content(done.id) as response:
        assert response.headers["content-type"] == "video/mp4"
        response.stream_to_file(target)
        assert int(response.headers["content-length"]) == target.stat().st_size
    assert probe_video(target).size == done.size


def test_download_before_completion(sdk: openai.OpenAI, mock_server: MockServer) -> None:
    with mock_server.service.holding():
        created = sdk.videos.create(model=MODEL, prompt="a snail")
        with pytest.raises(openai.ConflictError) as caught:
            sdk.videos.download_content(created.id)
    assert caught.value.code == "video_not_ready"


def test_sdk_default_retries_wait_out_a_not_ready_download(mock_server: MockServer) -> None:
    """The SDK treats 409 as retryable: with its default retries, a download asked for too
    early is sent again until the job is done. The job is held unfinished until the first
    409 has been answered, then released (the mock renders in well under the SDK's backoff)."""
    sent: list[str] = []
    answered: list[int] = []

    def on_response(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/content"):
            answered.append(response.status_code)
            mock_server.service.release()

    hooks = {
        "request": [lambda request: sent.append(request.url.path)],
        "response": [on_response],
    }
    with (
        openai.DefaultHttpxClient(event_hooks=hooks) as http,
        openai.OpenAI(
            base_url=mock_server.url + "/v1", api_key=mock_server.key, http_client=http
        ) as client,
    ):
        mock_server.service.hold()
        created = client.videos.create(model=MODEL, prompt="an impatient fox")
        clip = client.videos.download_content(created.id)
    assert probe_video(clip.content).frames > 0
    content_path = f"/v1/videos/{created.id}/content"
    assert answered[0] == 409 and answered[-1] == 200
    assert sent.count(content_path) >= 2


def test_remix_and_delete(sdk: openai.OpenAI) -> None:
    source = sdk.videos.create_and_poll(model=MODEL, prompt="a paper boat", poll_interval_ms=50)
    remixed = sdk.videos.remix(source.id, prompt="the same boat at night")
    assert remixed.remixed_from_video_id == source.id
    assert sdk.videos.poll(remixed.id, poll_interval_ms=50).status == "completed"

    deleted = sdk.videos.delete(source.id)
    assert (deleted.id, deleted.deleted) == (source.id, True)
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(source.id)


def test_reference_upload(sdk: openai.OpenAI) -> None:
    size = load_spec().default("VideoSize")
    width, height = (int(n) for n in size.split("x"))
    png = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(png, format="PNG")
    created = sdk.videos.create(
        model=MODEL,
        prompt="a fox",
        input_reference=("first-frame.png", png.getvalue(), "image/png"),
    )
    assert created.status in load_spec().enum("VideoStatus")


def test_invalid_request_is_a_readable_error(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(model=MODEL, prompt="a fox", size="640x480")  # type: ignore[arg-type]
    assert caught.value.param == "size"
    assert "640x480" in caught.value.message


def test_wrong_key(mock_server: MockServer) -> None:
    with (
        openai.OpenAI(
            base_url=mock_server.url + "/v1", api_key="sk-gateway-wrong", max_retries=0
        ) as client,
        pytest.raises(openai.AuthenticationError),
    ):
        client.videos.list()


def test_async_client(mock_server: MockServer) -> None:
    async def scenario() -> tuple[str, int]:
        async with openai.AsyncOpenAI(
            base_url=mock_server.url + "/v1", api_key=mock_server.key, max_retries=0
        ) as client:
            done = await client.videos.create_and_poll(
                model=MODEL, prompt="an owl", poll_interval_ms=50
            )
            content = await client.videos.download_content(done.id)
            ids = [v.id async for v in client.videos.list(limit=1)]
            assert ids == [done.id]
            return done.status, len(content.content)

    status, size = asyncio.run(scenario())
    assert status == "completed" and size > 0


def _json_create_kwargs(family: Family, model: str) -> dict[str, Any]:
    """`videos.create` arguments for a family's JSON body: its defaults, read from the spec.

    `seconds` and `size` are the SDK's own parameters; the family's other fields (Seedance's
    `duration`, `resolution`) go in `extra_body`, which the SDK merges into the body. The SDK
    sends multipart unless told otherwise; the families other than Sora have only a JSON form.
    """
    values = {
        name: family.field_default(name) for name in (family.seconds_field, family.size_field)
    }
    own = {k: v for k, v in values.items() if k in ("seconds", "size")}
    extra = {k: v for k, v in values.items() if k not in own}
    return {
        "model": model,
        **own,
        "extra_body": extra or None,
        "extra_headers": {"Content-Type": "application/json"},
    }


# `videos.create` always sends `prompt` at the top: the flat families only (HappyHorse's
# DashScope body nests it, tested below through the SDK's generic `post`).
FLAT = [m for m in families().representatives() if not families().for_model(m).nested]


@pytest.mark.parametrize("model", FLAT)
def test_every_family_through_videos_create_as_json(mock_server: MockServer, model: str) -> None:
    """`videos.create` with the family's model and values, JSON body: created, polled and
    downloaded by the SDK, the clip at the frame and length the spec gives the defaults."""
    family = families().for_model(model)
    with openai.OpenAI(
        base_url=mock_server.url + "/v1", api_key=mock_server.key, max_retries=0
    ) as sdk:
        kwargs = _json_create_kwargs(family, model)
        raw = sdk.videos.with_raw_response.create(prompt="a paper boat", **kwargs)
        request = raw.http_request
        assert request.headers["content-type"] == "application/json"
        # The page's form: the spec's default as it is, a string `seconds` included.
        length = family.field_default(family.seconds_field)
        assert json.loads(request.read())[family.seconds_field] == length
        created = raw.parse()
        assert created.model == model
        done = sdk.videos.poll(created.id, poll_interval_ms=50)
        assert done.status == "completed"
        clip = probe_video(sdk.videos.download_content(done.id).content)
    frame = family.frame(str(family.field_default(family.size_field)))
    assert frame is not None
    assert (clip.width, clip.height) == frame
    assert clip.duration == pytest.approx(int(length), abs=0.1)


def test_happyhorse_through_the_sdk_s_generic_post(sdk: openai.OpenAI) -> None:
    """The DashScope body goes out through `client.post` (as the gateway's adapter sends it);
    the answer is a `Video` the SDK polls and downloads. `videos.create`, which puts `prompt`
    at the top, is refused naming `input`."""
    happyhorse = families().named("happyhorse")
    model = happyhorse.models[0]
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a horse", model=model, extra_headers=_JSON)
    assert isinstance(caught.value.body, dict) and caught.value.body.get("param") == "input"
    body = happyhorse.body_of(model, "a horse", {happyhorse.seconds_field: 3})
    created = sdk.post("/videos", body=body, cast_to=openai.types.Video)
    assert created.model == model
    done = sdk.videos.poll(created.id, poll_interval_ms=50)
    assert done.status == "completed"
    clip = probe_video(sdk.videos.download_content(done.id).content)
    frame = happyhorse.frame(str(happyhorse.field_default(happyhorse.size_field)))
    assert frame is not None and (clip.width, clip.height) == frame
    assert clip.duration == pytest.approx(3, abs=0.1)


_JSON = {"Content-Type": "application/json"}


def test_a_family_without_a_multipart_form_is_refused_by_name(sdk: openai.OpenAI) -> None:
    """The SDK's default, multipart, with a model of a JSON-only family: a readable 400."""
    veo = families().named("veo")
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a garden", model=veo.models[0])
    assert caught.value.status_code == 400
    assert isinstance(caught.value.body, dict) and caught.value.body.get("param") == "model"


def test_a_create_without_a_model_is_refused_naming_it(sdk: openai.OpenAI) -> None:
    """The SDK sends `model` only when given; the newest page requires it."""
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a fox")
    error = caught.value.body
    assert isinstance(error, dict) and error["param"] == "model", error


@pytest.mark.videos_mock(default_model=MODEL)
def test_the_mock_s_default_model_serves_clients_of_the_older_pages(sdk: openai.OpenAI) -> None:
    done = sdk.videos.create_and_poll(prompt="a heron", poll_interval_ms=50)
    assert (done.status, done.model) == ("completed", MODEL)
