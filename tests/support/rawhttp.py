"""HTTP/1.1 at the byte level, for tests of what a server does on the wire.

`RawUpstream` is a server on 127.0.0.1 (a thread per connection, kept-alive connections) that
records every complete request it read (`arrived`) and the first line of every head
(`heads`), counts the connections it accepted and the bytes it received, and answers with
whatever raw bytes its handler gives: an answer without a length that ends when the
connection closes, chunks, a 204, a HEAD answer that declares a length and sends nothing, a
body of any size produced piece by piece.

`Wire` reads a socket through a buffer; `read_answer` reads one answer from it as a client
does (1xx, HEAD, 204 and 304 without a body; chunked, Content-Length or until the close).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

__all__ = [
    "Answer",
    "Arrived",
    "RawUpstream",
    "Reply",
    "Wire",
    "connected",
    "head",
    "read_answer",
]

Headers = list[tuple[str, str]]


class Wire:
    """A socket read through a buffer; `b""` from `recv` is the peer's close."""

    def __init__(self, sock: socket.socket, on_bytes: Callable[[int], None] | None = None) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.eof = False
        self._on_bytes = on_bytes

    def _fill(self) -> None:
        data = self.sock.recv(1024 * 1024)
        if not data:
            self.eof = True
            raise EOFError("the peer closed the connection")
        if self._on_bytes is not None:
            self._on_bytes(len(data))
        self.buffer += data

    def line(self) -> bytes:
        """One line, without its CRLF."""
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._fill()
        data = bytes(self.buffer[:end])
        del self.buffer[: end + 2]
        return data

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def to_eof(self) -> bytes:
        try:
            while True:
                self._fill()
        except EOFError:
            pass
        data = bytes(self.buffer)
        self.buffer.clear()
        return data

    def closed_by_peer(self) -> bool:
        """True when the peer closed the connection (or reset it) with nothing more to say;
        False when bytes came or the socket's timeout passed first."""
        if self.buffer:
            return False
        try:
            return self.sock.recv(1) == b""
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True

    def head(self) -> tuple[str, Headers]:
        """The first line and the header fields up to the empty line."""
        first = self.line().decode("latin-1")
        fields: Headers = []
        while raw := self.line():
            name, _, value = raw.decode("latin-1").partition(":")
            fields.append((name.strip(), value.strip()))
        return first, fields

    def body(self, fields: Headers, *, until_close: bool) -> bytes:
        """The body the header fields frame (chunked, Content-Length, or up to the close)."""
        if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in fields):
            pieces: list[bytes] = []
            while size := int(self.line().split(b";", 1)[0].strip(), 16):
                pieces.append(self.exactly(size))
                self.exactly(2)
            while self.line():  # trailer fields, up to the empty line
                pass
            return b"".join(pieces)
        length = next((v for k, v in fields if k.lower() == "content-length"), None)
        if length is not None:
            return self.exactly(int(length))
        return self.to_eof() if until_close else b""


@contextmanager
def connected(url: str, timeout: float = 10.0) -> Iterator[Wire]:
    """A raw client connection to `url`'s host and port; no wait for a byte is longer than
    `timeout` (a server that hangs fails the test, it does not stall it)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=timeout)
    try:
        yield Wire(sock)
    finally:
        sock.close()


def _get(fields: Headers, name: str) -> str | None:
    return next((v for k, v in fields if k.lower() == name.lower()), None)


@dataclass
class Answer:
    """One answer as a client read it."""

    status: int
    headers: Headers
    body: bytes

    def header(self, name: str) -> str | None:
        return _get(self.headers, name)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def read_answer(wire: Wire, method: str = "GET") -> Answer:
    """The next answer on `wire` (a 1xx is an answer of its own, without a body)."""
    first, fields = wire.head()
    version, status_text = first.split(" ", 2)[:2]
    assert version.startswith("HTTP/1."), first
    status = int(status_text)
    if method == "HEAD" or 100 <= status < 200 or status in (204, 304):
        return Answer(status, fields, b"")
    return Answer(status, fields, wire.body(fields, until_close=True))


@dataclass
class Arrived:
    """One complete request as the upstream read it."""

    method: str
    target: str
    headers: Headers
    body: bytes
    connection: int  # which accepted connection it came on, from 1

    def header(self, name: str) -> str | None:
        return _get(self.headers, name)

    def names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers}


@dataclass
class Reply:
    """Raw bytes to send back (the head included), then whether to close the connection."""

    data: Iterable[bytes]
    close: bool = False


def head(status: int, fields: Headers, reason: str = "X") -> bytes:
    """A status line and header fields, up to and with the empty line."""
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class RawUpstream:
    """A raw HTTP/1.1 server on 127.0.0.1 for a `with` block; `handler` answers each request.

    The handler runs in the connection's thread (it may sleep); what it returns is written as
    it is produced. A connection ends when the client closes it or a reply says `close`."""

    handler: Callable[[Arrived], Reply]
    arrived: list[Arrived] = field(default_factory=list)
    # The first line of every request head read, its body complete or not.
    heads: list[str] = field(default_factory=list)
    accepted: int = 0
    received: int = 0
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _open: list[socket.socket] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> RawUpstream:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        accepting = threading.Thread(target=self._accept, name="raw upstream", daemon=True)
        accepting.start()
        self._threads.append(accepting)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        with self._lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in list(self._threads):
            thread.join(timeout=10)
        self._listener.close()

    def _count(self, size: int) -> None:
        with self._lock:
            self.received += size

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.accepted += 1
                number = self.accepted
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        wire = Wire(conn, self._count)
        try:
            while not self._stop.is_set():
                first, fields = wire.head()
                with self._lock:
                    self.heads.append(first)
                method, target, _ = first.split(" ", 2)
                body = wire.body(fields, until_close=False)
                arrived = Arrived(method, target, fields, body, number)
                with self._lock:
                    self.arrived.append(arrived)
                reply = self.handler(arrived)
                for piece in reply.data:
                    conn.sendall(piece)
                if reply.close:
                    return
        except (EOFError, OSError, ValueError):
            return  # the client went away (or sent what this server cannot read)
        finally:
            with self._lock:
                if conn in self._open:
                    self._open.remove(conn)
            conn.close()
