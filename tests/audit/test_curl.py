"""Reproductions send the same bytes and never hold the key."""

from __future__ import annotations

import base64
import shlex
import shutil
import subprocess
import threading
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from videos_contract.audit.curl import to_curl
from videos_contract.audit.proxy import PLACEHOLDER_KEY
from videos_contract.audit.results import Exchange
from videos_contract.families import families

MODEL = families().default_family.models[0]


def test_key_is_read_from_the_environment() -> None:
    exchange = Exchange(
        "GET",
        "https://api.test/v1/videos?limit=1",
        (("Authorization", f"Bearer {PLACEHOLDER_KEY}"),),
    )
    command = to_curl(exchange)
    assert "$VIDEOS_API_KEY" in command
    assert PLACEHOLDER_KEY not in command
    assert shlex.split(command)[:5] == [
        "curl",
        "-sS",
        "-X",
        "GET",
        "https://api.test/v1/videos?limit=1",
    ]


def test_binary_body_travels_base64() -> None:
    body = b"\x00\xffbinary\r\n"
    command = to_curl(Exchange("POST", "https://api.test/v1/videos", (), body))
    encoded = command.split()[1]
    assert base64.b64decode(encoded) == body
    assert command.endswith("--data-binary @-")


def test_text_body_is_inline() -> None:
    command = to_curl(Exchange("POST", "https://api.test/v1/videos", (), b'{"prompt": "it\'s"}'))
    assert shlex.split(command)[-1] == '{"prompt": "it\'s"}'


def test_multipart_body_is_inline_and_exact_through_a_shell() -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="p"\r\n\r\nit\'s \\ a\tb\x01\r\n--b--\r\n'
    command = to_curl(Exchange("POST", "https://api.test/v1/videos", (), body))
    quoted = command.split("--data-binary ", 1)[1]
    assert quoted.startswith("$'")
    sent = subprocess.run(["bash", "-c", f"printf %s {quoted}"], capture_output=True, check=True)
    assert sent.stdout == body


class _Capture(BaseHTTPRequestHandler):
    """Keeps the last request's Content-Type and body; answers 204."""

    seen: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.seen.append((self.headers.get("content-type", ""), self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _fields(content_type: str, body: bytes) -> dict[str, tuple[str | None, str, object]]:
    """name -> (filename, media type, bytes), read by the standard library's MIME parser."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    assert message.is_multipart()
    return {
        str(part.get_param("name", header="content-disposition")): (
            part.get_filename(),
            part.get_content_type(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


def _multipart(files: dict[str, Any], data: dict[str, str]) -> Exchange:
    request = httpx.Request("POST", "https://api.test/v1/videos", data=data, files=files)
    body = request.read()
    return Exchange(
        "POST",
        "https://api.test/v1/videos",
        (("Content-Type", request.headers["content-type"]), ("Content-Length", str(len(body)))),
        body,
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_multipart_reproduction_is_readable_and_sends_the_same_fields(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00binary\xff" * 20
    exchange = _multipart(
        files={
            "input_reference": ("reference.png", png, "image/png"),
            "meta": (None, '{"image_url": "https://x.test/a.png"}', "application/json"),
        },
        data={"model": MODEL, "prompt": 'it\'s a "red" fox; size=1', "seconds": "8"},
    )
    command = to_curl(exchange)
    assert "--form-string seconds=8" in command and "--data-binary" not in command
    assert "input_reference=@part-" in command and "filename=reference.png" in command
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1/videos"
        local = command.replace(shlex.quote(exchange.url), shlex.quote(url))
        subprocess.run(
            ["bash", "-c", local], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, check=True,
            capture_output=True, timeout=30,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    content_type, body = _Capture.seen[-1]
    assert _fields(content_type, body) == _fields(
        dict(exchange.headers)["Content-Type"], exchange.body
    )


def test_unusual_multipart_framing_keeps_the_exact_bytes() -> None:
    exchange = _multipart(files={"model": (None, MODEL), "prompt": (None, "a fox")}, data={})
    boundary = dict(exchange.headers)["Content-Type"].split("boundary=")[1]
    odd = exchange.body.replace(b'name="prompt"', b'name="prompt"; x="1"')
    command = to_curl(Exchange(exchange.method, exchange.url, exchange.headers, odd))
    assert "--data-binary" in command and "-F" not in command and boundary in command
