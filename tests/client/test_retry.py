"""The retry policy: idempotent requests retried, billed requests never re-sent once sent."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from aihubmix_videos.models.video_model import check_video_model

from tests.client.conftest import ClientFactory, Helpers, VideoFactory
from videos_contract.client import (
    ApiError,
    ConfigError,
    OutcomeUnknownError,
    RetryPolicy,
    async_create,
    connect,
)
from videos_contract.client.connection import normalise_base_url
from videos_contract.client.errors import redact
from videos_contract.credentials import MASK
from videos_contract.families import families

MODEL = check_video_model(families().default_family.models[0])
# The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::videos_contract.client.lifecycle.RetiredModelWarning"
)


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error": {"message": f"{code} happened", "type": "server_error", "code": code}}
    return httpx.Response(status, json=body, headers=headers)


class Script:
    """Answers requests in order from a list of responses or exceptions, and counts them."""

    def __init__(self, *steps: httpx.Response | Exception) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_get_is_retried_on_retryable_status(
    helpers: Helpers,
    status: int,
    make_client: ClientFactory,
    make_video: VideoFactory,
    sleeps: list[float],
) -> None:
    video = make_video()
    script = Script(_error(status, "busy"), _error(status, "busy"), httpx.Response(200, json=video))
    client = make_client(script)
    assert helpers.retrieve(client, video["id"]).id == video["id"]
    assert len(script.requests) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.ReadTimeout("slow")]
)
def test_get_is_retried_on_transport_errors(
    helpers: Helpers, exc: Exception, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    video = make_video()
    script = Script(exc, httpx.Response(200, json=video))
    assert helpers.retrieve(make_client(script), video["id"]).id == video["id"]
    assert len(script.requests) == 2


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A JSON body cut off after its first bytes (read by the sync or the async client)."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"id": "vid'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def test_get_is_retried_when_the_body_breaks(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    video = make_video()
    broken = httpx.Response(200, headers={"Content-Length": "500"}, stream=BrokenBody())
    script = Script(broken, httpx.Response(200, json=video))
    assert helpers.retrieve(make_client(script), video["id"]).id == video["id"]
    assert len(script.requests) == 2


def test_delete_is_retried(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    video_id = make_video()["id"]
    deleted = {"id": video_id, "object": "video.deleted", "deleted": True}
    script = Script(_error(503, "down"), httpx.Response(200, json=deleted))
    assert helpers.delete(make_client(script), video_id).deleted is True
    assert [r.method for r in script.requests] == ["DELETE", "DELETE"]


def test_retry_after_is_honoured(
    helpers: Helpers, make_client: ClientFactory, make_video: VideoFactory, sleeps: list[float]
) -> None:
    video = make_video()
    script = Script(
        _error(429, "rate_limited", {"Retry-After": "3"}), httpx.Response(200, json=video)
    )
    helpers.retrieve(make_client(script), video["id"])
    assert sleeps == [3.0]


def test_long_retry_after_goes_to_the_caller(
    helpers: Helpers, make_client: ClientFactory, sleeps: list[float]
) -> None:
    script = Script(_error(429, "rate_limited", {"Retry-After": "3600"}))
    with pytest.raises(ApiError) as caught:
        helpers.retrieve(make_client(script), "video_x")
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 3600
    assert sleeps == []
    assert len(script.requests) == 1


def test_gives_up_after_max_retries(
    helpers: Helpers, make_client: ClientFactory, sleeps: list[float]
) -> None:
    script = Script(_error(503, "down"))
    with pytest.raises(ApiError) as caught:
        helpers.retrieve(make_client(script, max_retries=3), "video_x")
    assert caught.value.code == "down"
    assert len(script.requests) == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize("status", [429, 500, 503])
def test_create_is_not_retried_after_an_answer(
    helpers: Helpers, status: int, make_client: ClientFactory
) -> None:
    script = Script(_error(status, "busy"))
    with pytest.raises(ApiError) as caught:
        helpers.create(make_client(script), model=MODEL, prompt="a red fox")
    assert caught.value.status_code == status
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadError("reset after sending"),
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.WriteError("broken pipe"),
    ],
)
def test_create_is_not_resent_once_it_may_have_arrived(
    helpers: Helpers, exc: Exception, make_client: ClientFactory
) -> None:
    script = Script(exc)
    with pytest.raises(OutcomeUnknownError, match="may exist") as caught:
        helpers.create(make_client(script), model=MODEL, prompt="a red fox")
    assert caught.value.cause is exc
    assert len(script.requests) == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("no route")])
def test_create_is_retried_when_nothing_was_sent(
    helpers: Helpers, exc: Exception, make_client: ClientFactory, make_video: VideoFactory
) -> None:
    video = make_video()
    script = Script(exc, httpx.Response(200, json=video))
    assert helpers.create(make_client(script), model=MODEL, prompt="a red fox").id == video["id"]
    assert len(script.requests) == 2


def test_async_create_is_not_retried_but_async_get_is(
    make_client: ClientFactory, make_video: VideoFactory
) -> None:
    video = make_video()
    script = Script(_error(503, "down"), httpx.Response(200, json=video))
    client = make_client(script)

    async def scenario() -> None:
        with pytest.raises(ApiError):
            await async_create(client, "a red fox", model=MODEL)
        assert len(script.requests) == 1
        from videos_contract.client import async_retrieve

        assert (await async_retrieve(client, video["id"])).id == video["id"]
        await client.get_async_httpx_client().aclose()

    asyncio.run(scenario())
    assert [r.method for r in script.requests] == ["POST", "GET"]


def test_backoff_is_capped_exponential_with_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0, jitter=0.5, rng=random.Random(7))
    for attempt in range(12):
        ceiling = min(8.0, 0.5 * 2**attempt)
        delays = {policy.backoff(attempt) for _ in range(20)}
        assert all(ceiling * 0.5 <= d <= ceiling for d in delays)
        assert len(delays) > 1, "jitter must vary the delay"


def test_connect_reads_the_environment(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("VIDEOS_API_URL", "http://example.test/v1/")
    monkeypatch.setenv("VIDEOS_API_KEY", key)
    client = connect()
    assert client.token == key
    assert str(client.get_httpx_client().base_url) == "http://example.test"


def test_connect_without_url_or_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIDEOS_API_URL", raising=False)
    monkeypatch.delenv("VIDEOS_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="VIDEOS_API_URL"):
        connect()
    with pytest.raises(ConfigError, match="VIDEOS_API_KEY"):
        connect("http://example.test")


def test_bad_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="not an http"):
        normalise_base_url("ftp://example.test")


def test_sent_key_never_appears_in_errors(
    helpers: Helpers, make_client: ClientFactory, key: str
) -> None:
    """A server that echoes the key back gets it masked before it reaches any message."""

    def echo(request: httpx.Request) -> httpx.Response:
        sent = request.headers["authorization"].removeprefix("Bearer ")
        return httpx.Response(
            401,
            json={
                "error": {"message": f"key {sent} is not accepted", "type": "auth", "code": None}
            },
        )

    with pytest.raises(ApiError) as caught:
        helpers.retrieve(make_client(echo), "video_x")
    assert key not in str(caught.value)
    assert MASK in str(caught.value)


def test_redact_without_a_key_leaves_the_text() -> None:
    assert redact("no key here", None) == "no key here"


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"http://127.0.0.1:{_closed_port()}", id="connection refused"),
        pytest.param("http://no-such-host.invalid", id="unknown host"),
    ],
)
def test_a_hopeless_connection_fails_at_once_for_every_method(url: str) -> None:
    """Nothing listens there, or the name does not exist: no retry mends that, so neither a
    read nor a create is tried again (a real socket, a real resolver)."""
    from videos_contract.client import create, list_page, retrieve

    retried: list[str] = []
    policy = RetryPolicy(
        sleep=lambda delay: retried.append(f"slept {delay}"),
        on_retry=lambda request, attempt, reason, delay: retried.append(reason),
    )
    with connect(url, "sk-test", policy=policy) as client:
        with pytest.raises(httpx.ConnectError):
            list_page(client)
        with pytest.raises(httpx.ConnectError):
            retrieve(client, "video_123")
        with pytest.raises(httpx.ConnectError):
            create(client, model=MODEL, prompt="a red fox")
    assert retried == []


def test_a_connect_error_that_may_pass_is_still_retried() -> None:
    """A timed-out connect, a temporary resolver failure: these may pass, and are retried."""
    import socket

    from videos_contract.client.retry import hopeless

    assert not hopeless(httpx.ConnectTimeout("no route"))
    temporary = httpx.ConnectError("try again")
    temporary.__cause__ = socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
    assert not hopeless(temporary)
    refused = httpx.ConnectError("refused")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert hopeless(refused)
    assert RetryPolicy().delay_for_error(httpx.Request("GET", "http://x"), temporary, 0)
    assert RetryPolicy().delay_for_error(httpx.Request("GET", "http://x"), refused, 0) is None
