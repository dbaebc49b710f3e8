"""Fixtures of the hardening tests (the helpers are in `tests.support.hardening`)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.support.hardening import CliMock


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
