"""A load generator in its own process: N concurrent httpx connections, bounded in count and
time, on loopback.

`python -m videos_contract.bench.load SPEC_JSON` prints one JSON line: requests completed,
seconds, statuses, and the CPU seconds the client and (when its pid is given) the server spent
during the measured phase. A warm-up phase first opens every connection and is not counted.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from videos_contract.bench.procs import cpu_seconds

__all__ = ["LoadSpec", "main", "run_load"]


@dataclass(frozen=True)
class LoadSpec:
    """What to send, how many at once, and when to stop."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body_file: str | None = None
    concurrency: int = 16
    count: int = 2000
    seconds: float = 10.0
    warmup_seconds: float = 0.5
    server_pid: int | None = None

    @classmethod
    def from_json(cls, text: str) -> LoadSpec:
        raw: dict[str, Any] = json.loads(text)
        raw["headers"] = tuple(tuple(pair) for pair in raw.get("headers", ()))
        return cls(**raw)


async def _phase(
    client: httpx.AsyncClient, spec: LoadSpec, body: bytes | None, count: int, seconds: float
) -> tuple[int, float, Counter[int]]:
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    deadline = started + seconds
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            response = await client.request(
                spec.method, spec.url, headers=dict(spec.headers), content=body
            )
            statuses[response.status_code] += 1

    await asyncio.gather(*(worker() for _ in range(spec.concurrency)))
    return sum(statuses.values()), time.perf_counter() - started, statuses


async def run_load(spec: LoadSpec) -> dict[str, Any]:
    """Warm up, then send until `count` requests are done or `seconds` have passed."""
    body = Path(spec.body_file).read_bytes() if spec.body_file else None
    limits = httpx.Limits(
        max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency
    )
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
        await _phase(client, spec, body, 10**9, spec.warmup_seconds)
        client_cpu = cpu_seconds()
        server_cpu = cpu_seconds(spec.server_pid) if spec.server_pid else 0.0
        done, elapsed, statuses = await _phase(client, spec, body, spec.count, spec.seconds)
        client_cpu = cpu_seconds() - client_cpu
        server_cpu = (cpu_seconds(spec.server_pid) - server_cpu) if spec.server_pid else 0.0
    return {
        "requests": done,
        "seconds": elapsed,
        "per_second": done / elapsed if elapsed > 0 else 0.0,
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "client_cpu_seconds": client_cpu,
        "server_cpu_seconds": server_cpu,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(json.dumps(asyncio.run(run_load(LoadSpec.from_json(args[0])))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
