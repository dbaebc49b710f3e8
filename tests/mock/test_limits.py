"""Body limits: 413 before a too-large body is read, uploads spooled to disk, never whole."""

from __future__ import annotations

import asyncio
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from starlette.requests import Request
from starlette.types import Message

from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app, running_mock
from videos_contract.mock.bodies import SPOOL_BYTES, read_multipart
from videos_contract.spec import load_spec

CHUNK = 64 * 1024
LIMIT = 1024 * 1024
BOUNDARY = b"limitsboundary"
SIZE = load_spec().default("VideoSize")


def _multipart_chunks(file_bytes: int) -> Iterator[bytes]:
    """A create body whose file part is `file_bytes` long, in 64 KiB chunks."""
    yield (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nA fox.\r\n'
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="input_reference"; '
        b'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
    )
    sent = 0
    while sent < file_bytes:
        size = min(CHUNK, file_bytes - sent)
        yield b"\x00" * size
        sent += size
    yield b"\r\n--" + BOUNDARY + b"--\r\n"


def _call(
    config: MockConfig, chunks: Iterator[bytes], headers: dict[str, str]
) -> tuple[int, dict[str, Any], int]:
    """Run one create through the ASGI app; (status, body, chunks the app pulled)."""
    app = create_app(config)
    pulled = 0
    sent: list[Message] = []
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw_headers.append((b"authorization", f"Bearer {DEFAULT_KEY}".encode()))
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": "/v1/videos",
        "raw_path": b"/v1/videos",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "headers": raw_headers,
    }
    source = iter(chunks)

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        chunk = next(source, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = sent[0]["status"]
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    return status, body, pulled


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    total = 200 * 1024 * 1024
    status, body, pulled = _call(
        MockConfig(max_body_bytes=LIMIT),
        _multipart_chunks(total),
        {
            "content-type": f"multipart/form-data; boundary={BOUNDARY.decode()}",
            "content-length": str(total + 400),
        },
    )
    assert status == 413
    assert body["error"]["code"] == "request_too_large"
    assert pulled == 0


def test_an_undeclared_length_is_counted_while_streaming() -> None:
    total = 200 * 1024 * 1024  # 3200 chunks; the app must stop after about LIMIT / CHUNK
    status, _, pulled = _call(
        MockConfig(max_body_bytes=LIMIT),
        _multipart_chunks(total),
        {"content-type": f"multipart/form-data; boundary={BOUNDARY.decode()}"},
    )
    assert status == 413
    assert pulled <= LIMIT // CHUNK + 2


def test_a_json_body_over_the_limit_is_413() -> None:
    chunks = iter([b'{"prompt": "' + b"x" * CHUNK] * 40)
    status, _, pulled = _call(
        MockConfig(max_body_bytes=LIMIT), chunks, {"content-type": "application/json"}
    )
    assert status == 413
    assert pulled <= LIMIT // CHUNK + 2


def test_uploads_are_spooled_to_disk_past_a_small_size() -> None:
    image = io.BytesIO()
    Image.new("RGB", (4, 4)).save(image, format="PNG")
    data = image.getvalue() + b"\x00" * (4 * SPOOL_BYTES)  # trailing bytes after IEND
    body = b"".join(
        [
            b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="input_reference"; ',
            b'filename="../../x.png"\r\nContent-Type: image/png\r\n\r\n',
            data,
            b"\r\n--" + BOUNDARY + b"--\r\n",
        ]
    )
    pieces = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]

    async def parse() -> None:
        async def receive() -> dict[str, Any]:
            chunk = pieces.pop(0) if pieces else b""
            return {"type": "http.request", "body": chunk, "more_body": bool(pieces)}

        request = Request({"type": "http", "method": "POST", "headers": []}, receive)
        form = await read_multipart(request, 50 * 1024 * 1024, BOUNDARY.decode())
        try:
            (part,) = form.parts
            assert part.file is not None
            assert part.file._rolled  # type: ignore[attr-defined]  # moved to a temporary file, not held in memory
            assert part.size == len(data)
            assert part.file.read() == data
        finally:
            form.close()

    asyncio.run(parse())


@pytest.mark.parametrize("declared", [True, False])
def test_413_over_a_real_socket(declared: bool) -> None:
    with running_mock(MockConfig(max_body_bytes=LIMIT)) as server:
        headers = {
            "Authorization": f"Bearer {server.key}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY.decode()}",
        }
        content: Any = _multipart_chunks(8 * LIMIT)
        if declared:
            content = b"".join(content)
        response = httpx.post(f"{server.url}/v1/videos", content=content, headers=headers)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "request_too_large"
        # The server is still healthy and created nothing.
        listing = httpx.get(f"{server.url}/v1/videos", headers=headers)
        assert listing.json()["data"] == []


def _rss_mib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_server_memory_stays_flat_under_large_uploads() -> None:
    """A 45 MiB upload (under the limit) and a 200 MiB one (over it) leave RSS nearly flat."""
    process = subprocess.Popen(
        [sys.executable, "-m", "videos_contract", "mock", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"(http://\S+)", process.stdout.readline())
        assert match
        url = match.group(1)
        headers = {
            "Authorization": f"Bearer {DEFAULT_KEY}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY.decode()}",
        }
        assert httpx.get(f"{url}/v1/videos", headers=headers).status_code == 200
        before = _rss_mib(process.pid)
        mib = 1024 * 1024
        under = httpx.post(
            f"{url}/v1/videos", headers=headers, content=_multipart_chunks(45 * mib), timeout=60
        )
        assert under.status_code == 400  # read whole, then found not to be an image
        over = httpx.post(
            f"{url}/v1/videos", headers=headers, content=_multipart_chunks(200 * mib), timeout=60
        )
        assert over.status_code == 413
        assert _rss_mib(process.pid) - before < 32
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_a_client_leaving_mid_upload_is_no_error() -> None:
    app = create_app(MockConfig())
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": next(_multipart_chunks(CHUNK)), "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/videos",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {DEFAULT_KEY}".encode()),
            (b"content-type", b"multipart/form-data; boundary=" + BOUNDARY),
        ],
    }
    asyncio.run(app(scope, receive, send))
    assert sent == []
    assert app.state.service.unexpected_errors == 0
    assert len(app.state.store) == 0
