"""Downloads: real MP4/WebP/JPEG assets of the job's size and length, with byte ranges."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app
from videos_contract.mock.media import render_asset
from videos_contract.probe import probe_image, probe_video
from videos_contract.spec import load_spec

SPEC = load_spec()
SIZES = SPEC.enum("VideoSize")
SECONDS = SPEC.enum("VideoSeconds")
# Which variant is which media type: the spec's table, which the mock must follow.
VARIANT_TYPES: dict[str, str] = SPEC.schema("ContentVariant")["x-media-types"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(MockConfig(render_seconds=0.0))
    with TestClient(app, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}) as test_client:
        yield test_client


def _video(client: TestClient, size: str, seconds: str) -> str:
    sora = families().named("sora")
    model = next(m for m in sora.models if size in sora.allowed(m, "size"))
    body = {"prompt": "A fox.", "model": model, "size": size, "seconds": seconds}
    video_id: str = client.post("/v1/videos", json=body).json()["id"]
    return video_id


def test_every_variant_is_served_with_its_spec_media_type(client: TestClient) -> None:
    listed = SPEC.operation("downloadVideoContent").responses["200"]["content"]
    assert set(VARIANT_TYPES) == set(SPEC.enum("ContentVariant"))
    assert set(VARIANT_TYPES.values()) == set(listed)
    video_id = _video(client, SIZES[0], SECONDS[0])
    for variant, media_type in VARIANT_TYPES.items():
        response = client.get(f"/v1/videos/{video_id}/content?variant={variant}")
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["accept-ranges"] == "bytes"
        assert int(response.headers["content-length"]) == len(response.content) > 0


@pytest.mark.parametrize(("size", "seconds"), [(SIZES[0], SECONDS[0]), (SIZES[-1], SECONDS[1])])
def test_assets_are_real_media_of_the_jobs_size(
    client: TestClient, size: str, seconds: str
) -> None:
    video_id = _video(client, size, seconds)
    base = f"/v1/videos/{video_id}/content"
    video = probe_video(client.get(base).content)
    assert (video.format, video.codec, video.size) == ("mp4", "h264", size)
    assert video.duration == float(seconds)
    thumbnail = probe_image(client.get(f"{base}?variant=thumbnail").content)
    assert (thumbnail.format, thumbnail.size) == ("webp", size)
    sheet = probe_image(client.get(f"{base}?variant=spritesheet").content)
    assert sheet.format == "jpeg"
    width, height = (int(n) for n in size.split("x"))
    assert sheet.width % (width // 8) == 0 and sheet.height % (height // 8) == 0
    tiles = (sheet.width // (width // 8)) * (sheet.height // (height // 8))
    assert tiles >= int(seconds)


def test_assets_are_rendered_once() -> None:
    first = render_asset("video/mp4", SIZES[0], SECONDS[0])
    assert render_asset("video/mp4", SIZES[0], SECONDS[0]) is first


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-10", 10, 10),
        ("bytes=0-999999999", 0, None),
    ],
)
def test_single_ranges(client: TestClient, header: str, first: int, last: int | None) -> None:
    video_id = _video(client, SIZES[0], SECONDS[0])
    whole = client.get(f"/v1/videos/{video_id}/content").content
    size = len(whole)
    response = client.get(f"/v1/videos/{video_id}/content", headers={"Range": header})
    assert response.status_code == 206
    start = first if first >= 0 else size + first
    end = size - 1 if last is None else last
    assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
    assert int(response.headers["content-length"]) == end - start + 1
    assert response.content == whole[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=5-3", "bytes=-"])
def test_unsatisfiable_ranges_are_416(client: TestClient, header: str) -> None:
    video_id = _video(client, SIZES[0], SECONDS[0])
    size = len(client.get(f"/v1/videos/{video_id}/content").content)
    response = client.get(f"/v1/videos/{video_id}/content", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"
    assert response.json()["error"]["code"] == "range_not_satisfiable"


def test_ranges_resume_a_download(client: TestClient) -> None:
    video_id = _video(client, SIZES[0], SECONDS[0])
    whole = client.get(f"/v1/videos/{video_id}/content").content
    parts, start = [], 0
    while start < len(whole):
        response = client.get(
            f"/v1/videos/{video_id}/content", headers={"Range": f"bytes={start}-{start + 4095}"}
        )
        parts.append(response.content)
        start += 4096
    assert b"".join(parts) == whole
