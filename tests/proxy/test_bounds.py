"""What the proxy forwards, what it keeps, and how it answers when the upstream does not.

An upstream of our own (a small Starlette app on loopback) shows exactly what arrived: the
client's key unchanged, no hop-by-hop header, one request per request the client sent. An
upstream that cannot be reached, holds its answer or sends too much gets the client an
OpenAI-style 502/504 and a reported violation; the key appears in no line and no report.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.proxy.conftest import ProxyFactory, files_holding
from videos_contract.audit.serving import serve_in_thread
from videos_contract.families import families
from videos_contract.proxy import PROXY_ERROR_HEADER
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

KEY = f"sk-proxy-test-{secrets.token_hex(8)}"


class Upstream:
    """Records every request; answers as `mode` says."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.mode = "echo"

    async def endpoint(self, request: Request) -> Response:
        self.seen.append((f"{request.method} {request.url.path}", dict(request.headers)))
        if self.mode == "body":
            data = await request.body()
            return JSONResponse(
                {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                headers={"x-sent-length": request.headers.get("content-length", "")},
            )
        if self.mode == "too-large":
            return Response(b"[" + b"0," * 4096 + b"0]", media_type="application/json")
        if self.mode == "server-error":
            return JSONResponse(
                {"error": {"message": "boom", "type": "server_error", "param": None, "code": None}},
                status_code=500,
            )
        # A server that quotes the caller's key back (a schema violation, too).
        return JSONResponse({"echo": request.headers.get("authorization", "")})

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/{path:path}", self.endpoint, methods=["GET", "POST", "DELETE"])]
        )


@pytest.fixture
def upstream() -> Iterator[tuple[Upstream, str]]:
    server = Upstream()
    with serve_in_thread(server.app()) as url:
        yield server, url


@pytest.fixture
def silent_upstream() -> Iterator[str]:
    """Accepts connections and never answers (held until the test ends)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def hold() -> None:
        sock.settimeout(0.2)
        while not done.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        done.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        sock.close()


def _error_body(reply: httpx.Response) -> dict[str, object]:
    body: dict[str, object] = reply.json()
    schema = load_spec().schema("ErrorResponse")
    assert list(Draft202012Validator(schema).iter_errors(body)) == []
    return body


def test_key_and_headers_go_upstream_as_sent(
    upstream: tuple[Upstream, str], proxy_for: ProxyFactory, tmp_path: Path
) -> None:
    server, url = upstream
    proxied = proxy_for(url)
    headers = {
        "Authorization": f"Bearer {KEY}",
        "Connection": "keep-alive, x-hop",
        "X-Hop": "dropped",
        "Proxy-Authorization": "Basic dXNlcjpwYXNz",
        "X-Kept": "kept",
    }
    reply = httpx.get(f"{proxied.url}/v1/videos/video_1", headers=headers)
    assert reply.json() == {"echo": f"Bearer {KEY}"}
    ((what, received),) = server.seen  # one request upstream for one request sent
    assert what == "GET /v1/videos/video_1"
    assert received["authorization"] == f"Bearer {KEY}"
    assert received["x-kept"] == "kept"
    assert "x-hop" not in received and "proxy-authorization" not in received
    assert received["accept-encoding"] == "identity"

    proxied.proxy.run.finish()
    assert ("retrieveVideo", "response_body_matches_schema") in proxied.checks()
    assert proxied.lines and all(KEY not in line for line in proxied.lines)
    assert files_holding(KEY, proxied.report_dir) == []
    summary = (proxied.report_dir / "summary.json").read_text(encoding="utf-8")
    assert "***" in summary and "$VIDEOS_API_KEY" in summary


def test_no_retry_of_a_server_error(
    upstream: tuple[Upstream, str], proxy_for: ProxyFactory
) -> None:
    server, url = upstream
    server.mode = "server-error"
    proxied = proxy_for(url)
    reply = httpx.post(
        f"{proxied.url}/v1/videos",
        files={"model": (None, MODEL), "prompt": (None, "a fox")},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert reply.status_code == 500
    assert len(server.seen) == 1
    proxied.proxy.run.finish()
    assert ("createVideo", "not_a_server_error") in proxied.checks()


def test_too_large_answer_is_refused(
    upstream: tuple[Upstream, str], proxy_for: ProxyFactory
) -> None:
    server, url = upstream
    server.mode = "too-large"
    proxied = proxy_for(url, max_body=1024)
    reply = httpx.get(f"{proxied.url}/v1/videos", headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 502
    assert reply.headers[PROXY_ERROR_HEADER] == "too-large"
    _error_body(reply)
    proxied.proxy.run.finish()
    assert ("listVideos", "upstream_answers") in proxied.checks()


def test_unreachable_upstream_is_a_502(proxy_for: ProxyFactory) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        proxied = proxy_for(f"http://127.0.0.1:{port}")
        reply = httpx.get(f"{proxied.url}/v1/videos", headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 502
    assert reply.headers[PROXY_ERROR_HEADER] == "cannot-reach"
    body = _error_body(reply)
    assert KEY not in json.dumps(body)
    proxied.proxy.run.finish()
    assert ("listVideos", "upstream_answers") in proxied.checks()
    assert any("cannot reach" in line for line in proxied.lines)


def test_silent_upstream_is_a_504(silent_upstream: str, proxy_for: ProxyFactory) -> None:
    proxied = proxy_for(silent_upstream, request_timeout=0.5)
    reply = httpx.get(
        f"{proxied.url}/v1/videos/video_1",
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=30.0,
    )
    assert reply.status_code == 504
    assert reply.headers[PROXY_ERROR_HEADER] == "too-slow"
    _error_body(reply)
    proxied.proxy.run.finish()
    assert ("retrieveVideo", "upstream_answers") in proxied.checks()


def test_requests_outside_the_spec_are_reported_under_one_name(
    upstream: tuple[Upstream, str], proxy_for: ProxyFactory
) -> None:
    server, url = upstream
    proxied = proxy_for(url)
    auth = {"Authorization": f"Bearer {KEY}"}
    for n in range(3):
        httpx.get(f"{proxied.url}/v1/not-an-operation/{n}", headers=auth)
    assert len(server.seen) == 3  # forwarded all the same
    proxied.proxy.run.finish()
    result = proxied.proxy.run.findings.result()
    (outcome,) = [o for o in result.outcomes if o.check == "request_matches_spec"]
    assert outcome.operation == "(outside the spec)" and outcome.failed == 3


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_large_request_body_streams_through_unchanged(
    framing: str, upstream: tuple[Upstream, str], proxy_for: ProxyFactory
) -> None:
    server, url = upstream
    server.mode = "body"
    proxied = proxy_for(url)
    data = secrets.token_bytes(3 * 1024 * 1024 + 7)

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(data), 100_000):
            yield data[start : start + 100_000]

    reply = httpx.post(
        f"{proxied.url}/v1/videos",
        content=data if framing == "content-length" else pieces(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/octet-stream"},
        timeout=60.0,
    )
    assert reply.json() == {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    sent = reply.headers["x-sent-length"]
    assert sent == (str(len(data)) if framing == "content-length" else "")
    assert len(server.seen) == 1


def test_a_password_in_the_upstream_url_is_shown_nowhere(
    upstream: tuple[Upstream, str], proxy_for: ProxyFactory
) -> None:
    server, url = upstream
    password = f"pw-{secrets.token_hex(6)}"
    proxied = proxy_for(url.replace("http://", f"http://user:{password}@"))
    reply = httpx.get(f"{proxied.url}/v1/videos/video_1", headers={"Authorization": "Bearer k"})
    assert reply.status_code == 200 and len(server.seen) == 1
    proxied.proxy.run.finish()
    assert proxied.lines and all(password not in line for line in proxied.lines)
    assert files_holding(password, proxied.report_dir) == []
    summary = json.loads((proxied.report_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["target"] == url
