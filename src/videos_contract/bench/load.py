"""A load generator in its own process: N concurrent keep-alive connections, bounded in count
and time, on loopback.

`python -m videos_contract.bench.load SPECS_JSON` runs each spec of a JSON list in turn (one
process start for all) and prints one JSON line: per spec, requests completed, seconds,
statuses, latency (median and 99th percentile, each request timed from its send to the end of
its answer), and the CPU seconds the client and (when its pid is given) the server spent during
the measured phase. A warm-up phase first opens every connection and is not counted.

Two clients: `httpx` (an `AsyncClient`), and `raw`, asyncio streams sending a request built
once and reading the answer by its `Content-Length`. httpx spends more CPU per request than a
small server does, so on two cores it cannot load a server fully; `raw` spends a fraction of
that, so the server is what limits the rate.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from videos_contract.bench.procs import cpu_seconds

__all__ = ["LoadSpec", "latency_summary", "main", "run_load"]


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
    client: str = "httpx"

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LoadSpec:
        headers = tuple((str(name), str(value)) for name, value in raw.get("headers", ()))
        return cls(**{**raw, "headers": headers})

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "headers": [list(pair) for pair in self.headers]}


Phase = tuple[int, float, Counter[int], list[float]]


async def _phase(
    client: httpx.AsyncClient, spec: LoadSpec, body: bytes | None, count: int, seconds: float
) -> Phase:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            sent = time.perf_counter()
            response = await client.request(
                spec.method, spec.url, headers=dict(spec.headers), content=body
            )
            latencies.append(time.perf_counter() - sent)
            statuses[response.status_code] += 1

    await asyncio.gather(*(worker() for _ in range(spec.concurrency)))
    return sum(statuses.values()), time.perf_counter() - started, statuses, latencies


def _raw_request(spec: LoadSpec, body: bytes | None) -> tuple[str, int, bytes]:
    """Host, port and the bytes of one HTTP/1.1 request, built once."""
    url = httpx.URL(spec.url)
    port = url.port or 80
    lines = [f"{spec.method} {url.raw_path.decode('ascii')} HTTP/1.1", f"Host: {url.host}:{port}"]
    lines += [f"{name}: {value}" for name, value in spec.headers]
    lines.append(f"Content-Length: {len(body or b'')}")
    return url.host, port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


async def _raw_phase(
    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    request: bytes,
    count: int,
    seconds: float,
) -> Phase:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds
    issued = 0

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            sent = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.partition(b":")[2])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            statuses[int(head[9:12])] += 1

    await asyncio.gather(*(worker(reader, writer) for reader, writer in streams))
    return sum(statuses.values()), time.perf_counter() - started, statuses, latencies


def latency_summary(latencies: list[float]) -> dict[str, float]:
    """Median and 99th percentile of request latencies, in milliseconds."""
    if not latencies:
        return {"median_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return {"median_ms": statistics.median(ordered) * 1e3, "p99_ms": p99 * 1e3}


async def _measure(
    spec: LoadSpec, phase: Callable[[int, float], Awaitable[Phase]]
) -> tuple[int, float, Counter[int], float, float, dict[str, float]]:
    await phase(10**9, spec.warmup_seconds)
    client_cpu = cpu_seconds()
    server_cpu = cpu_seconds(spec.server_pid) if spec.server_pid else 0.0
    done, elapsed, statuses, latencies = await phase(spec.count, spec.seconds)
    client_cpu = cpu_seconds() - client_cpu
    server_cpu = (cpu_seconds(spec.server_pid) - server_cpu) if spec.server_pid else 0.0
    return done, elapsed, statuses, client_cpu, server_cpu, latency_summary(latencies)


async def run_load(spec: LoadSpec) -> dict[str, Any]:
    """Warm up, then send until `count` requests are done or `seconds` have passed."""
    body = Path(spec.body_file).read_bytes() if spec.body_file else None
    if spec.client == "raw":
        host, port, request = _raw_request(spec, body)
        streams = [await asyncio.open_connection(host, port) for _ in range(spec.concurrency)]
        try:
            done, elapsed, statuses, client_cpu, server_cpu, latency = await _measure(
                spec, lambda count, seconds: _raw_phase(streams, request, count, seconds)
            )
        finally:
            for _, writer in streams:
                writer.close()
    else:
        limits = httpx.Limits(
            max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency
        )
        async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
            done, elapsed, statuses, client_cpu, server_cpu, latency = await _measure(
                spec, lambda count, seconds: _phase(client, spec, body, count, seconds)
            )
    return {
        "requests": done,
        "seconds": elapsed,
        "per_second": done / elapsed if elapsed > 0 else 0.0,
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "client_cpu_seconds": client_cpu,
        "server_cpu_seconds": server_cpu,
        "latency": latency,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    specs = [LoadSpec.from_dict(raw) for raw in json.loads(args[0])]
    print(json.dumps({"runs": [asyncio.run(run_load(spec)) for spec in specs]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
