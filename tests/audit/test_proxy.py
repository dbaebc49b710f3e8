"""The relay: swaps the placeholder for the key, blanks echoes, waits out 429, guards the budget."""

from __future__ import annotations

import asyncio
import json

import httpx
from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.proxy import BUDGET_MARK, PLACEHOLDER_KEY, AuditRelay
from videos_contract.audit.serving import serve_in_thread
from videos_contract.families import families
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SECRET = "sk-gateway-RelaySecret"


class Upstream:
    """Echoes the Authorization header; answers 429 to the first `throttled` requests."""

    def __init__(self, throttled: int = 0, retry_after: bytes = b"0") -> None:
        self.throttled = throttled
        self.retry_after = retry_after
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            return
        headers = dict(scope["headers"])
        self.seen.append((scope["method"], scope["path"]))
        status = 200
        extra: list[tuple[bytes, bytes]] = []
        if self.throttled:
            self.throttled -= 1
            status, extra = 429, [(b"retry-after", self.retry_after)]
        body = json.dumps({"auth": headers.get(b"authorization", b"").decode()}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _relay(upstream_url: str, cap: int | None) -> AuditRelay:
    return AuditRelay(
        upstream_url, SECRET, OperationIndex(load_spec()), CreateBudget(cap), TokenBucket(None)
    )


def test_placeholder_becomes_the_key_and_echoes_are_blanked() -> None:
    upstream = Upstream()
    with (
        serve_in_thread(upstream) as upstream_url,
        serve_in_thread(_relay(upstream_url, None)) as url,
    ):
        response = httpx.get(
            f"{url}/v1/videos", headers={"Authorization": f"Bearer {PLACEHOLDER_KEY}"}
        )
        other = httpx.get(f"{url}/v1/videos", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 200
    assert SECRET not in response.text and response.json() == {
        "auth": "Bearer " + "*" * len(SECRET)
    }
    assert other.json() == {"auth": "Bearer wrong"}, "only the placeholder is swapped"


def test_rate_limited_answers_are_waited_out() -> None:
    upstream = Upstream(throttled=2)
    relay = _relay("", None)
    with serve_in_thread(upstream) as upstream_url:
        relay = _relay(upstream_url, None)
        with serve_in_thread(relay) as url:
            response = httpx.get(f"{url}/v1/videos")
    assert response.status_code == 200
    assert relay.stats.rate_limited_waits == 2 and len(upstream.seen) == 3


def test_an_unusable_retry_after_is_waited_out_by_the_default() -> None:
    # `Retry-After: nan` once made the relay answer 500 (and hang on asyncio's own loop).
    upstream = Upstream(throttled=1, retry_after=b"nan")
    with serve_in_thread(upstream) as upstream_url:
        relay = _relay(upstream_url, None)
        with serve_in_thread(relay) as url:
            response = httpx.get(f"{url}/v1/videos", timeout=30)
    assert response.status_code == 200
    assert relay.stats.rate_limited_waits == 1 and len(upstream.seen) == 2


def test_spent_budget_answers_locally_and_marks_it() -> None:
    upstream = Upstream()
    with serve_in_thread(upstream) as upstream_url:
        relay = _relay(upstream_url, 0)
        with serve_in_thread(relay) as url:
            billed = httpx.post(f"{url}/v1/videos", json={"model": MODEL, "prompt": "x"})
            free = httpx.get(f"{url}/v1/videos")
    assert billed.status_code == 429 and billed.headers[BUDGET_MARK] == "max-creates"
    assert free.status_code == 200
    assert upstream.seen == [("GET", "/v1/videos")], "the billed request never left"
    assert relay.budget.skipped == 1 and relay.budget.sent == 0


def test_the_budget_is_settled_before_the_caller_sees_the_answer() -> None:
    """A caller that sends its next create the moment it has read this answer must find the
    budget current: the slot is settled before the relay starts answering, not after."""
    upstream = Upstream()
    seen_at_start: list[tuple[int, int]] = []

    async def drive(relay: AuditRelay) -> None:
        lifespan_in: asyncio.Queue[Message] = asyncio.Queue()
        lifespan_out: asyncio.Queue[Message] = asyncio.Queue()

        async def lifespan_send(message: Message) -> None:
            await lifespan_out.put(message)

        lifespan = asyncio.create_task(relay({"type": "lifespan"}, lifespan_in.get, lifespan_send))
        await lifespan_in.put({"type": "lifespan.startup"})
        assert (await lifespan_out.get())["type"] == "lifespan.startup.complete"
        scope: Scope = {
            "type": "http", "method": "POST", "path": "/v1/videos", "raw_path": b"/v1/videos",
            "query_string": b"", "headers": [(b"content-type", b"application/json")],
        }  # fmt: skip
        request = [{"type": "http.request", "body": b'{"prompt": "x"}', "more_body": False}]

        async def receive() -> Message:
            return request.pop()

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen_at_start.append((relay.budget.accepted, relay.budget.sent))

        await relay(scope, receive, send)
        await lifespan_in.put({"type": "lifespan.shutdown"})
        await lifespan

    with serve_in_thread(upstream) as upstream_url:
        asyncio.run(drive(_relay(upstream_url, 1)))
    assert seen_at_start == [(1, 1)], "accepted was still 0 when the answer began"


def test_a_second_answer_to_one_request_reaches_no_other_request() -> None:
    """Catches a relay whose client to the server reuses a connection with bytes left after an
    answer (httpx's pool did: the stray answer became the next request's)."""
    from tests.support.rawhttp import Arrived, RawUpstream, Reply, head

    def answer(target: str) -> bytes:
        body = json.dumps({"target": target}).encode()
        fields = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return head(200, fields) + body

    def twice(arrived: Arrived) -> Reply:
        return Reply([answer(arrived.target) + answer("/stray")])

    with RawUpstream(twice) as upstream, serve_in_thread(_relay(upstream.url, None)) as url:
        with httpx.Client() as client:
            targets = [client.get(f"{url}/v1/videos/video_{n}").json()["target"] for n in range(3)]
    assert targets == [f"/v1/videos/video_{n}" for n in range(3)]
    assert upstream.accepted == 3  # no connection that sent two answers carried another
