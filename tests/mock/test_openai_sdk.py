"""The openai SDK, an independently written client of the same API, against the mock."""

from __future__ import annotations

import io

import openai
import pytest
from PIL import Image

from videos_contract.families import families
from videos_contract.mock import FAIL_MARKER, MockConfig, running_mock
from videos_contract.probe import probe_image, probe_video
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()

# The SDK marks its videos methods deprecated (the upstream API announced a shutdown); the
# gateway still serves it, so the warning is expected here and nowhere else.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_openai_sdk_drives_the_whole_lifecycle() -> None:
    size = SPEC.enum("VideoSize")[1]
    image = io.BytesIO()
    width, height = (int(n) for n in size.split("x"))
    Image.new("RGB", (width, height), (9, 9, 9)).save(image, "PNG")
    with running_mock(MockConfig(render_seconds=0.3)) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=server.key, max_retries=0)
        video = client.videos.create_and_poll(
            model=MODEL,
            prompt="A fox.",
            size=size,  # type: ignore[arg-type]
            input_reference=("ref.png", image.getvalue(), "image/png"),
            poll_interval_ms=50,
        )
        assert video.status == "completed" and video.size == size
        content = client.videos.download_content(video.id)
        assert probe_video(content.read()).size == size
        thumbnail = client.videos.download_content(video.id, variant="thumbnail")
        assert probe_image(thumbnail.read()).format == "webp"

        remix = client.videos.remix(video.id, prompt="At night.")
        assert remix.remixed_from_video_id == video.id
        failed = client.videos.poll(
            client.videos.create(model=MODEL, prompt=f"Storm {FAIL_MARKER}").id, poll_interval_ms=50
        )
        assert failed.status == "failed" and failed.error is not None

        listed = [v.id for v in client.videos.list(limit=2, order="asc")]
        assert listed[:2] == [video.id, remix.id]
        assert len(listed) == 3  # the SDK follows `after` to the last page

        assert client.videos.delete(video.id).deleted is True
        with pytest.raises(openai.NotFoundError) as missing:
            client.videos.retrieve(video.id)
        assert missing.value.body is not None

        with pytest.raises(openai.BadRequestError) as bad:
            client.videos.create(model=MODEL, prompt="A fox.", size="640x480")  # type: ignore[arg-type]
        assert "size" in str(bad.value)

        wrong = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-gateway-no", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            wrong.videos.list()
