"""The job stores (memory, SQLite, PostgreSQL), expiry and pruning: one contract, nothing
lost, nothing kept for ever."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.postgres import GROUP, LocalPostgres
from videos_contract.mock import DEFAULT_KEY, Job, MemoryJobStore, MockConfig, create_app
from videos_contract.mock.config import CONFIG_ENV, config_from_env, config_to_env
from videos_contract.mock.sqlite_store import SqliteJobStore
from videos_contract.mock.store import JobStore, UnknownCursor

AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


def _job(job_id: str, owner: str = "alice", prune_at: float = float("inf")) -> Job:
    return Job(
        id=job_id,
        owner=owner,
        model="sora-2",
        prompt="A fox.",
        size="720x1280",
        seconds="4",
        created_at=1000.0,
        started=1000.0,
        render_seconds=10.0,
        asset_ttl_seconds=60.0,
        reference={"type": "object", "image_url": "https://example.com/a.png"},
        prune_at=prune_at,
    )


# Each store kind; the PostgreSQL one runs in the group that shares the server.
KINDS = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.xdist_group(GROUP)),
]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> JobStore:
    if request.param == "memory":
        return MemoryJobStore()
    if request.param == "postgres":
        from videos_contract.mock.postgres_store import PostgresJobStore

        server: LocalPostgres = request.getfixturevalue("postgres")
        server.reset()
        made_pg = PostgresJobStore(server.url)
        request.addfinalizer(made_pg.close)
        return made_pg
    made = SqliteJobStore(tmp_path / "jobs.db")
    request.addfinalizer(made.close)
    return made


def _config(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, **options: Any
) -> MockConfig:
    """A mock configuration whose jobs live in a fresh store of `kind`."""
    if kind == "sqlite":
        return MockConfig(store_path=tmp_path / "jobs.db", **options)
    if kind == "postgres":
        server: LocalPostgres = request.getfixturevalue("postgres")
        server.reset()
        return MockConfig(store_url=server.url, **options)
    return MockConfig(**options)


def test_both_stores_keep_the_same_contract(store: JobStore) -> None:
    for index in range(5):
        store.add(_job(f"video_{index}"))
    store.add(_job("video_bob", owner="bob"))
    with pytest.raises(ValueError, match="duplicate"):
        store.add(_job("video_1"))
    assert store.get("alice", "video_2") == _job("video_2")
    assert store.get("bob", "video_2") is None  # another owner's job does not exist for bob
    assert len(store) == 6
    assert store.delete("alice", "video_2") and not store.delete("alice", "video_2")
    assert store.get("alice", "video_2") is None
    page, more = store.page("alice", after=None, limit=2, order="asc")
    assert [job.id for job in page] == ["video_0", "video_1"] and more
    # A cursor naming a deleted job still pages on, neither repeating nor skipping.
    page, more = store.page("alice", after="video_2", limit=10, order="asc")
    assert [job.id for job in page] == ["video_3", "video_4"] and not more
    page, _ = store.page("alice", after="video_3", limit=10, order="desc")
    assert [job.id for job in page] == ["video_1", "video_0"]
    with pytest.raises(UnknownCursor):
        store.page("alice", after="video_bob", limit=10, order="asc")


def test_both_stores_prune_what_is_due_and_forget_its_cursor(store: JobStore) -> None:
    store.add(_job("video_old", prune_at=100.0))
    store.add(_job("video_new", prune_at=300.0))
    store.add(_job("video_kept"))
    assert store.prune(50.0) == 0
    assert store.prune(200.0) == 1
    assert store.get("alice", "video_old") is None and len(store) == 2
    with pytest.raises(UnknownCursor):
        store.page("alice", after="video_old", limit=10, order="asc")
    assert store.prune(10**12) == 1
    assert [job.id for job in store.page("alice", after=None, limit=10, order="asc")[0]] == [
        "video_kept"
    ]


def test_the_sqlite_store_is_shared_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    first, second = SqliteJobStore(path), SqliteJobStore(path)  # as two processes would
    try:
        errors: list[BaseException] = []

        def add_many(prefix: str, target: SqliteJobStore) -> None:
            try:
                for index in range(50):
                    target.add(_job(f"video_{prefix}{index}"))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [
            threading.Thread(target=add_many, args=(f"t{n}_", first if n % 2 else second))
            for n in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(first) == len(second) == 300
        ids = [job.id for job in second.page("alice", after=None, limit=1000, order="asc")[0]]
        assert len(ids) == len(set(ids)) == 300
    finally:
        first.close()
        second.close()
    reopened = SqliteJobStore(path)
    try:
        assert len(reopened) == 300
        assert reopened.get("alice", "video_t3_49") == _job("video_t3_49")
    finally:
        reopened.close()


@pytest.mark.parametrize("kind", KINDS[1:])
def test_a_restarted_mock_reads_its_jobs_by_the_clock(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    config = _config(kind, request, tmp_path, render_seconds=0.3)
    first = create_app(config)
    with TestClient(first, headers=AUTH) as client:
        video_id = client.post("/v1/videos", json={"prompt": "A fox."}).json()["id"]
    first.state.store.close()
    time.sleep(0.5)
    second = create_app(config)
    with TestClient(second, headers=AUTH) as client:
        video = client.get(f"/v1/videos/{video_id}").json()
    second.state.store.close()
    assert video["status"] == "completed" and video["progress"] == 100


@pytest.mark.parametrize("kind", KINDS)
def test_expired_assets_answer_410_and_pruned_jobs_404(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    config = _config(
        kind,
        request,
        tmp_path,
        render_seconds=0.1,
        asset_ttl_seconds=0.4,
        prune_after_seconds=0.4,
    )
    app = create_app(config)
    with TestClient(app, headers=AUTH) as client:
        video_id = client.post("/v1/videos", json={"prompt": "A fox."}).json()["id"]
        video = _until(client, video_id, lambda v: v["status"] == "completed")
        assert video["expires_at"] is not None
        content = client.get(f"/v1/videos/{video_id}/content")
        assert content.status_code == 200, content.text
        time.sleep(0.5)  # past expires_at (completion + 0.4 s)
        expired = client.get(f"/v1/videos/{video_id}/content")
        assert expired.status_code == 410
        assert expired.json()["error"]["code"] == "video_expired"
        assert client.get(f"/v1/videos/{video_id}").status_code == 200  # the job is still known
        time.sleep(0.5)  # past expiry + prune_after_seconds
        client.post("/v1/videos", json={"prompt": "Another fox."})  # a create prunes
        gone = client.get(f"/v1/videos/{video_id}")
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "video_not_found"
    assert len(app.state.store) == 1
    if kind != "memory":
        app.state.store.close()


def _until(client: TestClient, video_id: str, done: object) -> dict[str, object]:
    deadline = time.monotonic() + 10
    while True:
        video: dict[str, object] = client.get(f"/v1/videos/{video_id}").json()
        if done(video):  # type: ignore[operator]
            return video
        assert time.monotonic() < deadline, video
        time.sleep(0.05)


def test_the_configuration_travels_to_workers_whole(tmp_path: Path) -> None:
    config = MockConfig(
        keys=("sk-gateway-a", "sk-gateway-b"),
        render_seconds=2.5,
        store_path=tmp_path / "jobs.db",
        max_parts=9,
        drop_rate=0.25,
        defects=(),
    )
    assert config_from_env({CONFIG_ENV: config_to_env(config)}) == config
    assert config_from_env({}) == MockConfig()


def test_limits_refuse_nonsense_values() -> None:
    for bad in (
        {"max_parts": 0},
        {"max_header_bytes": 10},
        {"body_timeout_seconds": 0},
        {"drop_rate": 2.0},
        {"slow_seconds": -1},
        {"prune_after_seconds": -1},
    ):
        with pytest.raises(ValueError):
            MockConfig(**bad)
