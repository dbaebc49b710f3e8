"""Fakes for the client helpers' unit tests: a scripted server behind `httpx.MockTransport`.

Video bodies start from the spec's own examples, so no field value is retyped here.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from aihubmix_videos import AuthenticatedClient

from videos_contract.client import RetryPolicy, connect
from videos_contract.spec import load_spec

KEY = "sk-gateway-unittestsecret0123456789"
BASE_URL = "http://videos.test"

Handler = Callable[[httpx.Request], httpx.Response]
VideoFactory = Callable[..., dict[str, Any]]
ClientFactory = Callable[..., AuthenticatedClient]


def _example(name: str) -> dict[str, Any]:
    value: dict[str, Any] = load_spec().raw["components"]["examples"][name]["value"]
    return copy.deepcopy(value)


@pytest.fixture
def make_video() -> VideoFactory:
    """A valid Video body (the spec's QueuedVideo example) with fields overridden."""

    def build(**overrides: Any) -> dict[str, Any]:
        body = _example("QueuedVideo")
        body.update(overrides)
        return body

    return build


@pytest.fixture
def completed_example() -> dict[str, Any]:
    return _example("CompletedVideo")


@pytest.fixture
def failed_example() -> dict[str, Any]:
    return _example("FailedVideo")


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the retry policy asked for, instead of sleeping."""
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[ClientFactory]:
    """A client whose network is `handler` and whose retry pauses are recorded, not slept."""
    made: list[AuthenticatedClient] = []

    def build(handler: Handler, **policy: Any) -> AuthenticatedClient:
        async def no_sleep(delay: float) -> None:
            sleeps.append(delay)

        transport = httpx.MockTransport(handler)
        retry = RetryPolicy(
            sleep=sleeps.append, async_sleep=no_sleep, rng=random.Random(0), **policy
        )
        client = connect(
            BASE_URL, KEY, policy=retry, transport=transport, async_transport=transport
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.get_httpx_client().close()


@pytest.fixture
def key() -> str:
    return KEY
