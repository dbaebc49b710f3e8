"""Reproductions send the same bytes and never hold the key."""

from __future__ import annotations

import base64
import shlex
import subprocess

from videos_contract.audit.curl import to_curl
from videos_contract.audit.proxy import PLACEHOLDER_KEY
from videos_contract.audit.results import Exchange


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
