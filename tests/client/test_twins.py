"""The client helpers come in sync/async twins named `name` / `async_name`; each twin takes
exactly what its other half takes, and each has that one name."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import videos_contract.client as client
from tests.client.conftest import TWINS

# Names the async twins were once also published under: gone, one name per function.
RETIRED = ("acreate", "aretrieve", "aremix", "adelete", "alist_page", "aiter_videos")


def _as_sync(annotation: str) -> str:
    """An async twin's annotation as its sync half would write it."""
    return annotation.replace("AsyncIterator[", "Iterator[").replace("Awaitable[None]", "None")


def _default(value: Any) -> Any:
    # `time.sleep` and `asyncio.sleep` are the same default for the two kinds of caller.
    return value.__name__ if callable(value) else value


def _parameters(function: Callable[..., Any]) -> list[tuple[str, Any, Any, str]]:
    return [
        (p.name, p.kind, _default(p.default), _as_sync(str(p.annotation)))
        for p in inspect.signature(function).parameters.values()
    ]


@pytest.mark.parametrize(("sync", "asynchronous"), list(TWINS.items()))
def test_twins_take_the_same_parameters(sync: str, asynchronous: str) -> None:
    sync_function = getattr(client, sync)
    async_function = getattr(client, asynchronous)
    assert {sync, asynchronous} <= set(client.__all__)
    assert asynchronous == f"async_{sync}"
    assert inspect.iscoroutinefunction(async_function) or inspect.isasyncgenfunction(async_function)
    assert not inspect.iscoroutinefunction(sync_function)
    assert _parameters(async_function) == _parameters(sync_function)
    returns = inspect.signature(async_function).return_annotation
    assert _as_sync(str(returns)) == str(inspect.signature(sync_function).return_annotation)


def test_every_async_helper_has_its_twin() -> None:
    public = {name: getattr(client, name) for name in client.__all__}
    asynchronous = {
        name
        for name, member in public.items()
        if inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member)
    }
    assert asynchronous == set(TWINS.values())


@pytest.mark.parametrize("old", RETIRED)
def test_the_short_names_are_gone(old: str) -> None:
    assert old not in client.__all__
    assert not hasattr(client, old)


def test_the_parity_check_sees_a_difference() -> None:
    def one(client: Any, video_id: str, *, timeout: float = 1.0) -> None: ...

    async def other(client: Any, video_id: str, *, timeout: float = 2.0) -> None: ...

    assert _parameters(one) != _parameters(other)
