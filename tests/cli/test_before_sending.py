"""What the spec lets the command line check is checked before a request is sent.

A counting server on loopback answers every request with 400 and counts it: each refusal
below must leave the count at zero.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.protocol import KEY_ENV, URL_ENV
from videos_contract.spec import load_spec

# `create` names its model (none is defaulted): the default family's first, whose
# multipart form these tests exercise.
MODEL = families().default_family.models[0]


class _Counting(http.server.ThreadingHTTPServer):
    requests = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    def _count(self) -> None:
        assert isinstance(self.server, _Counting)
        self.server.requests += 1
        self.send_response(400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_DELETE = _count

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Counting]:
    server = _Counting(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(URL_ENV, f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv(KEY_ENV, "sk-gateway-counting")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1
    return err


def test_the_counting_server_counts(counting: _Counting) -> None:
    assert main(["list", "-q", "--call-timeout", "5"]) == 1
    assert counting.requests >= 1


def test_prompt_length_limits_come_from_the_spec(
    counting: _Counting, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = load_spec().schema("VideoPrompt")
    too_long = "x" * (schema["maxLength"] + 1)
    err = _refused(["create", "--model", MODEL, "--prompt", too_long], capsys)
    assert str(schema["maxLength"]) in err and "--prompt" in err
    err = _refused(["remix", "video_1", "--prompt", too_long], capsys)
    assert str(schema["maxLength"]) in err
    err = _refused(["create", "--model", MODEL, "--prompt", ""], capsys)
    assert "minLength" in err
    assert counting.requests == 0


def test_list_limit_comes_from_the_spec(
    counting: _Counting, capsys: pytest.CaptureFixture[str]
) -> None:
    limit = load_spec().operation("listVideos").parameter("limit")["schema"]
    for value in (limit["minimum"] - 1, limit["maximum"] + 1):
        err = _refused(["list", "--limit", str(value)], capsys)
        assert f"{limit['minimum']} to {limit['maximum']}" in err
    assert counting.requests == 0


@pytest.mark.parametrize(
    "url", ["http://example.com/fox.png", "ftp://x/fox.png", "data:text/plain,x"]
)
def test_reference_urls_the_spec_forbids(
    url: str, counting: _Counting, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["create", "--model", MODEL, "--prompt", "x", "--reference", url], capsys)
    assert "https://" in err
    assert counting.requests == 0


def test_url_naming_an_endpoint_is_explained(
    counting: _Counting, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = f"http://127.0.0.1:{counting.server_address[1]}"
    err = _refused(["list", "--url", f"{root}/v1/videos", "--key", "k"], capsys)
    assert "API root" in err
    monkeypatch.setenv(URL_ENV, f"{root}/v1/videos/")
    err = _refused(["get", "video_1"], capsys)
    assert URL_ENV in err and "API root" in err
    assert counting.requests == 0


def test_url_with_the_version_path_is_explained(
    counting: _Counting, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = f"http://127.0.0.1:{counting.server_address[1]}"
    assert main(["list", "--url", f"{root}/v1", "--key", "k", "--call-timeout", "5"]) == 1
    _, err = capsys.readouterr()
    assert "API root" in err and f"{root}/v1/videos" in err
