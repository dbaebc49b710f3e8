"""A job's life on the mock: status over time, failures, remix, delete, paging, ownership."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, FAIL_MARKER, Job, MockConfig, MockServer, create_app
from videos_contract.probe import probe_video
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()
AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


def _client(server: MockServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=30
    )


@pytest.fixture
def instant() -> Iterator[TestClient]:
    """A mock whose jobs complete as soon as they are created."""
    app = create_app(MockConfig(render_seconds=0.0))
    with TestClient(app, headers=AUTH) as client:
        yield client


@pytest.fixture
def slow() -> Iterator[TestClient]:
    """A mock whose jobs never finish within a test."""
    app = create_app(MockConfig(render_seconds=3600.0))
    with TestClient(app, headers=AUTH) as client:
        yield client


def _job(render: float = 10.0, fail_at: float | None = None) -> Job:
    return Job(
        id="video_1",
        owner="o",
        model="sora-2",
        prompt="p",
        size="720x1280",
        seconds="4",
        created_at=1_000_000.0,
        started=500.0,
        render_seconds=render,
        asset_ttl_seconds=3600.0,
        fail_at=fail_at,
    )


def test_status_follows_the_clock() -> None:
    job = _job()
    seen = [job.state(500.0 + t) for t in (0.0, 0.5, 2.0, 5.0, 9.9, 10.0, 50.0)]
    assert [s.status for s in seen] == [
        "queued",
        "queued",
        "in_progress",
        "in_progress",
        "in_progress",
        "completed",
        "completed",
    ]
    progress = [s.progress for s in seen]
    assert progress == sorted(progress)
    assert progress[0] == 0 and progress[-1] == 100 and 0 < progress[3] < 100
    assert all(s.completed_at is None and s.expires_at is None for s in seen[:5])
    assert seen[-1].completed_at == 1_000_010
    assert seen[-1].expires_at == 1_000_010 + 3600
    assert all(s.error is None for s in seen)
    assert not job.expired(500.0 + 10.0 + 3599.0) and job.expired(500.0 + 10.0 + 3600.0)


def test_a_failing_job_stops_with_an_error() -> None:
    job = _job(fail_at=0.4)
    assert job.state(503.0).status == "in_progress"
    failed = job.state(504.0)
    assert failed.status == "failed" and failed.progress == 40
    assert failed.error is not None and set(failed.error) == {"code", "message"}
    assert failed.completed_at is not None and failed.expires_at is None


def test_created_job_is_queued_then_completes(
    mock_server: MockServer, wait_for_job: Callable[..., dict[str, Any]]
) -> None:
    with _client(mock_server) as client:
        created = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox in the snow."})
        assert created.status_code == 200, created.text
        video = created.json()
        assert (video["status"], video["progress"], video["error"]) == ("queued", 0, None)
        assert video["completed_at"] is None and video["expires_at"] is None

        retrieved = client.get(f"/v1/videos/{video['id']}")
        assert int(retrieved.headers["openai-poll-after-ms"]) >= 0

        done = wait_for_job(client, video["id"])
        assert (done["status"], done["progress"], done["error"]) == ("completed", 100, None)
        assert done["completed_at"] >= done["created_at"]
        assert done["expires_at"] > done["completed_at"]

        content = client.get(f"/v1/videos/{video['id']}/content")
        assert content.status_code == 200
        info = probe_video(content.content)
        assert (info.codec, info.size) == ("h264", done["size"])
        assert info.duration == float(done["seconds"])


def test_the_fail_marker_fails_the_job(instant: TestClient) -> None:
    video = instant.post(
        "/v1/videos", json={"model": MODEL, "prompt": f"A storm {FAIL_MARKER}"}
    ).json()
    video = instant.get(f"/v1/videos/{video['id']}").json()
    assert video["status"] == "failed"
    assert set(video["error"]) == {"code", "message"}
    response = instant.get(f"/v1/videos/{video['id']}/content")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "video_not_ready"
    response = instant.post(f"/v1/videos/{video['id']}/remix", json={"prompt": "Again."})
    assert response.status_code == 409


@pytest.mark.parametrize(("rate", "expected"), [(0.0, 0), (1.0, 20)])
def test_fail_rate(rate: float, expected: int) -> None:
    app = create_app(MockConfig(render_seconds=0.0, fail_rate=rate))
    with TestClient(app, headers=AUTH) as client:
        for _ in range(20):
            client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."})
        videos = client.get("/v1/videos?limit=100").json()["data"]
    assert sum(v["status"] == "failed" for v in videos) == expected
    assert all((v["error"] is None) == (v["status"] != "failed") for v in videos)


def _ids_and_statuses(seed: int) -> list[tuple[str, str]]:
    app = create_app(MockConfig(render_seconds=0.0, fail_rate=0.5, seed=seed))
    with TestClient(app, headers=AUTH) as client:
        return [
            (v["id"], v["status"])
            for v in (
                client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
                for _ in range(12)
            )
            for v in [client.get(f"/v1/videos/{v['id']}").json()]
        ]


def test_ids_and_failures_repeat_under_a_seed() -> None:
    first = _ids_and_statuses(7)
    assert first == _ids_and_statuses(7)
    assert first != _ids_and_statuses(8)
    assert {status for _, status in first} == {"completed", "failed"}


def test_content_and_remix_wait_for_completion(slow: TestClient) -> None:
    video = slow.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
    for response in (
        slow.get(f"/v1/videos/{video['id']}/content"),
        slow.post(f"/v1/videos/{video['id']}/remix", json={"prompt": "At night."}),
    ):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "video_not_ready"


def test_a_held_job_stays_queued_until_released() -> None:
    """`hold` keeps even an instant job unfinished; `release` lets it follow its clock."""
    app = create_app(MockConfig(render_seconds=0.0))
    service = app.state.service
    with TestClient(app, headers=AUTH) as client:
        before = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
        with service.holding():
            held = client.post("/v1/videos", json={"model": MODEL, "prompt": "A held fox."}).json()
            for _ in range(3):
                seen = client.get(f"/v1/videos/{held['id']}").json()
                assert (seen["status"], seen["progress"]) == ("queued", 0)
            listed = {v["id"]: v["status"] for v in client.get("/v1/videos").json()["data"]}
            assert listed == {before["id"]: "completed", held["id"]: "queued"}
            for response in (
                client.get(f"/v1/videos/{held['id']}/content"),
                client.post(f"/v1/videos/{held['id']}/remix", json={"prompt": "At night."}),
            ):
                assert response.status_code == 409
                assert "is queued" in response.json()["error"]["message"]
        assert client.get(f"/v1/videos/{held['id']}").json()["status"] == "completed"
        assert client.get(f"/v1/videos/{held['id']}/content").status_code == 200
        after = client.post("/v1/videos", json={"model": MODEL, "prompt": "A free fox."}).json()
        assert client.get(f"/v1/videos/{after['id']}").json()["status"] == "completed"


def test_remix_of_a_completed_video(instant: TestClient) -> None:
    source = instant.post(
        "/v1/videos", json={"model": MODEL, "prompt": "A fox.", "size": "1280x720", "seconds": "8"}
    ).json()
    remix = instant.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "At night."})
    assert remix.status_code == 200, remix.text
    video = remix.json()
    assert video["remixed_from_video_id"] == source["id"]
    assert video["id"] != source["id"]
    assert (video["prompt"], video["size"], video["seconds"]) == ("At night.", "1280x720", "8")
    assert source["remixed_from_video_id"] is None


def test_expired_assets_answer_410() -> None:
    app = create_app(MockConfig(render_seconds=0.0, asset_ttl_seconds=0.0))
    with TestClient(app, headers=AUTH) as client:
        video = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
        response = client.get(f"/v1/videos/{video['id']}/content")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "video_expired"


def test_delete_removes_from_retrieve_and_list(instant: TestClient) -> None:
    video = instant.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
    deleted = instant.delete(f"/v1/videos/{video['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {
        "id": video["id"],
        "object": SPEC.schema("DeletedVideo")["properties"]["object"]["default"],
        "deleted": True,
    }
    assert instant.get(f"/v1/videos/{video['id']}").status_code == 404
    assert instant.delete(f"/v1/videos/{video['id']}").status_code == 404
    assert instant.get(f"/v1/videos/{video['id']}/content").status_code == 404
    assert video["id"] not in [v["id"] for v in instant.get("/v1/videos").json()["data"]]


def _all_pages(client: TestClient, order: str, limit: int) -> list[str]:
    ids: list[str] = []
    after: str | None = None
    while True:
        query = f"order={order}&limit={limit}" + (f"&after={after}" if after else "")
        page = client.get(f"/v1/videos?{query}").json()
        ids += [v["id"] for v in page["data"]]
        assert page["first_id"] == (page["data"][0]["id"] if page["data"] else None)
        assert page["last_id"] == (page["data"][-1]["id"] if page["data"] else None)
        if not page["has_more"]:
            return ids
        after = page["last_id"]


def test_paging_has_no_duplicates_or_gaps(instant: TestClient) -> None:
    created = [
        instant.post("/v1/videos", json={"model": MODEL, "prompt": f"n{i}"}).json()["id"]
        for i in range(23)
    ]
    assert _all_pages(instant, "asc", 5) == created
    assert _all_pages(instant, "desc", 7) == created[::-1]
    default = instant.get("/v1/videos").json()
    limit_default = SPEC.operation("listVideos").parameter("limit")["schema"]["default"]
    assert len(default["data"]) == limit_default
    assert default["data"][0]["id"] == created[-1]  # the spec's default order is desc


def test_a_deleted_cursor_still_pages_on(instant: TestClient) -> None:
    created = [
        instant.post("/v1/videos", json={"model": MODEL, "prompt": f"n{i}"}).json()["id"]
        for i in range(6)
    ]
    first = instant.get("/v1/videos?order=asc&limit=3").json()
    instant.delete(f"/v1/videos/{first['last_id']}")
    rest = instant.get(f"/v1/videos?order=asc&limit=3&after={first['last_id']}").json()
    assert [v["id"] for v in rest["data"]] == created[3:]


def test_each_key_sees_only_its_own_videos() -> None:
    app = create_app(MockConfig(keys=("sk-gateway-alice", "sk-gateway-bob"), render_seconds=0))
    with TestClient(app) as client:
        alice = {"Authorization": "Bearer sk-gateway-alice"}
        bob = {"Authorization": "Bearer sk-gateway-bob"}
        video = client.post(
            "/v1/videos", json={"model": MODEL, "prompt": "A fox."}, headers=alice
        ).json()
        assert client.get(f"/v1/videos/{video['id']}", headers=bob).status_code == 404
        assert client.delete(f"/v1/videos/{video['id']}", headers=bob).status_code == 404
        assert client.get("/v1/videos", headers=bob).json()["data"] == []
        assert client.get(f"/v1/videos/{video['id']}", headers=alice).status_code == 200


def test_concurrent_creates_lose_nothing(mock_server: MockServer) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def create_many() -> None:
        with _client(mock_server) as client:
            for i in range(15):
                response = client.post("/v1/videos", json={"model": MODEL, "prompt": f"p{i}"})
                assert response.status_code == 200
                with lock:
                    ids.append(response.json()["id"])

    threads = [threading.Thread(target=create_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == len(set(ids)) == 120
    assert len(mock_server.store) == 120
    with _client(mock_server) as client:
        assert sorted(_all_ids(client)) == sorted(ids)


def _all_ids(client: httpx.Client) -> list[str]:
    ids: list[str] = []
    after = ""
    while True:
        page = client.get("/v1/videos?limit=100" + (f"&after={after}" if after else "")).json()
        ids += [v["id"] for v in page["data"]]
        if not page["has_more"]:
            return ids
        after = page["last_id"]
