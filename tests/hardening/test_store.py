"""The job stores (memory, SQLite, PostgreSQL), expiry and pruning: one contract, nothing
lost, nothing kept for ever."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from tests.support.hardening import CLI
from tests.support.postgres import GROUP, LocalPostgres
from videos_contract.credentials import masked_url
from videos_contract.families import families
from videos_contract.listening import bind
from videos_contract.mock import DEFAULT_KEY, Job, MemoryJobStore, MockConfig, create_app
from videos_contract.mock.config import CONFIG_ENV, config_from_env, config_to_env
from videos_contract.mock.sqlite_store import SqliteJobStore
from videos_contract.mock.store import JobStore, StoreUnavailable, UnknownCursor

MODEL = families().default_family.models[0]

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
        video_id = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
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
        video_id = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
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
        client.post(
            "/v1/videos", json={"model": MODEL, "prompt": "Another fox."}
        )  # a create prunes
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


# -- the PostgreSQL store's own promises ------------------------------------------------------

postgres_only = pytest.mark.xdist_group(GROUP)


@pytest.fixture
def pg(postgres: LocalPostgres) -> LocalPostgres:
    postgres.reset()
    return postgres


@postgres_only
def test_the_postgres_schema_is_made_once_and_its_version_recorded(pg: LocalPostgres) -> None:
    from videos_contract.mock.postgres_store import SCHEMA_VERSION, PostgresJobStore

    stores: list[PostgresJobStore] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            stores.append(PostgresJobStore(pg.url))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]  # hosts starting together
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == [] and len(stores) == 4
        assert {store.schema_version() for store in stores} == {SCHEMA_VERSION}
        with psycopg.connect(pg.url) as connection:
            rows = connection.execute("SELECT version FROM videos_mock_schema").fetchall()
            assert rows == [(SCHEMA_VERSION,)]
            # A database migrated by a newer release is refused, with the reason.
            connection.execute(
                "INSERT INTO videos_mock_schema (version) VALUES (%s)", (SCHEMA_VERSION + 1,)
            )
        with pytest.raises(StoreUnavailable, match="newer than this mock"):
            PostgresJobStore(pg.url)
    finally:
        for store in stores:
            store.close()
        with psycopg.connect(pg.url) as connection:
            connection.execute(
                "DELETE FROM videos_mock_schema WHERE version > %s", (SCHEMA_VERSION,)
            )


@postgres_only
def test_the_postgres_store_reads_the_database_clock(
    pg: LocalPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    from videos_contract.mock import postgres_store

    skew = 3600.0  # this host's clock runs an hour fast
    real = time.time
    monkeypatch.setattr("videos_contract.mock.postgres_store.time.time", lambda: real() + skew)
    store = postgres_store.PostgresJobStore(pg.url)
    try:
        with psycopg.connect(pg.url) as connection:
            row = connection.execute(
                "SELECT extract(epoch FROM clock_timestamp())::float8"
            ).fetchone()
        assert row is not None
        assert abs(store.now() - row[0]) < skew / 10  # the database's time, not this host's
    finally:
        store.close()


@postgres_only
def test_the_postgres_store_prunes_on_one_host_at_a_time(pg: LocalPostgres) -> None:
    from videos_contract.mock.postgres_store import _PRUNE_LOCK, PostgresJobStore

    first, second = PostgresJobStore(pg.url), PostgresJobStore(pg.url)
    try:
        first.add(_job("video_due", prune_at=100.0))
        with psycopg.connect(pg.url) as pruning, pruning.transaction():
            # Another host is pruning: this one leaves the work to it and returns at once.
            pruning.execute("SELECT pg_advisory_xact_lock(%s)", (_PRUNE_LOCK,))
            assert second.prune(200.0) == 0
            assert first.get("alice", "video_due") is not None
        assert second.prune(200.0) == 1 and first.prune(200.0) == 0
    finally:
        first.close()
        second.close()


@postgres_only
def test_a_full_postgres_pool_queues_within_its_bound(pg: LocalPostgres) -> None:
    from videos_contract.mock.postgres_store import PostgresJobStore

    store = PostgresJobStore(pg.url, pool_size=1, max_waiting=1, wait_seconds=60)
    store.add(_job("video_0"))
    results: list[object] = []
    try:
        with store._pool.connection():  # the one connection is busy
            waiter = threading.Thread(target=lambda: results.append(store.get("alice", "video_0")))
            waiter.start()
            deadline = time.monotonic() + 30
            while store._pool._waiting < 1:  # the call waits in the queue
                assert time.monotonic() < deadline
                time.sleep(0.01)
            # The queue is full: the next call is refused at once, with the reason.
            with pytest.raises(StoreUnavailable, match="already wait"):
                store.get("alice", "video_0")
        waiter.join(timeout=30)
        assert results == [_job("video_0")]  # the queued call was served when the pool freed
    finally:
        store.close()
    short = PostgresJobStore(pg.url, pool_size=1, wait_seconds=0)
    try:
        with short._pool.connection(), pytest.raises(StoreUnavailable, match="stayed busy"):
            short.get("alice", "video_0")
    finally:
        short.close()


@postgres_only
def test_an_unreachable_database_fails_at_once_with_the_reason() -> None:
    from videos_contract.mock.postgres_store import PostgresJobStore

    port = bind("127.0.0.1", 0)  # a port that refuses: bound, never listening
    try:
        url = f"postgresql://nobody:hunter2secret@127.0.0.1:{port.getsockname()[1]}/nowhere"
        with pytest.raises(StoreUnavailable, match="cannot connect") as raised:
            PostgresJobStore(url)
    finally:
        port.close()
    assert "hunter2secret" not in str(raised.value)
    assert "hunter2secret" not in repr(MockConfig(store_url=url))
    assert masked_url(url) == f"postgresql://nobody:***@127.0.0.1:{url.split(':')[3]}"


def test_the_mock_command_names_an_unreachable_database_in_one_line() -> None:
    port = bind("127.0.0.1", 0)  # bound, never listening: connections are refused
    try:
        url = f"postgresql://nobody:hunter2secret@127.0.0.1:{port.getsockname()[1]}/nowhere"
        done = subprocess.run(
            [*CLI, "mock", "--port", "0", "--store", url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        port.close()
    assert done.returncode == 2 and done.stdout == ""  # an unusable store: exit 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot use the job store postgresql://nobody:***@" in lines[0]
    assert "cannot connect" in lines[0] and "hunter2secret" not in done.stderr


@postgres_only
def test_a_postgres_page_waits_for_a_create_still_in_flight(pg: LocalPostgres) -> None:
    import json

    from videos_contract.mock.postgres_store import _ORDER_LOCK, PostgresJobStore
    from videos_contract.mock.store import job_to_dict

    store = PostgresJobStore(pg.url)
    pages: list[list[str]] = []
    try:
        with psycopg.connect(pg.url) as other_host, other_host.transaction():
            # Another host's create: number drawn, row written, not yet committed.
            other_host.execute("SELECT pg_advisory_xact_lock_shared(%s)", (_ORDER_LOCK,))
            early = _job("video_early")
            other_host.execute(
                "INSERT INTO videos_mock_jobs (seq, id, owner, prune_at, data)"
                " VALUES (nextval('videos_mock_jobs_seq'), %s, %s, NULL, %s)",
                (early.id, early.owner, json.dumps(job_to_dict(early))),
            )
            store.add(_job("video_late"))  # drawn after it, committed first
            reader = threading.Thread(
                target=lambda: pages.append(
                    [job.id for job in store.page("alice", after=None, limit=10, order="asc")[0]]
                )
            )
            reader.start()
            deadline = time.monotonic() + 30
            with psycopg.connect(pg.url, autocommit=True) as watcher:
                while True:  # the page waits for the create in flight
                    row = watcher.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    ).fetchone()
                    if row is not None and row[0] >= 1:
                        break
                    assert time.monotonic() < deadline and not pages, pages
                    time.sleep(0.01)
            assert pages == []
        reader.join(timeout=30)
        # Never the late job alone: a client paging forward after it would skip the early one.
        assert pages == [["video_early", "video_late"]]
    finally:
        store.close()


@postgres_only
def test_a_connection_broken_while_idle_is_replaced_without_an_error(pg: LocalPostgres) -> None:
    from videos_contract.mock.postgres_store import PostgresJobStore

    store = PostgresJobStore(pg.url, pool_size=2)
    try:
        store.add(_job("video_0"))
        with psycopg.connect(pg.url, autocommit=True) as admin:
            # What a restart of the database does to the store's idle connections.
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = 'videos-contract mock' AND usename = current_user"
            ).fetchone()
        assert ended is not None and ended[0] >= 1
        assert store.get("alice", "video_0") == _job("video_0")  # retried on a new connection
        store.add(_job("video_1"))
        assert len(store) == 2
    finally:
        store.close()


@postgres_only
def test_a_create_run_again_after_its_commit_is_stored_once(
    pg: LocalPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    from videos_contract.mock.postgres_store import PostgresJobStore

    store = PostgresJobStore(pg.url)
    original = PostgresJobStore._run

    def committed_then_retried(self: PostgresJobStore, work: Any) -> Any:
        # The first attempt commits, its answer is lost with the connection, the retry runs.
        original(self, work)
        return original(self, work)

    try:
        monkeypatch.setattr(PostgresJobStore, "_run", committed_then_retried)
        store.add(_job("video_0"))  # the retry finds its own row: no error, no second job
        with pytest.raises(ValueError, match="duplicate"):
            store.add(_job("video_0", owner="bob"))  # another job with a taken id
        monkeypatch.undo()
        assert len(store) == 1 and store.get("alice", "video_0") == _job("video_0")
    finally:
        store.close()


def test_the_postgres_driver_is_loaded_only_for_a_postgres_store(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from videos_contract.cli import build_parser\n"
        "from videos_contract.mock import MockConfig, create_app\n"
        f"create_app(MockConfig(store_path={str(tmp_path / 'jobs.db')!r})).state.store.close()\n"
        "build_parser()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'psycopg'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_mock_takes_its_store_from_the_settings_file(tmp_path: Path) -> None:
    # Every host of a shared mock runs the same command in the same checkout; the password
    # comes from the environment (`${NAME}`), never from the file.
    port = bind("127.0.0.1", 0)  # bound, never listening: the store the file names is tried
    try:
        (tmp_path / "videos-contract.toml").write_text(
            f'store = "postgresql://nobody:${{STORE_PASSWORD}}@127.0.0.1:'
            f'{port.getsockname()[1]}/nowhere"\n',
            encoding="utf-8",
        )
        done = subprocess.run(
            [*CLI, "mock", "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
            env={**os.environ, "STORE_PASSWORD": "hunter2secret"},
        )
    finally:
        port.close()
    assert done.returncode == 2, done.stderr
    assert "cannot use the job store postgresql://nobody:***@" in done.stderr
    assert "hunter2secret" not in done.stderr


def test_a_settings_file_may_not_write_out_the_stores_password(tmp_path: Path) -> None:
    (tmp_path / "videos-contract.toml").write_text(
        'store = "postgresql://nobody:hunter2secret@127.0.0.1/videos"\n', encoding="utf-8"
    )
    done = subprocess.run(
        [*CLI, "mock", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "must not hold the database password" in done.stderr
    assert "hunter2secret" not in done.stderr
