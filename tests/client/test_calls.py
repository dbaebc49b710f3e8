"""What the call helpers put on the wire, and how they read answers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from aihubmix_videos.models.video_model import check_video_model

from tests.client.conftest import ClientFactory, Helpers, VideoFactory
from videos_contract.client import (
    UnexpectedResponseError,
    reference_from,
)
from videos_contract.families import families

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)


class Recorder:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(
            200, json=self.answer(request) if callable(self.answer) else self.answer
        )


def test_file_reference_is_a_named_file_part(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    recorder = Recorder(make_video())
    reference = reference_from(Path("first-frame.png"), io.BytesIO(b"\x89PNG fake"))
    helpers.create(make_client(recorder), model=MODEL, prompt="a fox", reference=reference)
    body = recorder.requests[0].content
    assert b'name="input_reference"; filename="first-frame.png"' in body
    assert b"Content-Type: image/png" in body
    assert b"\x89PNG fake" in body


@pytest.mark.parametrize("url", ["https://example.com/fox.png", "data:image/png;base64,iVBORw=="])
def test_url_reference_is_the_object_form(
    helpers: Helpers, url: str, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    recorder = Recorder(make_video())
    helpers.create(
        make_client(recorder), model=MODEL, prompt="a fox", reference=reference_from(url)
    )
    body = recorder.requests[0].content
    assert b'name="input_reference"' in body and b"filename=" not in body
    assert b"Content-Type: application/json" in body
    assert f'{{"image_url": "{url}"}}'.encode() in body


def test_unset_options_are_left_to_the_server(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    recorder = Recorder(make_video())
    helpers.create(make_client(recorder), model=MODEL, prompt="a fox")
    body = recorder.requests[0].content
    assert b'name="prompt"' in body and b'name="model"' in body
    for field in (b"seconds", b"size", b"input_reference"):
        assert b'name="' + field + b'"' not in body


def test_remix_sends_json(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    recorder = Recorder(make_video(remixed_from_video_id="video_src"))
    video = helpers.remix(make_client(recorder), "video_src", "at night")
    sent = recorder.requests[0]
    assert (sent.method, sent.url.path) == ("POST", "/v1/videos/video_src/remix")
    assert sent.headers["content-type"] == "application/json"
    assert video.remixed_from_video_id == "video_src"


def test_iter_videos_follows_last_id(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    pages = {
        None: (["v1", "v2"], True),
        "v2": (["v3"], True),
        "v3": ([], False),
    }

    def answer(request: httpx.Request) -> dict[str, Any]:
        ids, more = pages[request.url.params.get("after")]
        return {
            "object": "list",
            "data": [make_video(id=i) for i in ids],
            "first_id": ids[0] if ids else None,
            "last_id": ids[-1] if ids else None,
            "has_more": more,
        }

    recorder = Recorder(answer)
    assert [v.id for v in helpers.iter_videos(make_client(recorder), limit=2)] == ["v1", "v2", "v3"]
    assert [r.url.params.get("limit") for r in recorder.requests] == ["2", "2", "2"]


def test_a_list_with_a_bad_item_is_refused(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    page = {
        "object": "list",
        "data": [make_video(), make_video(seconds=None)],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    with pytest.raises(UnexpectedResponseError, match="data/1/seconds"):
        list(helpers.iter_videos(make_client(Recorder(page))))
