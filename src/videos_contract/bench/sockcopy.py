"""The floor for a transfer: the same number of bytes copied over a loopback TCP socket with
`sendall` and `recv_into`, one process sending and one receiving, nothing else.

`python -m videos_contract.bench.sockcopy recv` prints its port, receives until EOF, answers
the byte count and prints a JSON line; `... send PORT BYTES [FILE]` sends BYTES (read from FILE
when given, else a pattern from memory) and prints the seconds until the receiver confirmed.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from videos_contract.bench.apps import CHUNK_BYTES, pattern_block
from videos_contract.bench.procs import peak_rss_kib

__all__ = ["main"]


def _receive() -> dict[str, Any]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    buffer = memoryview(bytearray(CHUNK_BYTES))
    received = 0
    while True:
        count = conn.recv_into(buffer)
        if not count:
            break
        received += count
    conn.sendall(struct.pack("!Q", received))
    conn.close()
    listener.close()
    return {"bytes": received, "peak_rss_kib": peak_rss_kib()}


def _pieces(total: int, source: Path | None) -> Iterator[bytes]:
    """`total` bytes in chunks: read from `source`, or one pattern block sent again and again."""
    if source is None:
        block = pattern_block()
        for start in range(0, total, len(block)):
            yield block[: total - start]
        return
    with source.open("rb") as handle:
        left = total
        while left > 0 and (piece := handle.read(min(CHUNK_BYTES, left))):
            left -= len(piece)
            yield piece


def _send(port: int, total: int, source: Path | None) -> dict[str, Any]:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        started = time.perf_counter()
        for piece in _pieces(total, source):
            conn.sendall(piece)
        conn.shutdown(socket.SHUT_WR)
        (confirmed,) = struct.unpack("!Q", conn.recv(8, socket.MSG_WAITALL))
        elapsed = time.perf_counter() - started
    return {"bytes": confirmed, "seconds": elapsed, "peak_rss_kib": peak_rss_kib()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[0] == "recv":
        result = _receive()
    else:
        result = _send(int(args[1]), int(args[2]), Path(args[3]) if len(args) > 3 else None)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
