"""A `JobStore` in a PostgreSQL database, shared by any number of mock processes on any hosts.

Several mocks behind a load balancer see one truth: every job is a row, committed before the
create is answered, so a job created through one host is retrieved, listed, downloaded,
remixed and deleted through any other, and survives a `kill -9` of the host that created it.

- **One order.** Rows carry a sequence number, and a page is read only when no number drawn
  is still uncommitted: creates hold an advisory lock shared (so they commit together, in one
  flush of the log), a page takes it alone for its read, waiting the few milliseconds until
  the creates in flight have committed. So a page, and a cursor after it, are the same from
  every host, and a client paging forward never skips a job whose create committed late.
- **One clock.** A job's status follows from its stored start time and the clock; the store's
  clock is the database's (`clock_timestamp()`), read on each connection and every few
  seconds, and applied as an offset to the local clock, so two hosts whose clocks differ
  still show a job in the same state, and a job completes even when its host is gone.
- **Pruning once.** `prune` runs under a non-blocking advisory lock: when several hosts prune
  at once, one deletes and the others return at once.
- **Faults.** A database that cannot be reached makes a call raise `StoreUnavailable` (the mock
  answers 503): at once when the connection is refused, within `connect_timeout` when the
  host does not answer. The next call connects again, so the mock recovers by itself
  when the database is back. A connection broken by a restart of the database is retried once
  on a fresh connection (a create is idempotent by id and content, so a retry never makes a
  second job). When every connection is busy, a call waits for one (`wait_seconds`), with at
  most `max_waiting` calls in that queue; past either bound it is refused with 503.

The schema is created or migrated at start-up, under an advisory lock so that hosts starting
together do it once; its version is kept in `videos_mock_schema`. `psycopg` (version 3) is
imported by this module only, which the mock loads only for a `postgresql://` store.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg

from videos_contract.credentials import masked_url
from videos_contract.mock.config import is_postgres_url
from videos_contract.mock.store import (
    Job,
    Order,
    StoreUnavailable,
    UnknownCursor,
    job_from_dict,
    job_to_dict,
)

__all__ = ["SCHEMA_VERSION", "PostgresJobStore"]

_T = TypeVar("_T")

# Advisory lock keys (any 64-bit numbers that other applications of the database do not use).
_MIGRATE_LOCK = 0x76_69_64_65_6F_73_01  # "videos" + 1
_ORDER_LOCK = 0x76_69_64_65_6F_73_02
_PRUNE_LOCK = 0x76_69_64_65_6F_73_03

# Each migration takes the schema from the version before it to its own number.
_MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE videos_mock_jobs (
            seq bigint PRIMARY KEY,
            id text NOT NULL UNIQUE,
            owner text NOT NULL,
            deleted boolean NOT NULL DEFAULT false,
            prune_at double precision,
            data text NOT NULL
        );
        CREATE INDEX videos_mock_jobs_owner_seq ON videos_mock_jobs (owner, seq);
        CREATE INDEX videos_mock_jobs_prune_at ON videos_mock_jobs (prune_at);
        CREATE SEQUENCE videos_mock_jobs_seq OWNED BY videos_mock_jobs.seq;
        """,
    ),
)
SCHEMA_VERSION = _MIGRATIONS[-1][0]

# How often the offset between the local clock and the database's is measured again.
_CLOCK_REFRESH_SECONDS = 5.0


def _reason(exc: BaseException) -> str:
    """The first line of a driver error, which names the cause (never a password)."""
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


class _Pool:
    """At most `size` connections; callers beyond that wait in a bounded queue.

    A connection is made when none is idle; one that broke is closed, never handed out again.
    """

    def __init__(
        self,
        url: str,
        size: int,
        wait_seconds: float,
        max_waiting: int,
        connect_timeout: float,
        on_connect: Callable[[psycopg.Connection[Any]], None],
    ) -> None:
        self.url = url
        self.size = size
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self.connect_timeout = connect_timeout
        self._on_connect = on_connect
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[psycopg.Connection[Any]] = []
        self._waiting = 0
        self._closed = False

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            connection = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=max(1, math.ceil(self.connect_timeout)),
                application_name="videos-contract mock",
            )
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot connect to the database: {_reason(exc)}") from None
        try:
            self._on_connect(connection)
        except psycopg.Error as exc:
            connection.close()
            raise StoreUnavailable(f"the database failed a query: {_reason(exc)}") from None
        return connection

    @contextmanager
    def connection(self, *, fresh: bool = False) -> Iterator[tuple[psycopg.Connection[Any], bool]]:
        """A connection for the block, and whether it was made for it (not reused)."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the job store is closed")
            if self._waiting >= self.max_waiting:
                raise StoreUnavailable(
                    f"all {self.size} database connections are busy and "
                    f"{self.max_waiting} requests already wait for one"
                )
            self._waiting += 1
        try:
            acquired = self._slots.acquire(timeout=self.wait_seconds)
        finally:
            with self._lock:
                self._waiting -= 1
        if not acquired:
            raise StoreUnavailable(
                f"all {self.size} database connections stayed busy for {self.wait_seconds:g} s"
            )
        try:
            connection = None
            if not fresh:
                with self._lock:
                    connection = self._idle.pop() if self._idle else None
            made = connection is None
            if connection is None:
                connection = self._connect()
            try:
                yield connection, made
            except BaseException:
                if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    connection.close()  # left mid-transaction: not to be handed out again
                self._give_back(connection)
                raise
            self._give_back(connection)
        finally:
            self._slots.release()

    def _give_back(self, connection: psycopg.Connection[Any]) -> None:
        if connection.broken:
            connection.close()
            self._discard_idle()  # a restart of the database broke the idle ones too
            return
        if connection.closed:
            return
        with self._lock:
            if not self._closed:
                self._idle.append(connection)
                return
        connection.close()

    def _discard_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._discard_idle()


class PostgresJobStore:
    """Jobs in the PostgreSQL database at `url` (`postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`;
    a password left out of the URL is read by libpq from `PGPASSWORD` or `~/.pgpass`).

    `pool_size` connections at most per process; a call waits up to `wait_seconds` for one,
    with at most `max_waiting` calls waiting.
    """

    blocking = True  # every call is a round trip to the database

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        wait_seconds: float = 10.0,
        max_waiting: int = 256,
        connect_timeout: float = 5.0,
    ) -> None:
        if not is_postgres_url(url):
            raise ValueError(f"not a PostgreSQL URL: {masked_url(url)}")
        if pool_size < 1 or max_waiting < 0 or wait_seconds < 0:
            raise ValueError("pool_size must be >= 1, max_waiting and wait_seconds >= 0")
        self.url = url
        self._clock_lock = threading.Lock()
        self._offset = 0.0
        self._clock_read = -math.inf  # monotonic time of the last reading
        self._pool = _Pool(
            url, pool_size, wait_seconds, max_waiting, connect_timeout, self._read_clock
        )
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    def __repr__(self) -> str:
        return f"PostgresJobStore({masked_url(self.url)!r})"

    # -- the store's clock -------------------------------------------------------------------

    def _read_clock(self, connection: psycopg.Connection[Any]) -> None:
        before = time.time()
        row = connection.execute("SELECT extract(epoch FROM clock_timestamp())::float8").fetchone()
        after = time.time()
        assert row is not None
        with self._clock_lock:
            self._offset = float(row[0]) - (before + after) / 2
            self._clock_read = time.monotonic()

    def _clock_due(self) -> bool:
        with self._clock_lock:
            return time.monotonic() - self._clock_read >= _CLOCK_REFRESH_SECONDS

    def now(self) -> float:
        """The database's time in seconds since the epoch (the local clock plus the offset
        measured last); every host of one database reads the same clock."""
        with self._clock_lock:
            return time.time() + self._offset

    # -- running statements ------------------------------------------------------------------

    def _run(self, work: Callable[[psycopg.Connection[Any]], _T]) -> _T:
        """`work` on a connection; once more on a fresh one when a reused connection turns out
        broken (the database restarted since it was last used)."""
        for attempt in range(2):
            with self._pool.connection(fresh=attempt > 0) as (connection, made):
                try:
                    if self._clock_due():
                        self._read_clock(connection)
                    return work(connection)
                except psycopg.OperationalError as exc:
                    if connection.broken and not made and attempt == 0:
                        continue
                    raise StoreUnavailable(f"the database failed: {_reason(exc)}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _migrate(self) -> None:
        def migrate(connection: psycopg.Connection[Any]) -> None:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS videos_mock_schema ("
                    " version integer PRIMARY KEY,"
                    " migrated_at timestamptz NOT NULL DEFAULT now())"
                )
                row = connection.execute(
                    "SELECT coalesce(max(version), 0) FROM videos_mock_schema"
                ).fetchone()
                current = int(row[0]) if row else 0
                if current > SCHEMA_VERSION:
                    raise StoreUnavailable(
                        f"the database holds job store schema version {current}, newer than "
                        f"this mock's {SCHEMA_VERSION}: upgrade videos-contract on this host"
                    )
                for version, script in _MIGRATIONS:
                    if version > current:
                        for statement in script.split(";"):
                            if statement.strip():
                                connection.execute(statement.encode())
                        connection.execute(
                            "INSERT INTO videos_mock_schema (version) VALUES (%s)", (version,)
                        )

        self._run(migrate)

    def schema_version(self) -> int:
        """The schema version recorded in the database."""

        def read(connection: psycopg.Connection[Any]) -> int:
            row = connection.execute("SELECT max(version) FROM videos_mock_schema").fetchone()
            return int(row[0]) if row and row[0] is not None else 0

        return self._run(read)

    # -- the JobStore interface --------------------------------------------------------------

    def add(self, job: Job) -> None:
        prune_at = None if math.isinf(job.prune_at) else job.prune_at
        data = json.dumps(job_to_dict(job))

        attempts = 0

        def insert(connection: psycopg.Connection[Any]) -> bool:
            nonlocal attempts
            attempts += 1
            with connection.transaction():
                # Shared among creates; a page waits for every holder (see the module's text).
                connection.execute("SELECT pg_advisory_xact_lock_shared(%s)", (_ORDER_LOCK,))
                inserted = connection.execute(
                    "INSERT INTO videos_mock_jobs (seq, id, owner, prune_at, data)"
                    " VALUES (nextval('videos_mock_jobs_seq'), %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO NOTHING RETURNING seq",
                    (job.id, job.owner, prune_at, data),
                ).fetchone()
                if inserted is not None:
                    return True
                if attempts == 1:
                    return False
                # Taken on a retry: by this very job when the first attempt committed before
                # its connection broke (then it is stored, once), or by another job.
                row = connection.execute(
                    "SELECT data FROM videos_mock_jobs WHERE id = %s", (job.id,)
                ).fetchone()
                return row is not None and row[0] == data

        if not self._run(insert):
            raise ValueError(f"duplicate job id {job.id}")

    def get(self, owner: str, job_id: str) -> Job | None:
        def read(connection: psycopg.Connection[Any]) -> Job | None:
            row = connection.execute(
                "SELECT data FROM videos_mock_jobs WHERE id = %s AND owner = %s AND NOT deleted",
                (job_id, owner),
            ).fetchone()
            return None if row is None else job_from_dict(json.loads(row[0]))

        return self._run(read)

    def delete(self, owner: str, job_id: str) -> bool:
        def update(connection: psycopg.Connection[Any]) -> bool:
            cursor = connection.execute(
                "UPDATE videos_mock_jobs SET deleted = true"
                " WHERE id = %s AND owner = %s AND NOT deleted",
                (job_id, owner),
            )
            return cursor.rowcount == 1

        return self._run(update)

    def page(
        self, owner: str, *, after: str | None, limit: int, order: Order
    ) -> tuple[list[Job], bool]:
        comparison, direction = (">", "ASC") if order == "asc" else ("<", "DESC")

        def read(connection: psycopg.Connection[Any]) -> list[str]:
            with connection.transaction():
                # Alone: every number drawn so far is committed (or never will be).
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_ORDER_LOCK,))
                return rows(connection)

        def rows(connection: psycopg.Connection[Any]) -> list[str]:
            if after is None:
                query = (
                    "SELECT data FROM videos_mock_jobs WHERE owner = %s AND NOT deleted"
                    f" ORDER BY seq {direction} LIMIT %s"
                )
                return [row[0] for row in connection.execute(query, (owner, limit + 1))]
            # One statement: the cursor's number in a subquery. An empty page is checked for a
            # cursor that names no job (the subquery's NULL matches no row).
            query = (
                "SELECT data FROM videos_mock_jobs WHERE owner = %s AND NOT deleted"
                f" AND seq {comparison} (SELECT seq FROM videos_mock_jobs"
                " WHERE id = %s AND owner = %s)"
                f" ORDER BY seq {direction} LIMIT %s"
            )
            rows = [row[0] for row in connection.execute(query, (owner, after, owner, limit + 1))]
            if not rows:
                known = connection.execute(
                    "SELECT 1 FROM videos_mock_jobs WHERE id = %s AND owner = %s", (after, owner)
                ).fetchone()
                if known is None:
                    raise UnknownCursor(after)
            return rows

        jobs = [job_from_dict(json.loads(data)) for data in self._run(read)]
        return jobs[:limit], len(jobs) > limit

    def prune(self, now: float) -> int:
        def delete(connection: psycopg.Connection[Any]) -> int:
            with connection.transaction():
                row = connection.execute(
                    "SELECT pg_try_advisory_xact_lock(%s)", (_PRUNE_LOCK,)
                ).fetchone()
                if row is None or not row[0]:
                    return 0  # another host is pruning right now
                cursor = connection.execute(
                    "DELETE FROM videos_mock_jobs WHERE prune_at <= %s", (now,)
                )
                return cursor.rowcount

        return self._run(delete)

    def __len__(self) -> int:
        def count(connection: psycopg.Connection[Any]) -> int:
            row = connection.execute(
                "SELECT count(*) FROM videos_mock_jobs WHERE NOT deleted"
            ).fetchone()
            return int(row[0]) if row else 0

        return self._run(count)

    def close(self) -> None:
        """Close every connection of this store."""
        self._pool.close()
