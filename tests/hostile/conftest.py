"""Fixtures of the hostile-server tests: the mock behind the hostile server, and a record of
what each case measured (written out when `HOSTILE_MEASUREMENTS` names a file)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from videos_contract.mock import MockConfig, MockServer, running_mock

_MEASURED: list[dict[str, Any]] = []


@pytest.fixture
def mock() -> Iterator[MockServer]:
    """A mock whose jobs finish fast, behind each hostile server."""
    with running_mock(MockConfig(render_seconds=0.2, seed=0)) as server:
        yield server


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Callable[..., None]:
    """`record(target=..., outcome=..., seconds=..., rss_mib=...)` for docs/reliability.md."""

    def add(**fields: Any) -> None:
        _MEASURED.append({"case": request.node.name, **fields})

    return add


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("HOSTILE_MEASUREMENTS")
    if path and _MEASURED:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_MEASURED, out, indent=1)
