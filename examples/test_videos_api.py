"""Contract tests for code that calls the Videos API, using the videos-contract pytest plugin.

Copy this file into your own test suite. Installing the package is all the set-up it needs
(`pip install 'videos-contract[mock]' aihubmix-videos pytest`;
the `mock` extra runs the mock): the plugin registers itself with pytest
and gives these fixtures and markers with no import:

- `videos_client`: the generated client, pointed at a fresh mock for each test, or at a live
  server when you run `pytest --videos-url URL` (or set VIDEOS_API_URL) with the key in
  VIDEOS_API_KEY (another variable: `--videos-key-env NAME`);
- `videos_mock`: the running mock itself (`.url`, `.key`), configured per test with
  `@pytest.mark.videos_mock(render_seconds=..., fail_rate=..., defects=[...])`;
- `@pytest.mark.videos_billed(jobs=N)`: the test creates N billed jobs. On the mock it always
  runs; on a live server it is skipped unless `--videos-max-billed` leaves room for it.

    pytest examples/test_videos_api.py                      # against the mock
    VIDEOS_API_URL=https://aihubmix.com VIDEOS_API_KEY=... \\
        pytest examples/test_videos_api.py --videos-max-billed 1   # live, one billed job
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aihubmix_videos import AuthenticatedClient

from videos_contract.client import JobFailedError, connect, download, list_page, wait
from videos_contract.client.families import create_json, json_body
from videos_contract.mock import MockServer
from videos_contract.probe import probe_video

# The gateway's newest page requires `model` in every create.
MODEL = "wan2.6-t2v"


def test_listing_answers_with_a_page(videos_client: AuthenticatedClient) -> None:
    page = list_page(videos_client, limit=1)
    assert len(page.data) <= 1


@pytest.mark.videos_billed(jobs=1)
def test_a_video_is_made_and_downloaded(videos_client: AuthenticatedClient, tmp_path: Path) -> None:
    job = create_json(videos_client, json_body("a red fox running through snow", MODEL))
    done = wait(videos_client, job.id, interval=0.2, timeout=1800)
    clip = download(videos_client, done.id, tmp_path / "fox.mp4")
    assert probe_video(clip.path).codec == "h264"


@pytest.mark.videos_mock(fail_rate=1.0)
def test_a_failed_job_carries_the_servers_reason(videos_mock: MockServer) -> None:
    # Always the mock (never a live server), configured so that every job fails.
    with connect(videos_mock.url, videos_mock.key) as client:
        job = create_json(client, json_body("a job that will fail", MODEL))
        with pytest.raises(JobFailedError) as failure:
            wait(client, job.id, interval=0.1, timeout=60)
    assert failure.value.message
