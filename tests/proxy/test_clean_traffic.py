"""Real clients through the proxy to a correct server: nothing to report, every check passed.

The openai SDK (an independently written client) and our own client helpers run their whole
lifecycle through the proxy; the reports it writes on exit say "conformant" and hold the key
nowhere.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import httpx
import openai
import pytest
from aihubmix_videos.models.video_model import check_video_model
from PIL import Image

from tests.proxy.conftest import Proxied, files_holding
from videos_contract.client import connect, create, download, wait
from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.probe import probe_video
from videos_contract.spec import load_spec

MODEL = check_video_model(families().default_family.models[0])

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:The Sora API is scheduled to permanently shut down:DeprecationWarning"
    ),
    # The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
    pytest.mark.filterwarnings("ignore::videos_contract.client.lifecycle.RetiredModelWarning"),
]


def _png(size: str) -> bytes:
    width, _, height = size.partition("x")
    buffer = io.BytesIO()
    Image.new("RGB", (int(width), int(height)), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_openai_sdk_lifecycle_is_clean(
    proxied: Proxied, mock_server: MockServer, tmp_path: Path
) -> None:
    spec = load_spec()
    size = spec.enum("VideoSize")[1]
    with openai.OpenAI(base_url=proxied.url + "/v1", api_key=mock_server.key, max_retries=0) as sdk:
        done = sdk.videos.create_and_poll(
            model=MODEL,
            prompt="a red fox",
            size=size,  # type: ignore[arg-type]
            input_reference=("ref.png", _png(size), "image/png"),
            poll_interval_ms=50,
        )
        assert done.status == "completed"
        clip = sdk.videos.download_content(done.id)
        assert probe_video(clip.content).size == size
        for variant in ("thumbnail", "spritesheet"):
            sdk.videos.download_content(done.id, variant=variant)
        assert [v.id for v in sdk.videos.list(limit=1)]
        remix = sdk.videos.remix(done.id, prompt="the same fox at night")
        assert sdk.videos.poll(remix.id, poll_interval_ms=50).status == "completed"
        assert sdk.videos.delete(done.id).deleted
        with pytest.raises(openai.NotFoundError):
            sdk.videos.retrieve(done.id)

    passed = proxied.checks("passed")
    assert proxied.lines == []
    assert ("downloadVideoContent", "content_is_real_mp4_matching_size_and_seconds") in passed
    assert ("downloadVideoContent", "thumbnail_and_spritesheet_are_real_images") in passed
    assert ("createVideo", "job_echoes_its_parameters") in passed
    assert ("retrieveVideo", "response_body_matches_schema") in passed
    assert proxied.checks("failed") == set()


def test_our_client_is_clean_and_reports_are_written(
    proxied: Proxied, mock_server: MockServer, tmp_path: Path
) -> None:
    client = connect(proxied.url, mock_server.key)
    try:
        video = wait(client, create(client, model=MODEL, prompt="a heron").id, interval=0.05)
        download(client, video.id, tmp_path / "heron.mp4")
    finally:
        client.get_httpx_client().close()
    assert probe_video(tmp_path / "heron.mp4").size == video.size
    # Ranges pass through untouched (206, checked as such; not decoded).
    ranged = httpx.get(
        f"{proxied.url}/v1/videos/{video.id}/content",
        headers={"Authorization": f"Bearer {mock_server.key}", "Range": "bytes=0-9"},
    )
    assert ranged.status_code == 206 and len(ranged.content) == 10

    result = proxied.proxy.run.finish()
    assert result.conformant, [v.at_fault for v in result.violations]
    assert proxied.lines == []
    summary = json.loads((proxied.report_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "conformant" and summary["profile"] == "proxy"
    assert summary["requests"] == result.requests >= 4
    # One create went through, and the upstream accepted it: the cost says so.
    assert (summary["cost"]["billed_sent"], summary["cost"]["billed_accepted"]) == (1, 1)
    for name in ("junit.xml", "report.html"):
        assert (proxied.report_dir / name).stat().st_size > 0
    assert files_holding(mock_server.key, proxied.report_dir) == []


CURL = shutil.which("curl")


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_through_the_proxy_is_clean(
    proxied: Proxied, mock_server: MockServer, tmp_path: Path
) -> None:
    """curl, an HTTP client we did not write (its own parser, framing and keep-alive), runs a
    job's life through the proxy: create, polls on one kept-alive connection, the download to
    a file; the clip decodes and nothing is reported. Catches framing the proxy gets wrong
    that Python's clients forgive."""
    assert CURL is not None
    auth = f"Authorization: Bearer {mock_server.key}"

    def curl(*args: str) -> bytes:
        done = subprocess.run(
            [CURL, "-sS", "--fail-with-body", "-H", auth, *args],
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
        return done.stdout

    created = json.loads(
        curl(
            "-H",
            "Content-Type: application/json",
            "--data",
            json.dumps({"model": MODEL, "prompt": "a red fox", "seconds": "4"}),
            proxied.url + "/v1/videos",
        )
    )
    job = f"{proxied.url}/v1/videos/{created['id']}"
    for _ in range(200):
        # Five polls per curl run: one connection, kept alive between them.
        answers = curl(*([job] * 5)).replace(b"}{", b"}\n{").splitlines()
        if json.loads(answers[-1])["status"] == "completed":
            break
    else:
        pytest.fail("the job did not complete")
    clip = tmp_path / "clip.mp4"
    curl("-o", str(clip), job + "/content")
    assert probe_video(clip).size == created["size"]
    curl("--http1.0", "-o", str(tmp_path / "thumb.webp"), job + "/content?variant=thumbnail")
    with Image.open(tmp_path / "thumb.webp") as thumbnail:
        assert thumbnail.format == "WEBP"
    assert proxied.checks("failed") == set()
    assert proxied.lines == []
    assert ("downloadVideoContent", "content_is_real_mp4_matching_size_and_seconds") in (
        proxied.checks("passed")
    )
