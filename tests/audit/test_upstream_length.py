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
    """Declares its length on /declared; streams in chunks without one elsewhere."""
    if scope["type"] != "http":
        if (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        return
    headers = [(b"content-type", b"application/octet-stream")]
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
    assert declared.headers[UPSTREAM_LENGTH_HEADER] == str(len(BODY))
    assert declared.headers["content-length"] == str(len(BODY))
    # The relay always sends a length of its own; the server's absence is still visible.
    assert streamed.headers["content-length"] == str(len(BODY))
    assert UPSTREAM_LENGTH_HEADER not in streamed.headers
