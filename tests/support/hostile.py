"""Hostile servers on loopback: a raw asyncio HTTP/1.1 server in front of the mock that changes
one behaviour, and the measurement of the command run against it (exit code, output, time,
peak RSS read from the kernel for that process alone).
"""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aihubmix_videos.models.video_model import check_video_model

from videos_contract.client import RetiredModelWarning, connect, create, wait
from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.spec import load_spec

MODEL = check_video_model(families().default_family.models[0])

CLI = [sys.executable, "-m", "videos_contract"]
MIB = 1024 * 1024
# Every C0 and C1 control, DEL, and the escape sequences a terminal acts on: retitle (OSC 0),
# hyperlink (OSC 8), clear screen, cursor home, DCS, an 8-bit CSI, a right-to-left override.
EVIL = (
    "".join(chr(c) for c in range(0x00, 0x20))
    + "\x7f"
    + "".join(chr(c) for c in range(0x80, 0xA0))
    + "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\"
    + "\x1bP1$r\x1b\\\x9b2J\u202eevil\u2066\u200b"
)


def unsafe_characters(text: str) -> set[str]:
    """The control and format characters of `text` a terminal could act on (newlines and tabs
    excepted: they are ours, between lines and in tables)."""
    import unicodedata

    return {
        c for c in text if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
    }


def example(name: str) -> dict[str, Any]:
    value: dict[str, Any] = load_spec().raw["components"]["examples"][name]["value"]
    return copy.deepcopy(value)


@dataclass
class Seen:
    """One request as the hostile server received it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    raw_head: bytes


@dataclass
class Upstream:
    """A relayed answer of the mock, for a behaviour to pass on, alter or withhold."""

    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """What a behaviour gets: the request, a way to ask the mock, and the socket to answer on."""

    def __init__(self, server: HostileServer, seen: Seen, body: bytes, writer: Any) -> None:
        self.server = server
        self.seen = seen
        self.body = body
        self.writer: asyncio.StreamWriter = writer

    async def upstream(self, **changes: Any) -> Upstream:
        """The mock's answer to this request (headers may be replaced through `changes`)."""
        assert self.server.upstream_url is not None
        headers = {
            k: v
            for k, v in self.seen.headers.items()
            if k not in ("host", "content-length", "connection", "accept-encoding")
        }
        headers.update(changes.get("headers", {}))
        url = f"{self.server.upstream_url}{self.seen.path}"
        if self.seen.query:
            url += "?" + self.seen.query
        async with httpx.AsyncClient(timeout=30.0) as client:
            response = await client.request(
                self.seen.method, url, headers=headers, content=self.body
            )
        drop = ("content-length", "transfer-encoding", "connection", "content-encoding")
        kept = {k: v for k, v in response.headers.items() if k not in drop}
        return Upstream(response.status_code, kept, response.content)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()
        self.server.count(len(data))

    async def head(self, status: int, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """A complete, well-formed answer with its length."""
        headers = {**headers, "content-length": str(len(body)), "connection": "close"}
        await self.head(status, headers)
        await self.send(body)

    async def relay(self) -> None:
        """Pass the mock's answer on unchanged."""
        up = await self.upstream()
        await self.answer(up.status, up.headers, up.body)


Behaviour = Callable[[Connection], Awaitable[None]]
Rule = Callable[[Seen], Behaviour | None]


class HostileServer:
    """A raw HTTP/1.1 server on 127.0.0.1 in a thread; one request per connection.

    `rule(request)` picks the behaviour for a request; None relays it to `upstream_url`.
    Every request is recorded in `seen`; `sent` counts the bytes written back.
    """

    def __init__(self, upstream_url: str | None, rule: Rule) -> None:
        self.upstream_url = upstream_url
        self.rule = rule
        self.seen: list[Seen] = []
        self.sent = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.url = ""

    def count(self, size: int) -> None:
        with self._lock:
            self.sent += size

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path, _, query = target.partition("?")
            seen = Seen(method, path, query, headers, head)
            with self._lock:
                self.seen.append(seen)
            behaviour = self.rule(seen)
            connection = Connection(self, seen, body, writer)
            await (behaviour or Connection.relay)(connection)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass  # the client gave up: exactly what a bounded client does
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    def start(self) -> HostileServer:
        ready = threading.Event()

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            port = self._server.sockets[0].getsockname()[1]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(15), "the hostile server did not start"
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(15)
        self._loop.close()

    def requests_to(self, suffix: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path.endswith(suffix)]


@contextmanager
def hostile(upstream_url: str | None, rule: Rule) -> Iterator[HostileServer]:
    server = HostileServer(upstream_url, rule).start()
    try:
        yield server
    finally:
        server.stop()


# --- behaviours ------------------------------------------------------------------------------


def is_content(seen: Seen) -> bool:
    return seen.method == "GET" and seen.path.endswith("/content")


def is_retrieve(seen: Seen) -> bool:
    parts = seen.path.strip("/").split("/")
    return seen.method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "videos"]


def is_list(seen: Seen) -> bool:
    return seen.method == "GET" and seen.path.rstrip("/") == "/v1/videos"


async def gzip_bomb(conn: Connection, inflated: int = 5 * 1024**3) -> None:
    """A gzip stream of zeros that would inflate to `inflated` bytes (5 GiB), made lazily: the
    server compresses only as much as the client reads, so the bomb costs the test nothing."""
    await conn.head(
        200,
        {
            "content-type": "video/mp4",
            "content-encoding": "gzip",
            "transfer-encoding": "chunked",
            "connection": "close",
        },
    )
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    for _ in range(inflated // MIB):
        data = compressor.compress(zeros)
        if data:
            await conn.send(b"%x\r\n%s\r\n" % (len(data), data))
    data = compressor.flush()
    await conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))


async def huge_json(conn: Connection, size: int = 2 * 1024**3) -> None:
    """A JSON body declaring (and, as long as the client reads, sending) `size` bytes."""
    await conn.head(
        200,
        {"content-type": "application/json", "content-length": str(size), "connection": "close"},
    )
    await conn.send(b'{"id": "')
    chunk = b"a" * MIB
    for _ in range(size // MIB - 1):
        await conn.send(chunk)


async def endless_chunked(conn: Connection) -> None:
    """A chunked JSON body that never ends (whitespace is valid JSON padding)."""
    await conn.head(
        200,
        {"content-type": "application/json", "transfer-encoding": "chunked", "connection": "close"},
    )
    chunk = b" " * (64 * 1024)
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    while True:
        await conn.send(framed)


def trickle(interval: float = 1.0) -> Behaviour:
    """The mock's answer, its head at once and its body one byte every `interval` seconds."""

    async def behaviour(conn: Connection) -> None:
        up = await conn.upstream()
        await conn.head(
            up.status, {**up.headers, "content-length": str(len(up.body)), "connection": "close"}
        )
        for i in range(len(up.body)):
            await conn.send(up.body[i : i + 1])
            await asyncio.sleep(interval)

    return behaviour


def trickle_head(interval: float = 1.0) -> Behaviour:
    """The mock's answer sent whole, status line and headers included, a byte at a time."""

    async def behaviour(conn: Connection) -> None:
        up = await conn.upstream()
        head = f"HTTP/1.1 {up.status} X\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in up.headers.items()
        )
        data = (head + f"content-length: {len(up.body)}\r\n\r\n").encode() + up.body
        for i in range(len(data)):
            await conn.send(data[i : i + 1])
            await asyncio.sleep(interval)

    return behaviour


async def silent(conn: Connection) -> None:
    """Accept the request and never answer (until the server stops)."""
    await asyncio.sleep(3600)


def cut_halfway(conn_close_after: float = 0.5) -> Behaviour:
    """The real asset with no Content-Length, close-delimited, cut after a share of it."""

    async def behaviour(conn: Connection) -> None:
        up = await conn.upstream()
        await conn.head(up.status, {**up.headers, "connection": "close"})
        await conn.send(up.body[: int(len(up.body) * conn_close_after)])

    return behaviour


async def gzipped_asset(conn: Connection) -> None:
    """The real asset gzip-compressed, although the request asked for identity."""
    up = await conn.upstream()
    await conn.answer(up.status, {**up.headers, "content-encoding": "gzip"}, gzip.compress(up.body))


def huge_asset(size: int, declared: bool = False) -> Behaviour:
    """200 with the real asset's headers and its bytes first (a valid MP4 head), then zeros up
    to `size` bytes, close-delimited (no Content-Length) unless `declared`; made as the client
    reads, so the body costs the test nothing."""

    async def behaviour(conn: Connection) -> None:
        up = await conn.upstream()
        if up.status != 200:
            await conn.answer(up.status, up.headers, up.body)
            return
        length = {"content-length": str(size)} if declared else {}
        await conn.head(200, {**up.headers, **length, "connection": "close"})
        await conn.send(up.body)
        left = size - len(up.body)
        zeros = bytes(MIB)
        while left > 0:
            await conn.send(zeros[: min(left, MIB)])
            left -= MIB

    return behaviour


async def empty_asset(conn: Connection) -> None:
    """200 with the asset's headers and an empty body (a 206/416 for ranges as the mock says)."""
    up = await conn.upstream()
    if up.status == 200:
        await conn.answer(200, up.headers, b"")
    else:
        await conn.answer(up.status, up.headers, up.body)


def escapes(seen: Seen) -> Behaviour | None:
    """JSON answers with `EVIL` in every free-text field a human output shows."""

    async def behaviour(conn: Connection) -> None:
        up = await conn.upstream()
        try:
            data = json.loads(up.body)
        except ValueError:
            await conn.answer(up.status, up.headers, up.body)
            return
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            data["error"].update(code=EVIL, message=EVIL, param=EVIL)
        videos = data.get("data", []) if data.get("object") == "list" else [data]
        for video in videos:
            if video.get("object") == "video":
                video.update(prompt=EVIL, remixed_from_video_id=EVIL)
                video.update(status="failed", error={"code": EVIL, "message": EVIL})
            elif video.get("deleted") is True:
                video["id"] = video["id"] + EVIL
        await conn.answer(up.status, up.headers, json.dumps(data).encode())

    return behaviour


def list_cycle(seen: Seen) -> Behaviour | None:
    """List pages that always have more, their `last_id` cycling A, B, A, B..."""
    if not is_list(seen):
        return None

    async def behaviour(conn: Connection) -> None:
        after = dict(p.split("=", 1) for p in seen.query.split("&") if "=" in p).get("after")
        video_id = "video_B" if after == "video_A" else "video_A"
        video = example("CompletedVideo")
        video["id"] = video_id
        page = {
            "object": "list",
            "data": [video],
            "first_id": video_id,
            "last_id": video_id,
            "has_more": True,
        }
        await conn.answer(200, {"content-type": "application/json"}, json.dumps(page).encode())

    return behaviour


def completed_video(mock: MockServer) -> str:
    """The id of a job created on the mock and waited for until it is completed."""
    with connect(mock.url, mock.key) as client, warnings.catch_warnings():
        # The multipart form is Sora's, past its sunset; the warning is not under test here.
        warnings.simplefilter("ignore", RetiredModelWarning)
        job = create(client, "a calm lake", model=MODEL)
        return wait(client, job.id, timeout=30, interval=0.05).id


def cdn(key: str) -> Rule:
    """A CDN on another origin: `/cdn/PATH` answers what the mock answers for `PATH`, fetched
    with the mock's `key` server side (never taken from the client's request)."""

    def rule(seen: Seen) -> Behaviour:
        async def serve(conn: Connection) -> None:
            conn.seen.path = conn.seen.path.removeprefix("/cdn")
            up = await conn.upstream(headers={"authorization": f"Bearer {key}"})
            await conn.answer(up.status, up.headers, up.body)

        return serve

    return rule


def redirect_content(cdn_url: str | None) -> Rule:
    """`/content` answers 302 to `CDN_URL/cdn/...` (`cdn`), or to itself when `cdn_url` is None;
    every other request is relayed."""

    def rule(seen: Seen) -> Behaviour | None:
        if not is_content(seen):
            return None

        async def redirect(conn: Connection) -> None:
            where = seen.path if cdn_url is None else f"{cdn_url}/cdn{seen.path}"
            query = f"?{seen.query}" if seen.query else ""
            await conn.answer(302, {"location": where + query}, b"")

        return redirect

    return rule


@contextmanager
def behind_a_cdn(mock_url: str, key: str) -> Iterator[tuple[HostileServer, HostileServer]]:
    """`(cdn, api)`: an API that relays to the mock but redirects `/content` to `cdn`."""
    with hostile(mock_url, cdn(key)) as cdn_server:
        with hostile(mock_url, redirect_content(cdn_server.url)) as api:
            yield cdn_server, api


# --- running a command and measuring it ------------------------------------------------------


@dataclass
class Measured:
    """A finished command: exit code, output, wall time, the peak RSS of that process
    (`rss_mib`) and the largest peak among the processes it started (`child_rss_mib`, the
    audit's fuzzer)."""

    code: int
    out: str
    err: str
    seconds: float
    rss_mib: float
    child_rss_mib: float = 0.0
    files: dict[str, str] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.out + self.err


def _peak_mib(pid: int) -> float | None:
    """`VmHWM` (the peak resident set) of a live process, in MiB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listed:
                found += [int(p) for p in listed.read().split()]
    except OSError:
        pass
    return found


class _Sampler(threading.Thread):
    """Reads the peak RSS of a process and of its descendants every 20 ms until told to stop
    (each `VmHWM` only grows, so the last reading before exit is the process's peak)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.own = 0.0
        self.children = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            own = _peak_mib(self.pid)
            if own is not None:
                self.own = max(self.own, own)
            pending = _children(self.pid)
            while pending:
                child = pending.pop()
                peak = _peak_mib(child)
                if peak is not None:
                    self.children = max(self.children, peak)
                pending += _children(child)


def run_measured(
    args: list[str], env: dict[str, str], timeout: float = 120.0, cwd: Path | None = None
) -> Measured:
    """Run `videos-contract ARGS` and measure it (see `Measured`); the kernel's `ru_maxrss`
    for the child also bounds its own figure from above."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOS_")}
    full_env.update(env, PYTHONUNBUFFERED="1", COLUMNS="200")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [*CLI, *args], stdout=out, stderr=err, env=full_env, cwd=cwd, start_new_session=True
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        sampler = _Sampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            sampler.done.set()
            sampler.join()
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            process.returncode,
            out.read().decode("utf-8", errors="replace"),
            err.read().decode("utf-8", errors="replace"),
            seconds,
            # The sampler may miss the last 20 ms; ru_maxrss never does but takes children in.
            sampler.own or usage.ru_maxrss / 1024,
            sampler.children,
        )


def self_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
