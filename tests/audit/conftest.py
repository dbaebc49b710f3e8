"""Helpers of the audit tests: run an audit of a mock and read what it wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from videos_contract.mock import MockConfig, MockServer, running_mock
from videos_contract.mock.store import Job

RENDER_SECONDS = 0.2

CountedMock = Callable[..., AbstractContextManager[tuple[MockServer, list[str]]]]


@pytest.fixture
def counted_mock() -> CountedMock:
    """`with counted_mock(**config) as (server, created)`: `created` lists every job added."""

    @contextmanager
    def start(**config: Any) -> Iterator[tuple[MockServer, list[str]]]:
        config.setdefault("render_seconds", RENDER_SECONDS)
        with running_mock(MockConfig(**config)) as server:
            created: list[str] = []
            store = server.store
            original = store.add

            def add(job: Job) -> None:
                created.append(job.id)
                original(job)

            store.add = add  # type: ignore[method-assign]
            yield server, created

    return start
