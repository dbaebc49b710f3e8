"""A job's life on the mock: create, poll, list, download, remix, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from videos_contract.mock import MockServer
from videos_contract.probe import probe_video


def _client(server: MockServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=30
    )


def test_created_job_is_queued_then_completes(
    mock_server: MockServer, wait_for_job: Callable[..., dict[str, Any]]
) -> None:
    with _client(mock_server) as client:
        created = client.post("/v1/videos", json={"prompt": "A fox in the snow."})
        assert created.status_code == 200, created.text
        video = created.json()
        assert video["status"] == "queued"
        assert video["progress"] == 0
        assert video["error"] is None
        assert video["completed_at"] is None

        done = wait_for_job(client, video["id"])
        assert done["status"] == "completed"
        assert done["progress"] == 100
        assert done["completed_at"] >= done["created_at"]
        assert done["expires_at"] > done["completed_at"]

        content = client.get(f"/v1/videos/{video['id']}/content")
        assert content.status_code == 200
        info = probe_video(content.content)
        assert (info.codec, info.size) == ("h264", done["size"])
        assert info.duration == float(done["seconds"])
