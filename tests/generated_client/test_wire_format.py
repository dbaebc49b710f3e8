"""The generated client: the exact bytes it sends, and how it reads what comes back.

Requests are captured by an httpx transport (nothing is faked above the wire), so these tests
see the multipart encoding itself, not only the model objects.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import httpx
import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.api.videos import create_video, retrieve_video
from aihubmix_videos.models import (
    CreateVideoMultipartRequest,
    ErrorResponse,
    ImageReference,
    SoraVideoRequest,
    Video,
)
from aihubmix_videos.models.video_model import check_video_model
from aihubmix_videos.models.video_seconds import check_video_seconds
from aihubmix_videos.models.video_size import check_video_size
from aihubmix_videos.types import File

from videos_contract.families import families
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

KEY = "sk-gateway-wiretest0001"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _example(name: str) -> dict[str, Any]:
    # A copy: tests change it, and the loaded spec is shared.
    value: dict[str, Any] = copy.deepcopy(load_spec().raw["components"]["examples"][name]["value"])
    return value


class Recorder:
    """A transport that records each request and answers with a canned response."""

    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status
        self.body = _example("QueuedVideo") if body is None else body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body)


def _client(recorder: Callable[[httpx.Request], httpx.Response]) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url="http://gateway.test",
        token=KEY,
        httpx_args={"transport": httpx.MockTransport(recorder)},
    )


def _parts(request: httpx.Request) -> dict[str, EmailMessage]:
    """Parse a multipart body with the standard library's MIME parser, by part name."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
    message = BytesParser(policy=policy.HTTP).parsebytes(raw)
    assert isinstance(message, EmailMessage) and message.is_multipart()
    parts: dict[str, EmailMessage] = {}
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str)
        assert name not in parts, f"field {name} sent twice"
        parts[name] = part
    return parts


def _text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_create_with_defaults_sends_only_the_prompt_and_the_model() -> None:
    recorder = Recorder()
    with _client(recorder) as client:
        video = create_video.sync(
            client=client,
            body=CreateVideoMultipartRequest(model=check_video_model(MODEL), prompt="a fox"),
        )
    assert isinstance(video, Video)
    (request,) = recorder.requests
    assert request.method == "POST"
    assert request.url.path == "/v1/videos"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    parts = _parts(request)
    # Defaults are left to the server: nothing but the prompt and the model (required) goes
    # over the wire.
    assert sorted(parts) == ["model", "prompt"]
    assert _text(parts["model"]) == MODEL
    assert _text(parts["prompt"]) == "a fox"
    assert parts["prompt"].get_filename() is None


def test_create_with_every_option_sends_each_field_as_a_text_part() -> None:
    spec = load_spec()
    # The last value of each enum, so that no default hides a missing part.
    model = check_video_model(spec.enum("VideoModel")[-1])
    seconds = check_video_seconds(spec.enum("VideoSeconds")[-1])
    size = check_video_size(spec.enum("VideoSize")[-1])
    recorder = Recorder()
    body = CreateVideoMultipartRequest(prompt="p" * 32000, model=model, seconds=seconds, size=size)
    with _client(recorder) as client:
        create_video.sync(client=client, body=body)
    parts = _parts(recorder.requests[0])
    assert {name: _text(part) for name, part in parts.items()} == {
        "prompt": "p" * 32000,
        "model": model,
        "seconds": seconds,
        "size": size,
    }


def test_create_with_a_file_upload_sends_a_named_file_part() -> None:
    recorder = Recorder()
    upload = File(payload=io.BytesIO(PNG), file_name="ref.png", mime_type="image/png")
    with _client(recorder) as client:
        create_video.sync(
            client=client,
            body=CreateVideoMultipartRequest(
                model=check_video_model(MODEL), prompt="x", input_reference=upload
            ),
        )
    part = _parts(recorder.requests[0])["input_reference"]
    assert part.get_filename() == "ref.png"
    assert part.get_content_type() == "image/png"
    assert part.get_payload(decode=True) == PNG


def test_create_with_a_reference_object_sends_a_json_part() -> None:
    recorder = Recorder()
    reference = ImageReference(image_url="https://example.com/ref.png")
    with _client(recorder) as client:
        create_video.sync(
            client=client,
            body=CreateVideoMultipartRequest(
                model=check_video_model(MODEL), prompt="x", input_reference=reference
            ),
        )
    part = _parts(recorder.requests[0])["input_reference"]
    assert part.get_filename() is None
    assert part.get_content_type() == "application/json"
    assert json.loads(_text(part)) == {"image_url": "https://example.com/ref.png"}


def test_create_with_a_json_body() -> None:
    recorder = Recorder()
    body = SoraVideoRequest(
        model=check_video_model(MODEL),
        prompt="x",
        seconds="8",
        input_reference=ImageReference(file_id="file_123"),
    )
    with _client(recorder) as client:
        create_video.sync(client=client, body=body)
    request = recorder.requests[0]
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "model": MODEL,
        "prompt": "x",
        "seconds": "8",
        "input_reference": {"file_id": "file_123"},
    }


@pytest.mark.parametrize("name", ["QueuedVideo", "CompletedVideo", "FailedVideo"])
def test_video_responses_parse_including_nullable_fields(name: str) -> None:
    example = _example(name)
    with _client(Recorder(body=example)) as client:
        video = retrieve_video.sync(client=client, video_id=example["id"])
    assert isinstance(video, Video)
    assert video.status == example["status"]
    assert video.completed_at == example["completed_at"]
    assert video.expires_at == example["expires_at"]
    assert video.remixed_from_video_id is None
    if example["error"] is None:
        assert video.error is None
    else:
        assert video.error
        assert video.error.code == example["error"]["code"]
    # Round trip: what the client parsed serialises back to the same JSON.
    assert video.to_dict() == example


def test_an_error_status_is_a_typed_error_with_the_server_message() -> None:
    body = _example("QueuedVideo")
    error = {"error": {"message": "bad size", "type": "invalid_request_error", "param": "size"}}
    with _client(Recorder(status=400, body=error)) as client:
        response = create_video.sync_detailed(
            client=client,
            body=CreateVideoMultipartRequest(model=check_video_model(MODEL), prompt=body["prompt"]),
        )
    assert response.status_code == 400
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.error.message == "bad size"
    assert response.parsed.error.param == "size"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"status": "expired"}, TypeError),  # a status outside the spec's enum
        ({"object": "job"}, TypeError),  # an object name outside the enum
        ({"status": None}, TypeError),
    ],
)
def test_a_malformed_video_raises_a_catchable_error(
    change: dict[str, Any], error: type[Exception]
) -> None:
    body = {**_example("QueuedVideo"), **change}
    with _client(Recorder(body=body)) as client, pytest.raises(error):
        retrieve_video.sync(client=client, video_id="video_1")


def test_a_video_missing_a_required_field_raises_key_error() -> None:
    body = _example("QueuedVideo")
    del body["status"]
    with _client(Recorder(body=body)) as client, pytest.raises(KeyError, match="status"):
        retrieve_video.sync(client=client, video_id="video_1")
