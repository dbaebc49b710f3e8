"""The mock's HTTP/1.1 front (`videos_contract.mock.protocol`) at the byte level.

The mock stands on llhttp (httptools), the proxy on h11; both are sent the same unreadable
requests (`tests.support.http_cases`) and must refuse them alike: a JSON error in the API's
shape, the connection closed, nothing executed, the server still serving. Each guard the
mock's protocol adds to uvicorn's is crossed here: the bound on a head that keeps growing,
the refusal of what follows requests read whole only after their answers, requests after an
upgrade the mock does not make, no `100 Continue` for HTTP/1.0, a body that cannot be read
refused at once, and the head rules llhttp lets by (`relay.rules.head_refusal`).
"""

from __future__ import annotations

import asyncio
import json
import select
import time
from collections.abc import Iterator

import httptools
import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.server import ServerState

from tests.support.http_cases import MALFORMED, REFUSED
from tests.support.rawhttp import Answer, Wire, connected, read_answer
from videos_contract.families import families
from videos_contract.listening import bind, served_in_thread
from videos_contract.mock import DEFAULT_KEY, MockConfig
from videos_contract.mock.protocol import GuardedHttpToolsProtocol
from videos_contract.mock.server import MockServer, protected_config, running_mock

HEAD_LIMIT = 8 * 1024
MODEL = families().default_family.models[0]

# `OPTIONS *` is the relay's to refuse (it has no origin-form to forward); a server may
# answer it, and the mock does (404).
SERVER_REFUSES = {name: case for name, case in REFUSED.items() if name != "asterisk"}
CASES = {name: (raw, {400}) for name, raw in MALFORMED.items()} | SERVER_REFUSES


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with running_mock(MockConfig(max_header_bytes=HEAD_LIMIT, seed=3)) as server:
        yield server


def request(target: str = "/v1/videos", *fields: str, method: str = "GET") -> bytes:
    lines = [
        f"{method} {target} HTTP/1.1",
        "Host: mock.test",
        f"Authorization: Bearer {DEFAULT_KEY}",
    ]
    return ("\r\n".join([*lines, *fields]) + "\r\n\r\n").encode("latin-1")


def assert_refusal(answer: Answer, statuses: set[int]) -> None:
    assert answer.status in statuses, answer
    assert answer.header("content-type") == "application/json"
    error = json.loads(answer.body)["error"]
    assert error["type"] == "invalid_request_error" and error["code"], error


def flood_until_answered(wire: Wire) -> int:
    """Send pieces of 1 KiB until the server answers or closes (1 MiB at most): how many
    bytes went out."""
    sent = 0
    while sent < 1024 * 1024 and not select.select([wire.sock], [], [], 0.002)[0]:
        try:
            wire.sock.sendall(b"a" * 1024)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += 1024
    return sent


def still_serves(mock: MockServer) -> None:
    with httpx.Client(base_url=mock.url, headers={"Authorization": f"Bearer {mock.key}"}) as c:
        assert c.get("/v1/videos").status_code == 200


@pytest.mark.parametrize(("raw", "statuses"), CASES.values(), ids=CASES.keys())
def test_an_unreadable_request_is_refused_as_the_proxy_refuses_it(
    raw: bytes, statuses: set[int], mock: MockServer
) -> None:
    """Catches a parser that lets by what h11 (the proxy's) or RFC 9112 refuses, a refusal
    in plain text, a connection left open after it, or a request executed anyway."""
    jobs = len(mock.store)
    authorised = raw.replace(b"\r\n", f"\r\nAuthorization: Bearer {DEFAULT_KEY}\r\n".encode(), 1)
    with connected(mock.url) as wire:
        wire.sock.sendall(authorised)
        assert_refusal(read_answer(wire), statuses)
        assert wire.closed_by_peer()
    assert len(mock.store) == jobs
    still_serves(mock)


def test_requests_read_whole_are_answered_before_the_refusal_of_what_follows(
    mock: MockServer,
) -> None:
    """Catches a front that refuses the garbage after pipelined requests before they are
    answered (a create executed, its answer lost) or that drops the refusal."""
    with connected(mock.url) as wire:
        wire.sock.sendall(request("/v1/videos?limit=1") + request() + b"GARBAGE\r\n\r\n")
        assert read_answer(wire).status == 200
        assert read_answer(wire).status == 200
        assert_refusal(read_answer(wire), {400})
        assert wire.closed_by_peer()


@pytest.mark.parametrize("protocol", ["h2c", "websocket"])
def test_a_request_that_asks_to_upgrade_is_answered_and_so_is_the_next(
    protocol: str, mock: MockServer
) -> None:
    """Catches a front that stops reading at an upgrade it does not make (llhttp pauses
    there): the request sent after it would never be answered."""
    upgrade = request("/v1/videos", "Connection: Upgrade", f"Upgrade: {protocol}")
    with connected(mock.url) as wire:
        wire.sock.sendall(upgrade + request("/v1/videos?limit=1"))
        assert read_answer(wire).status == 200
        assert read_answer(wire).status == 200
        wire.sock.sendall(request("/v1/videos?limit=2"))
        assert read_answer(wire).status == 200


def test_an_upgrade_request_with_a_body_is_refused(mock: MockServer) -> None:
    """Catches a front on which the body of an upgrade request is read as the next request."""
    raw = request("/v1/videos", "Connection: Upgrade", "Upgrade: h2c", "Content-Length: 5")
    with connected(mock.url) as wire:
        wire.sock.sendall(raw + b"GET /")
        assert_refusal(read_answer(wire), {400})
        assert wire.closed_by_peer()


def test_an_http_1_0_client_gets_no_100_continue(mock: MockServer) -> None:
    """Catches a front that answers `Expect: 100-continue` from HTTP/1.0, which RFC 9110
    §10.1.1 forbids (uvicorn's httptools protocol does)."""
    head = request(
        "/v1/videos",
        "Expect: 100-continue",
        "Content-Type: application/json",
        "Content-Length: 2",
        method="POST",
    )
    with connected(mock.url) as wire:
        # The body comes with the head; the app reads it, which is when uvicorn sends 100.
        wire.sock.sendall(head.replace(b"HTTP/1.1", b"HTTP/1.0", 1) + b"{}")
        answer = read_answer(wire, "POST")
        assert answer.status != 100
        assert 400 <= answer.status < 500


def test_an_http_1_1_client_gets_100_continue_before_its_body(mock: MockServer) -> None:
    head = request("/v1/videos", "Expect: 100-continue", "Content-Length: 2", method="POST")
    with connected(mock.url) as wire:
        wire.sock.sendall(head.replace(b"\r\n\r\n", b"\r\nContent-Type: application/json\r\n\r\n"))
        assert read_answer(wire, "POST").status == 100
        wire.sock.sendall(b"{}")
        assert read_answer(wire, "POST").status == 400  # no model, no prompt


def test_a_chunked_body_that_cannot_be_read_is_refused_at_once(mock: MockServer) -> None:
    """Catches a front that, once the app reads the body, keeps the broken request waiting
    for the rest until the body timeout (30 s here) instead of refusing it."""
    head = request(
        "/v1/videos",
        "Transfer-Encoding: chunked",
        "Content-Type: application/json",
        method="POST",
    )
    jobs = len(mock.store)
    with connected(mock.url) as wire:
        wire.sock.sendall(head + b"2\r\n{}\r\n")
        time.sleep(0.2)  # the app is reading the body
        wire.sock.sendall(b"zz\r\n")
        assert_refusal(read_answer(wire, "POST"), {400})
        assert wire.closed_by_peer()
    assert len(mock.store) == jobs


def test_a_head_that_keeps_growing_is_refused_at_the_limit(mock: MockServer) -> None:
    """Catches a front with no bound on a head that arrives in pieces (uvicorn's httptools
    protocol has none): it would buffer for as long as the client sends."""
    with connected(mock.url) as wire:
        wire.sock.sendall(b"GET /v1/videos HTTP/1.1\r\nHost: mock.test\r\nX-Long: ")
        sent = flood_until_answered(wire)
        answer = read_answer(wire)
        assert answer.status == 431, answer
        assert json.loads(answer.body)["error"]["code"] == "request_header_too_large"
        # Refused once the limit is passed, not when the client stops.
        assert sent <= 4 * HEAD_LIMIT, sent
    still_serves(mock)


def test_a_queued_request_whose_body_cannot_be_read_is_refused_after_the_answer_before_it(
    mock: MockServer,
) -> None:
    """Catches a front that refuses the broken body of a pipelined request at once, cutting
    the answer to the request before it, which was read whole (a create executed, its
    answer lost)."""
    broken = request(
        "/v1/videos",
        "Transfer-Encoding: chunked",
        "Content-Type: application/json",
        method="POST",
    )
    with connected(mock.url) as wire:
        wire.sock.sendall(request("/v1/videos?limit=1") + broken + b"2\r\n{}\r\nzz\r\n")
        assert read_answer(wire).status == 200
        assert_refusal(read_answer(wire, "POST"), {400})
        assert wire.closed_by_peer()


async def _echo_after_body(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body, then answers the request's headers as the app sees them."""
    more = True
    while more:
        message = await receive()
        more = bool(message.get("more_body"))
    fields = [[name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]]
    body = json.dumps(fields).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def test_trailer_fields_never_join_the_request_headers() -> None:
    """Catches a front on which a chunked body's trailers are appended to the headers the app
    holds (llhttp reports them as headers): a second Authorization, read after the body."""
    config = MockConfig()
    server = uvicorn.Server(protected_config(_echo_after_body, config, log_config=None))
    with served_in_thread(server, bind("127.0.0.1", 0), name="an echo app") as url:
        with connected(url) as wire:
            head = request("/v1/videos", "Transfer-Encoding: chunked", method="POST")
            trailers = b"0\r\nAuthorization: Bearer sk-trailer\r\nX-Trailer: 1\r\n\r\n"
            wire.sock.sendall(head + b"2\r\n{}\r\n" + trailers)
            answer = read_answer(wire, "POST")
    assert answer.status == 200
    names = [name for name, _ in json.loads(answer.body)]
    assert names.count("authorization") == 1
    assert "x-trailer" not in names


@pytest.mark.parametrize(
    "target", ["/v1/videos", "/v1/videos/video_none", "/v1/videos/video_none/content", "/nowhere"]
)
def test_an_http_1_0_client_gets_answers_with_a_length(target: str, mock: MockServer) -> None:
    """Catches an answer without a length, which uvicorn's httptools protocol would send in
    chunks even to an HTTP/1.0 client, who cannot read them."""
    with connected(mock.url) as wire:
        wire.sock.sendall(request(target).replace(b"HTTP/1.1", b"HTTP/1.0", 1))
        first, fields = wire.head()
        names = {name.lower() for name, _ in fields}
        assert "transfer-encoding" not in names, first
        assert "content-length" in names, first


@pytest.fixture(scope="module")
def slow_mock() -> Iterator[MockServer]:
    """Every answer 0.6 s late, so that requests are still queued when more bytes come; a
    client has 2 s for a head, and for the rest of a body its answer did not wait for."""
    config = MockConfig(
        max_header_bytes=HEAD_LIMIT,
        slow_rate=1.0,
        slow_seconds=0.6,
        body_timeout_seconds=2.0,
        seed=3,
    )
    with running_mock(config) as server:
        yield server


def test_a_connect_request_is_refused_and_its_body_never_read_as_a_request(
    mock: MockServer,
) -> None:
    """Catches a front on which llhttp, which reads no body after a CONNECT head, runs the
    body as the next request (here a create, billed)."""
    create = request(
        "/v1/videos", "Content-Type: application/json", "Content-Length: 2", method="POST"
    )
    smuggled = create + b"{}"
    head = f"CONNECT /v1/videos HTTP/1.1\r\nHost: mock.test\r\nContent-Length: {len(smuggled)}"
    jobs = len(mock.store)
    with connected(mock.url) as wire:
        wire.sock.sendall(head.encode() + b"\r\n\r\n" + smuggled)
        assert_refusal(read_answer(wire), {501})
        assert wire.closed_by_peer()
    assert len(mock.store) == jobs


def test_nothing_after_a_refused_head_is_read_while_queued_requests_are_answered(
    slow_mock: MockServer,
) -> None:
    """Catches a front that, having refused a head still arriving behind queued requests,
    reads on when uvicorn resumes reading for them: the refused head's request would run
    (a create) and its refusal come after its answer."""
    body = json.dumps({"model": MODEL, "prompt": "A fox in the snow."}).encode()
    create = request(
        "/v1/videos",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        method="POST",
    )
    start, rest = create[:-4], create[-4:]
    jobs = len(slow_mock.store)
    with connected(slow_mock.url) as wire:
        queued = b"".join(request(f"/v1/videos?limit={n}") for n in (1, 2, 3))
        wire.sock.sendall(queued + start + b"\r\nX-Pad:")
        time.sleep(0.2)
        wire.sock.sendall(b" " * (HEAD_LIMIT + 1000))  # the head passes the limit
        time.sleep(1.0)  # the first answer is out; uvicorn resumes reading for the second
        wire.sock.sendall(b"v" + rest + body)  # the head would now be complete
        for _ in range(3):
            assert read_answer(wire).status == 200
        assert_refusal(read_answer(wire, "POST"), {431})
        assert wire.closed_by_peer()
    assert len(slow_mock.store) == jobs


def test_the_first_refusal_stands(slow_mock: MockServer) -> None:
    """Catches a refusal held for queued answers being replaced by a vaguer one when more
    bytes come."""
    with connected(slow_mock.url) as wire:
        no_host = f"GET /v1/videos HTTP/1.1\r\nAuthorization: Bearer {DEFAULT_KEY}\r\n\r\n"
        wire.sock.sendall(request() + request() + no_host.encode())
        time.sleep(0.3)
        wire.sock.sendall(b"x")
        assert read_answer(wire).status == 200
        assert read_answer(wire).status == 200
        refusal = read_answer(wire)
        assert_refusal(refusal, {400})
        assert "Host" in json.loads(refusal.body)["error"]["message"]


def test_trailer_fields_are_bounded_as_a_head_is(mock: MockServer) -> None:
    """Catches a front with no bound on a chunked body's trailer fields: httptools joins a
    field's pieces in a buffer of its own for as long as the client sends."""
    with connected(mock.url) as wire:
        wire.sock.sendall(request("/v1/videos", "Transfer-Encoding: chunked") + b"0\r\nX-T: ")
        assert read_answer(wire).status == 200  # answered without reading the body
        sent = flood_until_answered(wire)
        answer = read_answer(wire)
        assert answer.status == 431, answer
        assert sent <= 4 * HEAD_LIMIT, sent


def test_the_rest_of_a_body_the_answer_did_not_wait_for_is_timed(slow_mock: MockServer) -> None:
    """Catches a front that, once the answer is out, lets the client trickle the rest of the
    request's body for ever (each byte cancels uvicorn's keep-alive timer)."""
    with connected(slow_mock.url) as wire:
        wire.sock.sendall(request("/v1/videos", "Content-Length: 1000"))
        assert read_answer(wire).status == 200
        started = time.monotonic()
        closed = False
        while not closed and time.monotonic() - started < 8:
            try:
                wire.sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = bool(select.select([wire.sock], [], [], 0.3)[0]) and wire.closed_by_peer()
        assert closed
        assert time.monotonic() - started < 5  # the limit is 2 s


class _Written(asyncio.Transport):
    """A transport that keeps what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.data = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.data += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default


class _StuckAtAnUpgrade:
    """A parser that reports an upgrade without having read a byte."""

    def feed_data(self, data: bytes) -> None:
        raise httptools.HttpParserUpgrade(0)


@pytest.mark.timeout(30)  # a loop fails here, not at the suite's limit
def test_an_upgrade_that_reads_nothing_is_refused_not_looped_on() -> None:
    """Catches `data_received` feeding the same bytes again for ever when the parser stops
    at an upgrade without progress (the bytes after an upgrade are fed on in a loop)."""
    loop = asyncio.new_event_loop()
    try:
        config = protected_config(_echo_after_body, MockConfig(), log_config=None)
        config.load()
        front = GuardedHttpToolsProtocol(config, ServerState(), {}, _loop=loop)
        transport = _Written()
        front.connection_made(transport)
        front.parser = _StuckAtAnUpgrade()  # type: ignore[assignment]
        front.data_received(b"GET / HTTP/1.1\r\n")
        loop.run_until_complete(asyncio.sleep(0))  # the coalesced write goes out
    finally:
        front.connection_lost(None)
        loop.close()
    assert transport.data.startswith(b"HTTP/1.1 400 ")
    assert transport.closed
