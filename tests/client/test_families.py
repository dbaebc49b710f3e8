"""Every model family through the typed client: create, wait, download, probe (mock socket)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path
from typing import Any

import pytest
from aihubmix_videos.models import DashScopeVideoCreate, OtherVideoRequest, VeoVideoRequest
from aihubmix_videos.models.video_model import check_video_model

from videos_contract.client import ApiError, RetiredModelWarning, connect, download, wait
from videos_contract.client.families import BodyError, create_json, json_body
from videos_contract.client.lifecycle import today
from videos_contract.families import Family, families
from videos_contract.mock import MockServer
from videos_contract.probe import probe_video

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)

POLL = 0.05
FAMILIES = families()


def _case(family: Family) -> tuple[str, dict[str, Any], tuple[int, int], int]:
    """A model of the family, fields other than the defaults, the frame and length expected."""
    model = family.models[0]
    fields: dict[str, Any] = {}
    size_default = family.field_default(family.size_field)
    sizes = [v for v in family.allowed(model, family.size_field) if v != size_default]
    # The smallest frame keeps the render quick.
    size = min(sizes, key=lambda v: (family.frame(str(v)) or (9999, 9999))[0])
    fields[family.size_field] = size
    length_default = family.field_default(family.seconds_field)
    lengths = [
        v for v in family.allowed(model, family.seconds_field) if v != length_default and int(v) > 0
    ]
    fields[family.seconds_field] = lengths[0]
    if "input_reference" in family.requires(model):
        fields["input_reference"] = "https://example.com/first-frame.png"
    frame = family.frame(str(size))
    assert frame is not None
    return model, fields, frame, int(lengths[0])


LISTED = [f for f in FAMILIES if f.models]


@pytest.mark.parametrize("family", LISTED, ids=[f.name for f in LISTED])
def test_each_family_creates_waits_and_downloads(
    family: Family, mock_server: MockServer, tmp_path: Path
) -> None:
    model, fields, frame, seconds = _case(family)
    body = json_body("a heron at dawn", model, **fields)
    assert type(body).__name__ == (family.schema.get("title") or family.schema_name)
    retired = families().retired(model, today())
    with connect(mock_server.url, mock_server.key) as client:
        with pytest.warns(RetiredModelWarning) if retired else contextlib.nullcontext():
            job = create_json(client, body)
        assert job.model == model
        done = wait(client, job.id, interval=POLL, timeout=60)
        assert done.status == "completed"
        clip = probe_video(download(client, job.id, tmp_path / "clip.mp4").path)
    assert clip.codec == "h264"
    assert clip.size == f"{frame[0]}x{frame[1]}"
    assert clip.duration == pytest.approx(seconds, abs=0.2)


def test_an_unlisted_model_is_refused_by_default(mock_server: MockServer) -> None:
    body = json_body("a kite", "kling-v2-1", image_list=["https://example.com/a.png"])
    with connect(mock_server.url, mock_server.key) as client, pytest.raises(ApiError) as refused:
        create_json(client, body)
    assert refused.value.status_code == 400 and refused.value.param == "model"


@pytest.mark.videos_mock(accept_unlisted_models=True)
def test_an_unlisted_model_is_usable(mock_server: MockServer) -> None:
    body = json_body("a kite", "kling-v2-1", image_list=["https://example.com/a.png"])
    assert isinstance(body, OtherVideoRequest)
    assert body.to_dict()["image_list"] == ["https://example.com/a.png"]
    with connect(mock_server.url, mock_server.key) as client:
        job = create_json(client, body)
        assert wait(client, job.id, interval=POLL, timeout=60).status == "completed"


def test_veo_seconds_go_out_as_the_pages_string() -> None:
    body = json_body("a garden", "veo-3.1-generate-preview", seconds="8", size="1920x1080")
    assert isinstance(body, VeoVideoRequest)
    assert body.to_dict()["seconds"] == "8"


@pytest.mark.parametrize(
    ("model", "fields", "named"),
    [
        ("wan2.6-t2v", {"size": "832x480"}, "size"),
        ("veo-2.0-generate-001", {"size": "4k"}, "size"),
        ("veo-3.0-generate-preview", {"input_reference": "https://example.com/a.png"}, "model"),
        ("wan2.2-t2v-plus", {"seconds": "10"}, "seconds"),
        ("sora-2", {"size": "1792x1024"}, "size"),
    ],
)
def test_a_value_the_family_refuses_is_named(
    model: str, fields: dict[str, Any], named: str
) -> None:
    with pytest.raises(BodyError, match=f"^{named}="):
        json_body("a fox", model, **fields)


def test_a_retired_model_warns_and_a_current_one_does_not(mock_server: MockServer) -> None:
    from videos_contract.client.lifecycle import retirement_notice

    catalogue = families()
    retired = [m for m in catalogue.models if catalogue.retired(m, today())]
    current = next(m for m in catalogue.models if catalogue.retired_on(m) is None)
    assert retired, "the spec gives past retirement dates (Sora's sunset, Veo 2)"
    assert retirement_notice(current) is None
    assert retirement_notice(retired[0], on="2000-01-01") is None  # not yet, then
    with connect(mock_server.url, mock_server.key) as client:
        for model in retired:
            family = catalogue.for_model(model)
            body = json_body("a kite", model, **dict.fromkeys(family.requires(model), _URL))
            with pytest.warns(RetiredModelWarning, match=model):
                create_json(client, body)
        create_json(client, json_body("a kite", current))  # no warning (they are errors here)


_URL = "https://example.com/first.png"


def test_a_remix_or_variant_the_family_lacks_is_refused_before_sending(tmp_path: Path) -> None:
    from videos_contract.client import UnsupportedOperationError, async_download, async_remix, remix

    catalogue = families()
    other = next(f for f in catalogue if f.models and not f.remix)
    sora = next(f for f in catalogue if f.remix)
    image = next(v for v in sora.variants if v not in other.variants)
    # Nothing listens here: a request that went out would fail otherwise than refused.
    with connect("http://127.0.0.1:9", "sk-gateway-x") as client:
        with pytest.raises(UnsupportedOperationError, match="remix"):
            remix(client, "v", "again", model=other.models[0])
        with pytest.raises(UnsupportedOperationError, match=image):
            download(client, "v", tmp_path / "x", variant=image, model=other.models[0])  # type: ignore[arg-type]
        with pytest.raises(UnsupportedOperationError):
            asyncio.run(async_remix(client, "v", "again", model=other.models[0]))
        with pytest.raises(UnsupportedOperationError):
            asyncio.run(
                async_download(client, "v", tmp_path / "x", variant=image, model=other.models[0])  # type: ignore[arg-type]
            )
    assert not (tmp_path / "x").exists()


def test_extra_body_is_sent_as_given(mock_server: MockServer) -> None:
    """Fields the client does not type reach the server; the server decides, not the client."""
    from videos_contract.client import async_create, create
    from videos_contract.client.families import async_create_json

    catalogue = families()
    veo = catalogue.named("veo")
    model = next(m for m in veo.models if catalogue.retired_on(m) is None)
    assert "camera_fixed" not in veo.properties  # a field Veo does not take
    sora = catalogue.default_family
    seconds = [str(v) for v in sora.allowed(sora.models[0], "seconds")]
    with connect(mock_server.url, mock_server.key) as client:
        job = create_json(client, json_body("a garden", model), extra_body={"seed": 7})
        assert job.model == model
        with pytest.raises(ApiError) as refused:
            create_json(client, json_body("a garden", model), extra_body={"camera_fixed": True})
        assert refused.value.param == "camera_fixed"
        # A multipart create: the extra field replaces the typed one of the same name.
        job = create(client, model=MODEL, prompt="a fox", extra_body={"seconds": seconds[-1]})
        assert job.seconds == seconds[-1]

    async def twins() -> None:
        async with connect(mock_server.url, mock_server.key) as client:
            body = json_body("a garden", model)
            with pytest.raises(ApiError) as refused:
                await async_create_json(client, body, extra_body={"camera_fixed": 1})
            assert refused.value.param == "camera_fixed"
            job = await async_create(
                client, model=MODEL, prompt="a fox", extra_body={"seconds": seconds[-1]}
            )
            assert job.seconds == seconds[-1]

    asyncio.run(twins())


# --- HappyHorse: the DashScope-native body (the adapter's builder, src/adapters/video.ts)
HAPPYHORSE = FAMILIES.named("happyhorse")
HH_T2V, HH_I2V = HAPPYHORSE.models


def test_happyhorse_fields_go_where_the_dashscope_body_nests_them() -> None:
    """By their own names or their paths: `duration` is `parameters.duration`, a `reference`
    URL the first frame of `input.media`, as the adapter builds the body."""
    body = json_body("cat stretches", HH_I2V, duration=4, resolution="1080P", ratio="9:16",
                     seed=7, watermark=False, prompt_extend=True,
                     reference="https://example.com/first.png")  # fmt: skip
    assert isinstance(body, DashScopeVideoCreate)
    assert body.to_dict() == {
        "model": HH_I2V,
        "input": {"prompt": "cat stretches",
                  "media": [{"type": "first_frame", "url": "https://example.com/first.png"}]},
        "parameters": {"resolution": "1080P", "duration": 4, "ratio": "9:16", "seed": 7,
                       "watermark": False, "prompt_extend": True},
    }  # fmt: skip
    dotted = json_body("a sunset", HH_T2V, **{"parameters.duration": 3})
    assert dotted.to_dict()["parameters"]["duration"] == 3


@pytest.mark.parametrize(
    ("model", "fields", "named"),
    [
        (HH_T2V, {"duration": 2}, "parameters.duration"),
        (HH_T2V, {"resolution": "480P"}, "parameters.resolution"),
        (HH_T2V, {"aspect_ratio": "21:9"}, "parameters.aspect_ratio"),
        (HH_T2V, {"reference": "https://example.com/a.png"}, "input.media"),
        (HH_T2V, {"seconds": "5"}, "seconds"),
        (HH_I2V, {}, "input.media"),
    ],
)
def test_a_happyhorse_value_is_refused_before_sending(
    model: str, fields: dict[str, Any], named: str
) -> None:
    with pytest.raises(BodyError, match=f"^{re.escape(named)}"):
        json_body("a fox", model, **fields)


def test_happyhorse_image_to_video_through_the_client(
    mock_server: MockServer, tmp_path: Path
) -> None:
    """The typed body, sent by the generated client's request builder, rendered by the mock
    at the first-frame default resolution in the ratio asked, for the length asked."""
    body = json_body("a horse", HH_I2V, duration=3, ratio="1:1",
                     reference="https://example.com/first.png")  # fmt: skip
    frame = HAPPYHORSE.frame(str(HAPPYHORSE.field_default(HAPPYHORSE.size_field)))
    assert frame is not None
    with connect(mock_server.url, mock_server.key) as client:
        job = asyncio.run(_async_create(mock_server, body))
        assert (job.model, job.prompt) == (HH_I2V, "a horse")
        done = wait(client, job.id, interval=POLL, timeout=60)
        assert done.status == "completed"
        clip = probe_video(download(client, job.id, tmp_path / "clip.mp4").path)
    assert clip.size == f"{min(frame)}x{min(frame)}"
    assert clip.duration == pytest.approx(3, abs=0.2)


async def _async_create(server: MockServer, body: Any) -> Any:
    from videos_contract.client.families import async_create_json

    async with connect(server.url, server.key) as client:
        return await async_create_json(client, body)


def test_the_generated_dashscope_classes_build_the_body_directly(mock_server: MockServer) -> None:
    """Full typing without `json_body`: `input_` (the generator's name for `input`) and
    `parameters` as their own classes; what goes out is the DashScope body."""
    from aihubmix_videos.models import DashScopeInput, DashScopeParameters

    body = DashScopeVideoCreate(
        model="happyhorse-1.0-t2v",
        input_=DashScopeInput(prompt="a white horse"),
        parameters=DashScopeParameters(duration=4, resolution="1080P", ratio="9:16"),
    )
    assert body.to_dict()["input"] == {"prompt": "a white horse"}
    with connect(mock_server.url, mock_server.key) as client:
        job = create_json(client, body)
    assert (job.model, job.duration, job.width, job.height) == ("happyhorse-1.0-t2v", 4, 1080, 1920)
