"""A `JobStore` in a SQLite file, shared safely by several processes and kept across restarts.

Every write is committed (WAL journal, `synchronous=FULL`) before the handler answers, so a job
whose create was answered 200 survives a `kill -9` of the server. Rows carry an
auto-increment sequence number that gives the creation order across processes; deleted jobs
keep their row (flagged) so that a page cursor naming them stays valid until the job is
pruned. Each thread has its own connection; `busy_timeout` makes concurrent writers wait for
each other instead of failing.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from pathlib import Path

from videos_contract.mock.store import Job, Order, UnknownCursor, job_from_dict, job_to_dict

__all__ = ["BUSY_TIMEOUT_MS", "SqliteJobStore"]

# How long a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    prune_at REAL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_owner_seq ON jobs (owner, seq);
CREATE INDEX IF NOT EXISTS jobs_prune_at ON jobs (prune_at);
"""


class SqliteJobStore:
    """Jobs in a SQLite database at `path` (created when missing)."""

    blocking = True  # commits wait for the disk and for other workers' locks

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        connection = self._connection()
        # Creating the schema twice at once (two workers starting) is safe: IF NOT EXISTS
        # inside one immediate transaction.
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def add(self, job: Job) -> None:
        prune_at = None if math.isinf(job.prune_at) else job.prune_at
        try:
            self._connection().execute(
                "INSERT INTO jobs (id, owner, prune_at, data) VALUES (?, ?, ?, ?)",
                (job.id, job.owner, prune_at, json.dumps(job_to_dict(job))),
            )
        except sqlite3.IntegrityError:
            raise ValueError(f"duplicate job id {job.id}") from None

    def get(self, owner: str, job_id: str) -> Job | None:
        row = (
            self._connection()
            .execute(
                "SELECT data FROM jobs WHERE id = ? AND owner = ? AND deleted = 0",
                (job_id, owner),
            )
            .fetchone()
        )
        return None if row is None else job_from_dict(json.loads(row[0]))

    def delete(self, owner: str, job_id: str) -> bool:
        cursor = self._connection().execute(
            "UPDATE jobs SET deleted = 1 WHERE id = ? AND owner = ? AND deleted = 0",
            (job_id, owner),
        )
        return cursor.rowcount == 1

    def page(
        self, owner: str, *, after: str | None, limit: int, order: Order
    ) -> tuple[list[Job], bool]:
        connection = self._connection()
        # One read transaction, so the cursor and the page come from the same snapshot.
        connection.execute("BEGIN")
        try:
            cursor: int | None = None
            if after is not None:
                row = connection.execute(
                    "SELECT seq FROM jobs WHERE id = ? AND owner = ?", (after, owner)
                ).fetchone()
                if row is None:
                    raise UnknownCursor(after)
                cursor = int(row[0])
            comparison, direction = (">", "ASC") if order == "asc" else ("<", "DESC")
            where = "owner = ? AND deleted = 0"
            args: list[object] = [owner]
            if cursor is not None:
                where += f" AND seq {comparison} ?"
                args.append(cursor)
            rows = connection.execute(
                f"SELECT data FROM jobs WHERE {where} ORDER BY seq {direction} LIMIT ?",
                (*args, limit + 1),
            ).fetchall()
        finally:
            connection.execute("COMMIT")
        jobs = [job_from_dict(json.loads(row[0])) for row in rows]
        return jobs[:limit], len(jobs) > limit

    def prune(self, now: float) -> int:
        cursor = self._connection().execute(
            "DELETE FROM jobs WHERE prune_at IS NOT NULL AND prune_at <= ?", (now,)
        )
        return cursor.rowcount

    def __len__(self) -> int:
        row = self._connection().execute("SELECT COUNT(*) FROM jobs WHERE deleted = 0").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.close()
            except sqlite3.ProgrammingError:
                pass  # opened in a thread that is gone
        self._local = threading.local()
