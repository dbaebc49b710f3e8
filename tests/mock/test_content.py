"""Downloads: real MP4/WebP/JPEG assets of the job's size and length, with byte ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import formatdate

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


def _validators(client: TestClient, video_id: str, variant: str = "video") -> tuple[str, str]:
    response = client.get(f"/v1/videos/{video_id}/content?variant={variant}")
    assert response.status_code == 200
    return response.headers["etag"], response.headers["last-modified"]


def test_content_answers_carry_a_strong_etag_and_last_modified(client: TestClient) -> None:
    """Catches a mock that sends no validators (a stopped download could not resume in a
    later run), a weak or per-request ETag, one that does not follow the bytes, or a
    Last-Modified other than the job's `completed_at`."""
    video_id = _video(client, SIZES[0], SECONDS[0])
    base = f"/v1/videos/{video_id}/content"
    whole = client.get(base)
    etag, modified = whole.headers["etag"], whole.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag), etag
    completed_at = client.get(f"/v1/videos/{video_id}").json()["completed_at"]
    assert modified == formatdate(completed_at, usegmt=True)
    part = client.get(base, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert (part.headers["etag"], part.headers["last-modified"]) == (etag, modified)
    assert client.get(base).headers["etag"] == etag
    # Another asset has other bytes, so another tag; the same bytes of another job, the same.
    assert _validators(client, video_id, "thumbnail")[0] != etag
    assert _validators(client, _video(client, SIZES[0], SECONDS[0]))[0] == etag
    assert _validators(client, _video(client, SIZES[-1], SECONDS[0]))[0] != etag


def test_the_validators_are_what_the_spec_documents(client: TestClient) -> None:
    """Catches validators that break the spec's header schemas (an unquoted ETag), which the
    audit and the proxy would report against the mock."""
    from videos_contract.validator import Compiled

    operation = SPEC.operation("downloadVideoContent")
    video_id = _video(client, SIZES[0], SECONDS[0])
    for status, headers in (("200", {}), ("206", {"Range": "bytes=5-"})):
        documented = operation.responses[status]["headers"]
        response = client.get(f"/v1/videos/{video_id}/content", headers=headers)
        assert response.status_code == int(status)
        for name in ("ETag", "Last-Modified"):
            schema = SPEC.resolve(documented[name])["schema"]
            assert Compiled(schema).is_valid(response.headers[name]), (status, name)


@pytest.mark.parametrize("which", ["etag", "last-modified"])
def test_a_matching_if_range_gets_the_range(client: TestClient, which: str) -> None:
    """Catches a mock that ignores a range under a current validator (every resumed
    download would start over), for the ETag and for the Last-Modified date."""
    video_id = _video(client, SIZES[0], SECONDS[0])
    base = f"/v1/videos/{video_id}/content"
    whole = client.get(base)
    response = client.get(base, headers={"Range": "bytes=100-", "If-Range": whole.headers[which]})
    assert response.status_code == 206
    assert (
        response.headers["content-range"]
        == f"bytes 100-{len(whole.content) - 1}/{len(whole.content)}"
    )
    assert response.content == whole.content[100:]


@pytest.mark.parametrize(
    "if_range",
    [
        '"another-asset"',
        "W/{etag}",  # the current tag, but weak: If-Range compares strongly
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "{modified} ",  # compared exactly, surrounding space aside: still the same date
        "",
        "not a validator",
        '"unterminated',
        "caf\u00e9 \u00ff",
    ],
)
def test_a_stale_or_unreadable_if_range_gets_the_whole_asset(
    client: TestClient, if_range: str
) -> None:
    """Catches a mock that sends a range of an asset the client no longer holds part of
    (RFC 9110: a Range under a non-matching If-Range gets all of it, 200), or that answers
    an odd If-Range with an error instead."""
    video_id = _video(client, SIZES[0], SECONDS[0])
    base = f"/v1/videos/{video_id}/content"
    whole = client.get(base)
    etag, modified = whole.headers["etag"], whole.headers["last-modified"]
    value = if_range.format(etag=etag, modified=modified)
    # Sent as bytes: a header may carry any octet, and the mock reads it as Latin-1.
    response = client.get(
        base, headers={b"Range": b"bytes=100-", b"If-Range": value.encode("latin-1")}
    )
    if value.strip() == modified:
        assert response.status_code == 206
        return
    assert response.status_code == 200, response.text
    assert "content-range" not in response.headers
    assert response.content == whole.content
    assert response.headers["etag"] == etag


def test_if_range_needs_a_range_and_a_stale_one_skips_the_416(client: TestClient) -> None:
    """Catches an If-Range acted on without a Range, and a range past the end answered 416
    when the If-Range already said the client's copy is stale (the whole asset is due)."""
    video_id = _video(client, SIZES[0], SECONDS[0])
    base = f"/v1/videos/{video_id}/content"
    whole = client.get(base)
    alone = client.get(base, headers={"If-Range": whole.headers["etag"]})
    assert (alone.status_code, alone.content) == (200, whole.content)
    past_end = {"Range": f"bytes={len(whole.content)}-"}
    assert (
        client.get(base, headers={**past_end, "If-Range": whole.headers["etag"]}).status_code == 416
    )
    stale = client.get(base, headers={**past_end, "If-Range": '"old"'})
    assert (stale.status_code, stale.content) == (200, whole.content)
