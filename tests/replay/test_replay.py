"""Record a job's life through a relay, then replay it: both clients see the same thing.

The cassette is recorded once per module from real traffic (our client and the openai SDK,
through `RecordingRelay`, to a mock on a socket), then served by `mock --replay` in-process
and as the CLI command. Results are compared field by field: ids, the statuses each poll
saw, the bytes of each download, lists, deletes and the errors after them.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models.video_model import check_video_model

from tests.replay.relay import recording
from videos_contract.cassette import read_cassette
from videos_contract.cli import main
from videos_contract.client import ApiError, connect, create, delete, download, list_page, retrieve
from videos_contract.client import wait as wait_for
from videos_contract.families import families
from videos_contract.mock import FAIL_MARKER, MockConfig, running_mock

MODEL = check_video_model(families().default_family.models[0])

# The SDK marks its videos methods deprecated (the upstream API announced a shutdown).
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
    pytest.mark.filterwarnings("ignore::videos_contract.client.lifecycle.RetiredModelWarning"),
]

KEY = "sk-gateway-RecordedKey8f3a91c2"
OUR_PROMPT = "A red fox trotting through fresh snow."
SDK_PROMPT = "A heron standing in a misty river."
FAILING_PROMPT = f"A storm over the sea {FAIL_MARKER}"
REPLAY = MockConfig(render_seconds=5.0, seed=99)  # unmatched requests would differ visibly


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def our_client_life(url: str, key: str, folder: Path) -> dict[str, Any]:
    """Create, poll to the end, download video and thumbnail, list, delete, retrieve again."""
    with connect(url, key) as client:
        return _our_client_life(client, folder)


def _our_client_life(client: AuthenticatedClient, folder: Path) -> dict[str, Any]:
    video = create(client, model=MODEL, prompt=OUR_PROMPT)
    statuses = [str(video.status)]
    done = wait_for(
        client, video.id, interval=0.05, on_progress=lambda v: statuses.append(str(v.status))
    )
    statuses.append(str(done.status))
    files = {}
    for variant in ("video", "thumbnail"):
        result = download(client, video.id, folder / f"ours.{variant}", variant=variant)
        files[variant] = (_sha(result.path.read_bytes()), result.size, result.content_type)
    page = list_page(client, limit=10)
    deleted = delete(client, video.id)
    with pytest.raises(ApiError) as gone:
        retrieve(client, video.id)
    return {
        "id": video.id,
        "statuses": statuses,
        "files": files,
        "listed": [item.id for item in page.data],
        "deleted": (deleted.id, deleted.deleted),
        "after_delete": gone.value.status_code,
    }


def sdk_life(url: str, key: str) -> dict[str, Any]:
    """The openai SDK: a job polled by hand, a failing job, a ranged download, a list."""
    with openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0) as client:
        return _sdk_life(client)


def _sdk_life(client: openai.OpenAI) -> dict[str, Any]:
    video = client.videos.create(model=MODEL, prompt=SDK_PROMPT, seconds="4")
    statuses = [video.status]
    while video.status not in ("completed", "failed"):
        video = client.videos.poll(video.id, poll_interval_ms=50)
        statuses.append(video.status)
    content = client.videos.download_content(video.id).read()
    part = client.videos.with_raw_response.download_content(
        video.id, extra_headers={"Range": "bytes=10-99"}
    )
    failed = client.videos.poll(
        client.videos.create(model=MODEL, prompt=FAILING_PROMPT).id, poll_interval_ms=50
    )
    listed = [item.id for item in client.videos.list(limit=5, order="asc")]
    return {
        "id": video.id,
        "statuses": statuses,
        "model": video.model,
        "content": (_sha(content), len(content)),
        "range": (part.status_code, part.headers["content-range"], _sha(part.content)),
        "failed": (failed.id, failed.status, failed.error.code if failed.error else None),
        "listed": listed,
        "deleted": client.videos.delete(failed.id).deleted,
    }


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A cassette of both clients' traffic to a mock, and what each client saw then."""
    folder = tmp_path_factory.mktemp("recorded")
    cassette = folder / "cassette"
    with (
        running_mock(MockConfig(keys=(KEY,), render_seconds=0.4, seed=7)) as upstream,
        recording(upstream.url, cassette) as relay,
    ):
        seen = {"ours": our_client_life(relay, KEY, folder), "sdk": sdk_life(relay, KEY)}
    yield cassette, seen


def test_the_cassette_holds_each_jobs_life_and_never_the_key(
    recorded: tuple[Path, dict[str, Any]],
) -> None:
    directory, seen = recorded
    cassette = read_cassette(directory)
    ours = cassette.jobs[seen["ours"]["id"]]
    assert ours[0].method == "POST" and ours[-1].method == "GET"
    assert any(e.method == "DELETE" for e in ours)
    assert cassette.upstream.startswith("http://127.0.0.1:")
    for path in directory.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path.name
    media = [e for e in ours if e.response_body is not None and not e.response_body.inline]
    assert {e.response_body.content_type for e in media if e.response_body} >= {
        "video/mp4",
        "image/webp",
    }


def test_a_replay_shows_both_clients_exactly_what_they_saw(
    recorded: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    directory, seen = recorded
    config = replace(REPLAY, replay_path=directory, replay_speed=4.0)
    with running_mock(config) as server:  # another key, another seed: nothing in common
        again = {
            "ours": our_client_life(server.url, server.key, tmp_path),
            "sdk": sdk_life(server.url, server.key),
        }
    assert again == seen
    assert seen["ours"]["statuses"][0] == "queued" and seen["ours"]["statuses"][-1] == "completed"
    assert len(seen["ours"]["statuses"]) >= 3
    assert seen["sdk"]["failed"][1:] == ("failed", "generation_failed")


def test_strict_replay_refuses_what_was_not_recorded(
    recorded: tuple[Path, dict[str, Any]],
) -> None:
    directory, seen = recorded
    config = replace(REPLAY, replay_path=directory, replay_strict=True)
    with running_mock(config) as server, _sdk(server.url, server.key) as client:
        with pytest.raises(openai.BadRequestError) as create:
            client.videos.create(model=MODEL, prompt="A prompt nobody recorded.")
        error = create.value.body
        assert isinstance(error, dict) and error["code"] == "not_recorded"
        assert "prompt 'A prompt nobody recorded.'" in error["message"]
        with pytest.raises(openai.NotFoundError) as unknown:
            client.videos.retrieve("video_" + "0" * 48)
        assert isinstance(unknown.value.body, dict)
        assert unknown.value.body["code"] == "not_recorded"
        # The recorded job replays; a second create of it was never recorded.
        assert (
            client.videos.create(model=MODEL, prompt=SDK_PROMPT, seconds="4").id
            == seen["sdk"]["id"]
        )
        # A list query never recorded: derived from the jobs replayed so far.
        derived = client.videos.list(limit=3)
        assert [video.id for video in derived.data] == [seen["sdk"]["id"]]
        assert derived.data[0].status == "queued" and not derived.has_more
        with pytest.raises(openai.BadRequestError, match="1 recorded, all replayed already"):
            client.videos.create(model=MODEL, prompt=SDK_PROMPT, seconds="4")
        with pytest.raises(openai.NotFoundError, match="spritesheet"):
            client.videos.download_content(seen["sdk"]["id"], variant="spritesheet")


def test_without_strict_unrecorded_requests_get_the_mocks_own_answers(
    recorded: tuple[Path, dict[str, Any]],
) -> None:
    directory, seen = recorded
    recorded_ids = {seen["ours"]["id"], seen["sdk"]["id"], seen["sdk"]["failed"][0]}
    config = replace(REPLAY, replay_path=directory)
    with running_mock(config) as server, _sdk(server.url, server.key) as client:
        fresh = client.videos.create(model=MODEL, prompt="A prompt nobody recorded.")
        assert fresh.id not in recorded_ids and fresh.status == "queued"
        assert client.videos.retrieve(fresh.id).id == fresh.id
        with pytest.raises(openai.BadRequestError):  # the mock still validates
            client.videos.create(model=MODEL, prompt="A fox.", size="640x480")  # type: ignore[arg-type]


def test_a_replayed_download_judges_if_range_by_the_recorded_validators(
    recorded: tuple[Path, dict[str, Any]],
) -> None:
    """Catches a replay that drops the recorded ETag (no download could resume in a later run)
    or serves a range under an If-Range that names another asset (a resumed file would join
    the bytes of two)."""
    directory, seen = recorded
    config = replace(REPLAY, replay_path=directory)
    with (
        running_mock(config) as server,
        httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}
        ) as http,
    ):
        base = f"/v1/videos/{seen['sdk']['id']}/content"
        whole = http.get(base)
        assert (whole.status_code, _sha(whole.content)) == (200, seen["sdk"]["content"][0])
        etag = whole.headers["etag"]
        rest = http.get(base, headers={"Range": "bytes=10-", "If-Range": etag})
        assert (rest.status_code, rest.content) == (206, whole.content[10:])
        assert rest.headers["etag"] == etag
        stale = http.get(base, headers={"Range": "bytes=10-", "If-Range": '"another"'})
        assert (stale.status_code, stale.content) == (200, whole.content)


def _sdk(url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)


def _mock_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "videos_contract", "mock", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_replays_at_speed(recorded: tuple[Path, dict[str, Any]]) -> None:
    directory, seen = recorded
    command = [sys.executable, "-m", "videos_contract", "mock", "--port", "0"]
    command += ["--replay", str(directory), "--speed", "20"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            banner = [process.stdout.readline()]
            while banner[-1] and not banner[-1].startswith("Stop with Ctrl-C"):
                banner.append(process.stdout.readline())
            url = banner[0].split()[-1]
            assert any(f"Replaying {directory} at 20x speed" in line for line in banner)
            assert sdk_life(url, "sk-gateway-localmock") == seen["sdk"]
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_a_damaged_cassette_stops_the_command_with_one_line(
    recorded: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    directory, _ = recorded
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(directory), str(broken)], check=True)
    media = max((broken / "bodies").iterdir(), key=lambda path: path.stat().st_size)
    media.write_bytes(media.read_bytes()[:100])
    result = _mock_command("--replay", str(broken))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "holds 100 bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_replay_options_that_do_not_fit_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["mock", "--port", "0", "--strict"]) == 2
    assert "--speed and --strict only apply with --replay DIR" in capsys.readouterr().err
    store = ["--store", str(tmp_path / "jobs.db"), "--workers", "2"]
    assert main(["mock", "--port", "0", "--replay", str(tmp_path), *store]) == 2
    assert "--replay serves from one process" in capsys.readouterr().err
