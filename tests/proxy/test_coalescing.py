"""The relay front's writes: an answer's small pieces go out in one write at the next turn of
the loop; pieces that add up to `COALESCE_BYTES` go out at once, so that a body streamed from
memory reaches the transport (and its flow control) instead of piling up unwritten."""

from __future__ import annotations

import asyncio
from typing import Any

from videos_contract.relay.front import COALESCE_BYTES, Coalescing


class _Recorder:
    """The transport's side: what was written, in what pieces."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


def _coalescing(loop: asyncio.AbstractEventLoop) -> tuple[Coalescing, _Recorder]:
    recorder = _Recorder()
    transport: Any = recorder
    return Coalescing(transport, loop), recorder


def test_small_pieces_go_out_as_one_write_at_the_next_turn() -> None:
    async def scenario() -> list[list[bytes]]:
        coalescing, recorder = _coalescing(asyncio.get_running_loop())
        coalescing.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        coalescing.write(b"{}")
        before = list(recorder.writes)
        await asyncio.sleep(0)
        return [before, recorder.writes]

    before, after = asyncio.run(scenario())
    assert before == []
    assert after == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]


def test_a_large_body_reaches_the_transport_without_waiting_for_the_loop() -> None:
    async def scenario() -> list[int]:
        coalescing, recorder = _coalescing(asyncio.get_running_loop())
        coalescing.write(b"HTTP/1.1 200 OK\r\n\r\n")
        piece = bytes(COALESCE_BYTES // 4)
        # An app streaming from memory: every piece written within one turn of the loop.
        for _ in range(16):
            coalescing.write(piece)
        held_back = sum(len(p) for p in recorder.writes)
        await asyncio.sleep(0)
        return [held_back, sum(len(p) for p in recorder.writes)]

    held_back, written = asyncio.run(scenario())
    total = len(b"HTTP/1.1 200 OK\r\n\r\n") + 16 * (COALESCE_BYTES // 4)
    # At most one coalescing window is ever held; all of it is out after the turn.
    assert total - held_back < COALESCE_BYTES
    assert written == total


def test_order_is_kept_across_early_and_scheduled_writes() -> None:
    async def scenario() -> bytes:
        coalescing, recorder = _coalescing(asyncio.get_running_loop())
        coalescing.write(b"a")
        coalescing.write(b"b" * COALESCE_BYTES)  # written at once, after "a"
        coalescing.write(b"c")  # held for the turn
        await asyncio.sleep(0)
        coalescing.write(b"d")
        coalescing.close()  # what is held goes out before the close
        return b"".join(recorder.writes)

    assert asyncio.run(scenario()) == b"a" + b"b" * COALESCE_BYTES + b"cd"
