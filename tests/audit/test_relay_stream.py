"""The relay streams media answers: chunk by chunk, the key blanked across chunk boundaries,
cut at the media cap with the reason kept for the caller to ask."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from videos_contract.audit.client import AnswerRefused, AuditClient
from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.proxy import (
    OUTCOME_HEADER,
    REFUSED_MARK,
    REQUEST_ID_HEADER,
    AuditRelay,
)
from videos_contract.audit.serving import serve_in_thread
from videos_contract.spec import load_spec

SECRET = "sk-gateway-StreamSecret"
# The key as the relay blanks it: a run of `*` as long as the key.
BLANKED = b"head:" + b"*" * len(SECRET) + b":tail"
CHUNK = b"v" * 1000


class Upstream:
    """Answers video/mp4 in chunks: the key split over two chunks, then `chunks` more."""

    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.headers: list[dict[bytes, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if (await receive())["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            return
        self.headers.append(dict(scope["headers"]))
        start = {"type": "http.response.start", "status": 200}
        await send({**start, "headers": [(b"content-type", b"video/mp4")]})
        half = len(SECRET) // 2
        for part in (b"head:" + SECRET[:half].encode(), SECRET[half:].encode() + b":tail"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        for _ in range(self.chunks):
            await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _relay(upstream_url: str, max_media: int) -> AuditRelay:
    index = OperationIndex(load_spec())
    budget, bucket = CreateBudget(None), TokenBucket(None)
    return AuditRelay(upstream_url, SECRET, index, budget, bucket, max_media=max_media)


def test_media_streams_through_with_the_key_blanked_across_chunks() -> None:
    upstream = Upstream(chunks=50)
    with (
        serve_in_thread(upstream) as upstream_url,
        serve_in_thread(_relay(upstream_url, 1024 * 1024)) as url,
        httpx.stream("GET", url + "/media", headers={REQUEST_ID_HEADER: "r1"}) as response,
    ):
        body = response.read()
    assert body == BLANKED + CHUNK * 50
    assert "content-length" not in response.headers, "streamed, not read whole first"
    assert all(REQUEST_ID_HEADER.encode() not in h for h in upstream.headers), "kept local"


def test_media_past_the_cap_is_cut_and_the_reason_kept() -> None:
    upstream = Upstream(chunks=200)
    with (
        serve_in_thread(upstream) as upstream_url,
        serve_in_thread(_relay(upstream_url, 50_000)) as url,
    ):
        received = 0
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream("GET", url + "/media", headers={REQUEST_ID_HEADER: "r2"}) as response,
        ):
            for chunk in response.iter_raw():
                received += len(chunk)
        assert 0 < received <= 50_000, "passed on as it came, never past the cap"
        outcome = httpx.get(url + "/", headers={OUTCOME_HEADER: "r2"})
        assert outcome.headers[REFUSED_MARK] == "too-large"
        assert "passed 50000 bytes" in outcome.json()["error"]["message"]
        # Through the audit's client: a violation, no temporary file left.
        client = AuditClient(url, "http://server.example")
        try:
            with pytest.raises(AnswerRefused) as refused:
                client.get("/media")
        finally:
            client.close()
    assert refused.value.kind == "too-large" and refused.value.exchange.status == 200


def test_the_client_keeps_size_head_and_digest_and_removes_the_file() -> None:
    upstream = Upstream(chunks=20)
    with (
        serve_in_thread(upstream) as upstream_url,
        serve_in_thread(_relay(upstream_url, 1024 * 1024)) as url,
    ):
        client = AuditClient(url, "http://server.example")
        try:
            with client.get("/media") as reply:
                assert reply.media is not None
                path = reply.media.path
                assert path.read_bytes() == BLANKED + CHUNK * 20
                assert reply.size == len(BLANKED) + 20_000
                assert reply.head.startswith(BLANKED) and len(reply.head) == 4096
        finally:
            client.close()
    assert not path.exists()


def test_serving_leaves_the_logging_configuration_alone() -> None:
    """uvicorn's own logging set-up would bind new handlers to the sys.stderr of the moment (in
    a test, a captured stream that is closed after it, so a later warning fails to print)."""

    def streams() -> list[logging.Handler]:
        names = ("uvicorn", "uvicorn.error", "uvicorn.access")
        found = [h for name in names for h in logging.getLogger(name).handlers]
        return [h for h in found if type(h) is logging.StreamHandler]

    before = streams()
    with serve_in_thread(Upstream(1)) as url:
        assert httpx.get(url, timeout=30).status_code == 200
    assert streams() == before
