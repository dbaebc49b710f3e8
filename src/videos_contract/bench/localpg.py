"""The machine's PostgreSQL server, for the benchmark of the shared job store and its tests.

`local_postgres()` starts the local cluster when it is down (Debian's `pg_ctlcluster`, as
root), creates a role with a password and a database for this run, and drops both after.
Where no server can be had it raises `Unavailable` with one line saying why: the benchmark
becomes a "not measured" row, the tests are skipped with that line.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = ["LocalPostgres", "Unavailable", "local_postgres"]

_CONFIG_DIR = Path("/etc/postgresql")
_COMMAND_TIMEOUT = 60


class Unavailable(Exception):
    """No PostgreSQL server can be used here; the message says why, in one line."""


@dataclass(frozen=True)
class LocalPostgres:
    """The local cluster, and a database with its own role for this test run."""

    version: str
    cluster: str
    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"

    def stop(self) -> None:
        """Stop the server (fast: open connections are cut)."""
        _ctl(self.version, self.cluster, "stop", "-m", "fast")

    def start(self) -> None:
        _ctl(self.version, self.cluster, "start")

    def reset(self) -> None:
        """Empty the job store's tables (a test that needs a store of its own)."""
        with psycopg.connect(self.url, autocommit=True) as connection:
            exists = connection.execute("SELECT to_regclass('videos_mock_jobs')").fetchone()
            if exists and exists[0] is not None:
                connection.execute("TRUNCATE videos_mock_jobs")
                connection.execute("ALTER SEQUENCE videos_mock_jobs_seq RESTART")


def _ctl(version: str, cluster: str, action: str, *options: str) -> None:
    done = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action, *options],
        capture_output=True,
        text=True,
        timeout=_COMMAND_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise Unavailable(f"pg_ctlcluster {action} failed: {message[-1] if message else '?'}")


def _running(version: str, cluster: str) -> bool:
    done = subprocess.run(
        ["pg_ctlcluster", version, cluster, "status"],
        capture_output=True,
        timeout=_COMMAND_TIMEOUT,
        check=False,
    )
    return done.returncode == 0


def _psql(sql: str) -> None:
    done = subprocess.run(
        ["su", "postgres", "-c", "psql -v ON_ERROR_STOP=1 -q -f -"],
        input=sql,
        capture_output=True,
        text=True,
        timeout=_COMMAND_TIMEOUT,
        check=False,
        cwd="/",
    )
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise Unavailable(f"psql as postgres failed: {message[-1] if message else '?'}")


def _port(version: str, cluster: str) -> int:
    config = _CONFIG_DIR / version / cluster / "postgresql.conf"
    for line in config.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "port":
            return int(value.split("#")[0].strip())
    return 5432


@contextmanager
def local_postgres() -> Iterator[LocalPostgres]:
    """The local server, running, with a role and a database made for this run."""
    if shutil.which("pg_ctlcluster") is None or not _CONFIG_DIR.is_dir():
        raise Unavailable("no PostgreSQL server installed (pg_ctlcluster, /etc/postgresql)")
    if os.geteuid() != 0:
        raise Unavailable("starting PostgreSQL and creating a role needs root")
    versions = sorted(path.name for path in _CONFIG_DIR.iterdir() if (path / "main").is_dir())
    if not versions:
        raise Unavailable("no PostgreSQL cluster named main in /etc/postgresql")
    version, cluster = versions[-1], "main"
    if not _running(version, cluster):
        _ctl(version, cluster, "start")
    suffix = secrets.token_hex(4)
    server = LocalPostgres(
        version=version,
        cluster=cluster,
        host="127.0.0.1",
        port=_port(version, cluster),
        user=f"videos_test_{suffix}",
        password=secrets.token_hex(16),
        database=f"videos_test_{suffix}",
    )
    _psql(
        f"CREATE ROLE {server.user} LOGIN PASSWORD '{server.password}';\n"
        f"CREATE DATABASE {server.database} OWNER {server.user};\n"
    )
    try:
        yield server
    finally:
        if not _running(version, cluster):
            _ctl(version, cluster, "start")
        _psql(
            f"DROP DATABASE IF EXISTS {server.database} WITH (FORCE);\n"
            f"DROP ROLE IF EXISTS {server.user};\n"
        )
