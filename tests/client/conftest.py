"""Fakes for the client helpers' unit tests: a scripted server behind `httpx.MockTransport`,
and `helpers`, which runs a test once with the sync helpers and once with their async twins.

Video bodies start from the spec's own examples, so no field value is retyped here.
"""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import httpx
import pytest
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models import DeletedVideo, Video, VideoList

from videos_contract import client as helpers_module
from videos_contract.client import DownloadResult, RetryPolicy, connect
from videos_contract.spec import load_spec

KEY = "sk-gateway-unittestsecret0123456789"
BASE_URL = "http://videos.test"

Handler = Callable[[httpx.Request], httpx.Response]
VideoFactory = Callable[..., dict[str, Any]]
ClientFactory = Callable[..., AuthenticatedClient]
Flavour = Literal["sync", "async"]
_T = TypeVar("_T")


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


# Sync helper -> its async twin; `test_twins` holds their signatures together.
TWINS = {
    "create": "async_create",
    "retrieve": "async_retrieve",
    "remix": "async_remix",
    "delete": "async_delete",
    "list_page": "async_list_page",
    "iter_videos": "async_iter_videos",
    "wait": "async_wait",
    "download": "async_download",
}


@dataclass(frozen=True)
class Helpers:
    """The client helpers of one flavour, all called as plain functions.

    The async twins run to completion on an event loop of the test's own; `iter_videos`
    returns the list of every video in both flavours, and a `sleep=` given to `wait` is
    awaited by the async twin.
    """

    flavour: Flavour
    create: Callable[..., Video]
    retrieve: Callable[..., Video]
    remix: Callable[..., Video]
    delete: Callable[..., DeletedVideo]
    list_page: Callable[..., VideoList]
    iter_videos: Callable[..., list[Video]]
    wait: Callable[..., Video]
    download: Callable[..., DownloadResult]


def _sync_helpers() -> Helpers:
    def iter_all(*args: Any, **kwargs: Any) -> list[Video]:
        return list(helpers_module.iter_videos(*args, **kwargs))

    return Helpers(
        flavour="sync",
        create=helpers_module.create,
        retrieve=helpers_module.retrieve,
        remix=helpers_module.remix,
        delete=helpers_module.delete,
        list_page=helpers_module.list_page,
        iter_videos=iter_all,
        wait=helpers_module.wait,
        download=helpers_module.download,
    )


def _async_helpers(runner: asyncio.Runner, used: list[AuthenticatedClient]) -> Helpers:
    def blocking(twin: Callable[..., Coroutine[Any, Any, _T]]) -> Callable[..., _T]:
        def call(client: AuthenticatedClient, *args: Any, **kwargs: Any) -> _T:
            used.append(client)
            return runner.run(twin(client, *args, **kwargs))

        return call

    async def collect(client: AuthenticatedClient, **kwargs: Any) -> list[Video]:
        found: AsyncIterator[Video] = helpers_module.async_iter_videos(client, **kwargs)
        return [video async for video in found]

    async def wait(client: AuthenticatedClient, video_id: str, **kwargs: Any) -> Video:
        sleep: Callable[[float], object] | None = kwargs.pop("sleep", None)
        if sleep is not None:

            async def awaited_sleep(seconds: float) -> None:
                result = sleep(seconds)
                if isinstance(result, Awaitable):
                    await result

            kwargs["sleep"] = awaited_sleep
        return await helpers_module.async_wait(client, video_id, **kwargs)

    return Helpers(
        flavour="async",
        create=blocking(helpers_module.async_create),
        retrieve=blocking(helpers_module.async_retrieve),
        remix=blocking(helpers_module.async_remix),
        delete=blocking(helpers_module.async_delete),
        list_page=blocking(helpers_module.async_list_page),
        iter_videos=blocking(collect),
        wait=blocking(wait),
        download=blocking(helpers_module.async_download),
    )


@pytest.fixture(params=["sync", "async"])
def helpers(request: pytest.FixtureRequest) -> Iterator[Helpers]:
    """The sync helpers, then (a second run of the test) their async twins."""
    if request.param == "sync":
        yield _sync_helpers()
        return
    used: list[AuthenticatedClient] = []
    with asyncio.Runner() as runner:
        yield _async_helpers(runner, used)
        for client in {id(client): client for client in used}.values():
            runner.run(client.get_async_httpx_client().aclose())
