"""Helpers of the audit tests: run an audit of a mock and read what it wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from videos_contract.mock import MockConfig, MockServer, running_mock

RENDER_SECONDS = 0.2


@pytest.fixture
def counted_mock() -> Callable[..., Iterator[tuple[MockServer, list[str]]]]:
    """`with counted_mock(**config) as (server, created)`: `created` lists every job added."""
    from contextlib import contextmanager

    @contextmanager
    def start(**config: Any) -> Iterator[tuple[MockServer, list[str]]]:
        config.setdefault("render_seconds", RENDER_SECONDS)
        with running_mock(MockConfig(**config)) as server:
            created: list[str] = []
            store = server.store
            original = store.add

            def add(job: Any) -> None:
                created.append(job.id)
                original(job)

            store.add = add  # type: ignore[method-assign]
            yield server, created

    return start
