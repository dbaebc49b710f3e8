"""The relay passes on the server's own Content-Length, so the audit judges the server's."""

from __future__ import annotations

import httpx
from starlette.types import Receive, Scope, Send

from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.proxy import UPSTREAM_LENGTH_HEADER, AuditRelay
from videos_contract.audit.serving import serve_in_thread
from videos_contract.spec import load_spec

BODY = b"x" * 1000


async def upstream(scope: Scope, receive: Receive, send: Send) -> None:
    """Declares its length on /declared; streams in chunks without one elsewhere; media
    (octet-stream) except on /json."""
    if scope["type"] != "http":
        if (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        return
    ctype = b"application/json" if scope["path"] == "/json" else b"application/octet-stream"
    headers = [(b"content-type", ctype)]
    if scope["path"] == "/declared":
        headers.append((b"content-length", str(len(BODY)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY[:500], "more_body": True})
    await send({"type": "http.response.body", "body": BODY[500:]})


def test_the_servers_own_length_reaches_the_checks_and_its_absence_shows() -> None:
    with serve_in_thread(upstream) as upstream_url:
        relay = AuditRelay(
            upstream_url, "k", OperationIndex(load_spec()), CreateBudget(None), TokenBucket(None)
        )
        with serve_in_thread(relay) as url:
            declared = httpx.get(url + "/declared")
            streamed = httpx.get(url + "/streamed")
            read = httpx.get(url + "/json")
    # Media streams through without a length of the relay's; the server's own is in the mark.
    assert declared.headers[UPSTREAM_LENGTH_HEADER] == str(len(BODY))
    assert declared.content == BODY and streamed.content == BODY
    assert UPSTREAM_LENGTH_HEADER not in streamed.headers
    # A JSON answer is read whole and sent with a length of the relay's; the server's
    # absence is still visible.
    assert read.headers["content-length"] == str(len(BODY))
    assert UPSTREAM_LENGTH_HEADER not in read.headers
