"""Fixtures of the hardening tests (the helpers are in `tests.support.hardening`)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.support.hardening import CliMock
from tests.support.postgres import LocalPostgres, Unavailable, local_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """The machine's PostgreSQL server with a role and a database for this run (dropped
    after); the tests that use it are skipped, with the reason, where none can be had."""
    try:
        server = local_postgres()
        running = server.__enter__()
    except Unavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield running
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def cli_mocks() -> Iterator[list[CliMock]]:
    """Started mocks are killed at the end of the test, whatever happened."""
    started: list[CliMock] = []
    yield started
    for mock in started:
        try:
            os.killpg(mock.process.pid, signal.SIGKILL)  # workers too, if any are left
        except ProcessLookupError:
            pass
        mock.process.wait(timeout=30)
        mock.close()
