"""Hostile input against a real-socket mock: each gets a 4xx or a closed connection, never a
500 or a crash, and the server keeps serving other clients (during a stall, and afterwards)."""

from __future__ import annotations

import io
import json
import os
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from tests.support.hardening import Counting, serving
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
CLOSED = "closed"
BODY_TIMEOUT = 1.0


class Mock:
    """A mock on a socket, with what its server answered counted."""

    def __init__(self, url: str, app: Starlette, counting: Counting) -> None:
        self.url = url
        self.app = app
        self.counting = counting

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=AUTH, timeout=30.0, **kwargs)

    def serves_others(self) -> None:
        """A normal create and retrieve succeed."""
        with self.client() as client:
            created = client.post(
                "/v1/videos", json={"model": MODEL, "prompt": "A fox in the snow."}
            )
            assert created.status_code == 200, created.text
            video_id = created.json()["id"]
            assert client.get(f"/v1/videos/{video_id}").status_code == 200


@pytest.fixture
def mock() -> Iterator[Mock]:
    config = MockConfig(render_seconds=0.2, seed=9, body_timeout_seconds=BODY_TIMEOUT)
    app = create_app(config)
    counting = Counting(app)
    with serving(counting, config) as url:
        served = Mock(url, app, counting)
        yield served
        served.serves_others()
        assert app.state.service.unexpected_errors == 0
        assert not [status for status in counting.statuses if status >= 500], counting.statuses


def outcome(call: Callable[[], httpx.Response]) -> int | str:
    """The status answered, or CLOSED when the server cut the connection."""
    try:
        return call().status_code
    except httpx.TransportError:
        return CLOSED


def refused(result: int | str) -> bool:
    return result == CLOSED or (isinstance(result, int) and 400 <= result < 500)


def _raw(url: str) -> socket.socket:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def _read_answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (or stops sending a while)."""
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and answer.rstrip().endswith(b"}"):
                break
    except (ConnectionResetError, TimeoutError):
        pass
    return answer


def test_a_multipart_body_of_10000_parts_is_refused(mock: Mock) -> None:
    boundary = "hostileboundary"
    part = f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n'
    body = (part * 10_000 + f"--{boundary}--\r\n").encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    with mock.client() as client:
        result = outcome(lambda: client.post("/v1/videos", content=body, headers=headers))
        assert result == 413 or result == CLOSED
        if result == 413:
            response = client.post("/v1/videos", content=body, headers=headers)
            assert response.json()["error"]["code"] == "too_many_parts"


def _head_refused(result: httpx.Response | str) -> None:
    """431 in the API's error shape, or the connection closed while the client still sent."""
    if isinstance(result, str):
        assert result == CLOSED
        return
    assert result.status_code == 431, result.text
    assert result.json()["error"]["code"] == "request_header_too_large"


def _answer(call: Callable[[], httpx.Response]) -> httpx.Response | str:
    try:
        return call()
    except httpx.TransportError:
        return CLOSED


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Padding": "a" * 2**20},  # 1 MiB: outgrows the parser's buffer
        {"X-Padding": "a" * 100_000},  # over the limit, but may arrive in one read
        {f"X-H{index}": "b" * 100 for index in range(2000)},  # many small ones
    ],
    ids=["1 MiB header", "100 kB header", "2000 headers"],
)
def test_an_oversized_request_head_is_refused(mock: Mock, headers: dict[str, str]) -> None:
    with mock.client() as client:
        _head_refused(_answer(lambda: client.get("/v1/videos", headers=headers)))


def test_a_request_that_is_not_http_gets_a_json_400(mock: Mock) -> None:
    with _raw(mock.url) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = _read_answer(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert json.loads(body)["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("kind", ["json", "multipart"])
def test_an_upload_that_stalls_halfway_is_cut_off_and_others_are_served(
    mock: Mock, kind: str
) -> None:
    if kind == "json":
        body = json.dumps(
            {"model": MODEL, "prompt": "A fox that never finishes arriving."}
        ).encode()
        media = "application/json"
    else:
        body = (
            b'--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n'
            b"A fox that never finishes arriving.\r\n--b--\r\n"
        )
        media = "multipart/form-data; boundary=b"
    with _raw(mock.url) as stalled:
        stalled.sendall(
            b"POST /v1/videos HTTP/1.1\r\nHost: mock\r\n"
            + f"Authorization: Bearer {DEFAULT_KEY}\r\nContent-Type: {media}\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        mock.serves_others()  # during the stall
        answer = _read_answer(stalled)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    error = json.loads(answer.partition(b"\r\n\r\n")[2])["error"]
    assert error["code"] == "request_timeout"
    assert b"connection: close" in answer.lower()


def test_a_request_head_that_stalls_is_cut_off_and_others_are_served(mock: Mock) -> None:
    with _raw(mock.url) as silent, _raw(mock.url) as trickling:
        trickling.sendall(b"GET /v1/videos HTTP/1.1\r\nHost: mock\r\nX-Slow: a")
        mock.serves_others()  # during the stall of both
        answer = _read_answer(trickling)
        assert silent.recv(1) == b""  # a connection that never sent a byte is closed
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["code"] == "request_timeout"


def _png(size: str, noise: bool = False) -> bytes:
    width, height = (int(n) for n in size.split("x"))
    if noise:  # incompressible: the upload passes the in-memory threshold and spools to disk
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (10, 120, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "template",
    [
        "../../../../../{tmp}/{marker}.png",
        "..\\..\\{marker}.png",
        "/{tmp}/{marker}.png",
        "{marker}/../../{marker}.png",
    ],
)
def test_an_upload_file_name_is_never_a_path(mock: Mock, template: str) -> None:
    size = load_spec().default("VideoSize")
    marker = f"hardening-escape-{uuid.uuid4().hex}"
    tmp = tempfile.gettempdir().strip("/")
    name = template.format(tmp=tmp, marker=marker)
    with mock.client() as client:
        response = client.post(
            "/v1/videos",
            data={"model": MODEL, "prompt": "A fox.", "size": size},
            files={"input_reference": (name, _png(size, noise=True), "image/png")},
        )
    assert response.status_code == 200, response.text
    assert name not in response.text and marker not in response.text
    places = [Path(tempfile.gettempdir()), Path.cwd(), *Path.cwd().parents, Path("/")]
    for place in places:
        assert not list(place.glob(f"{marker}*")), place


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [10_000, 900])
def test_json_nested_deeply_is_a_400(mock: Mock, depth: int) -> None:
    deep = _nested(depth)
    bodies = [
        deep,
        f'{{"prompt": {deep}}}',
        f'{{"prompt": "A fox.", "model": {deep}}}',
        f'{{"prompt": "A fox.", "input_reference": {{"image_url": {deep}}}}}',
        f'{{"prompt": "A fox.", "unknown": {deep}}}',
    ]
    json_headers = {"Content-Type": "application/json"}
    with mock.client() as client:
        for body in bodies:
            response = client.post("/v1/videos", content=body, headers=json_headers)
            assert response.status_code == 400, (body[:40], response.text)
            response = client.post("/v1/videos/video_x/remix", content=body, headers=json_headers)
            assert response.status_code == 400, (body[:40], response.text)
        # The JSON part of a multipart body takes another parser path.
        response = client.post(
            "/v1/videos",
            files={
                "model": (None, MODEL),
                "prompt": (None, "A fox."),
                "input_reference": (None, f'{{"image_url": {deep}}}', "application/json"),
            },
        )
        assert response.status_code == 400, response.text


BAD = b"\xff\xfe\xc3("


def _multipart(fields: list[tuple[bytes, bytes, bytes | None]]) -> bytes:
    """(name, value, filename) parts, all raw bytes, so that any byte can be sent."""
    out = b""
    for name, value, filename in fields:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        out += b"--b\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + value + b"\r\n"
    return out + b"--b--\r\n"


def test_invalid_utf8_in_every_field_is_a_4xx(mock: Mock) -> None:
    fields = list(load_spec().schema("CreateVideoMultipartRequest")["properties"])
    assert "prompt" in fields and "input_reference" in fields
    good = {"model": MODEL.encode(), "prompt": b"A fox."}
    results: dict[str, int | str] = {}
    multipart = {"Content-Type": "multipart/form-data; boundary=b"}
    with mock.client() as client:
        for field in fields:
            values = {**good, field: BAD}
            parts = [(name.encode(), value, None) for name, value in values.items()]
            results[f"multipart {field}"] = outcome(
                lambda parts=parts: client.post(  # type: ignore[misc]
                    "/v1/videos", content=_multipart(parts), headers=multipart
                )
            )
            body = b'{"prompt": "A fox.", "' + field.encode() + b'": "' + BAD + b'"}'
            results[f"json {field}"] = outcome(
                lambda body=body: client.post(  # type: ignore[misc]
                    "/v1/videos", content=body, headers={"Content-Type": "application/json"}
                )
            )
        results["part name"] = outcome(
            lambda: client.post(
                "/v1/videos",
                content=_multipart([(b"prompt", b"A fox.", None), (BAD, b"x", None)]),
                headers=multipart,
            )
        )
        results["file name"] = outcome(
            lambda: client.post(
                "/v1/videos",
                content=_multipart([(b"prompt", b"A fox.", None), (b"input_reference", BAD, BAD)]),
                headers=multipart,
            )
        )
        results["remix prompt"] = outcome(
            lambda: client.post(
                "/v1/videos/video_x/remix",
                content=b'{"prompt": "' + BAD + b'"}',
                headers={"Content-Type": "application/json"},
            )
        )
        for name in ("after", "order", "limit"):
            results[f"query {name}"] = outcome(
                lambda name=name: client.get(f"/v1/videos?{name}=%FF%FE")  # type: ignore[misc]
            )
        results["path id"] = outcome(lambda: client.get("/v1/videos/video_%FF%FE"))
        results["content variant"] = outcome(
            lambda: client.get("/v1/videos/video_x/content?variant=%FF")
        )
    for name, header in [
        ("authorization", b"Authorization: Bearer sk-" + BAD),
        ("content-type", b"Content-Type: multipart/form-data; boundary=" + BAD),
        ("range", b"Range: bytes=" + BAD),
    ]:
        with _raw(mock.url) as sock:
            target = b"/v1/videos/video_x/content" if name == "range" else b"/v1/videos"
            method = b"GET" if name == "range" else b"POST"
            auth = (
                b""
                if name == "authorization"
                else f"Authorization: Bearer {DEFAULT_KEY}\r\n".encode()
            )
            sock.sendall(
                method
                + b" "
                + target
                + b" HTTP/1.1\r\nHost: mock\r\n"
                + auth
                + header
                + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            answer = _read_answer(sock)
        status = int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else CLOSED
        results[f"header {name}"] = status
    bad = {name: result for name, result in results.items() if not refused(result)}
    assert bad == {}, bad
