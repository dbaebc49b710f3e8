"""The bytes the generated client sends for each model family's JSON body (no server)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.api.videos import create_video
from aihubmix_videos.models import (
    JimengVideoRequest,
    OtherVideoRequest,
    SeedanceReference,
    SeedanceUrl,
    SeedanceVideoRequest,
    VeoVideoRequest,
    WanVideoRequest,
)
from aihubmix_videos.types import Unset

from videos_contract.client.generated_requests import JsonBody
from videos_contract.families import families

GATEWAY_ID = "eyJtb2RlbCI6InZlby0zLjEtZ2VuZXJhdGUtcHJldmlldyJ9"


def _sent(body: JsonBody, answer: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(200, json=answer)

    client = AuthenticatedClient(
        base_url="http://gateway.test",
        token="sk-gateway-wire0001",
        httpx_args={"transport": httpx.MockTransport(record)},
    )
    with client:
        parsed = create_video.sync(client=client, body=body)
    assert seen[0].headers["content-type"] == "application/json"
    sent: dict[str, Any] = json.loads(seen[0].content)
    return sent, parsed


TASK_ANSWER = {
    "id": GATEWAY_ID,
    "object": "video",
    "created": 1764151200,
    "model": "veo-3.1-generate-preview",
    "status": "in_progress",
    "prompt": "a garden",
    "duration": 8,
    "width": 1920,
    "height": 1080,
    "url": None,
    "error": None,
}

CASES = [
    pytest.param(
        VeoVideoRequest(prompt="a", model="veo-3.1-generate-preview", seconds="8", size="1080p"),
        {"prompt": "a", "model": "veo-3.1-generate-preview", "seconds": "8", "size": "1080p"},
        id="veo-string-seconds",
    ),
    pytest.param(
        VeoVideoRequest(prompt="a", model="veo-2.0-generate-001", seconds=6, size="1280x720"),
        {"prompt": "a", "model": "veo-2.0-generate-001", "seconds": 6, "size": "1280x720"},
        id="veo-integer-seconds",
    ),
    pytest.param(
        WanVideoRequest(prompt="a", model="wan2.6-i2v", input_reference="https://e.com/a.png"),
        {
            "prompt": "a",
            "model": "wan2.6-i2v",
            "input_reference": "https://e.com/a.png",
            "seconds": "5",
            "size": "1280x720",
        },
        id="wan-i2v-defaults-sent",
    ),
    pytest.param(
        JimengVideoRequest(prompt="a", model="jimeng-3.0-pro", seconds="10", size="21:9"),
        {"prompt": "a", "model": "jimeng-3.0-pro", "seconds": "10", "size": "21:9"},
        id="jimeng-ratio",
    ),
    pytest.param(
        SeedanceVideoRequest(
            prompt="a",
            model="doubao-seedance-2-0-fast-260128",
            duration=-1,
            ratio="9:16",
            content=[
                SeedanceReference(
                    type_="image_url", image_url=SeedanceUrl(url="https://e.com/a.png"),
                    role="first_frame",
                )
            ],
        ),
        {
            "prompt": "a",
            "model": "doubao-seedance-2-0-fast-260128",
            "duration": -1,
            "ratio": "9:16",
            "resolution": "720p",
            "watermark": False,
            "generate_audio": True,
            "content": [
                {"type": "image_url", "image_url": {"url": "https://e.com/a.png"},
                 "role": "first_frame"}
            ],
        },
        id="seedance-top-level-integer-duration",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_each_family_sends_its_own_json_form(body: JsonBody, expected: dict[str, Any]) -> None:
    sent, _ = _sent(body, TASK_ANSWER)
    assert sent == expected
    family = families().for_model(str(expected["model"]))
    assert family.refusals(sent) == [], "what the client sends is what the family's schema takes"


def test_an_unlisted_model_passes_extra_fields_through() -> None:
    body = OtherVideoRequest(prompt="a", model="kling-v2-1", image_list=["https://e.com/a.png"])
    body["mode"] = "pro"
    sent, _ = _sent(body, TASK_ANSWER)
    assert sent == {
        "prompt": "a",
        "model": "kling-v2-1",
        "image_list": ["https://e.com/a.png"],
        "mode": "pro",
    }


def test_a_gateway_style_answer_parses() -> None:
    body = VeoVideoRequest(prompt="a garden", model="veo-3.1-generate-preview")
    _, video = _sent(body, TASK_ANSWER)
    assert video.id == GATEWAY_ID
    assert (video.width, video.height, video.duration) == (1920, 1080, 8)
    assert isinstance(video.progress, Unset) and isinstance(video.size, Unset)
    assert video.url is None
