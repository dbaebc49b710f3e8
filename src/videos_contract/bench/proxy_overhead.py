"""Benchmark: what the validating proxy costs a client, against talking to the server directly
in the same run.

Retrieve latency: the median time of one `GET /v1/videos/{id}` on the mock, sequential on a
kept-alive httpx client, through `videos-contract proxy` (its own process, checking every
answer) and directly, in alternating blocks so that a burst of other work hits both alike.
Download throughput: one large `video/mp4` body (a streaming app, as in the transfers
benchmark) read raw through the proxy, which passes it on while spooling it to disk, and
directly. The proxy's checks of an answer run after the client has it; they count here only
through the CPU they take from the others on a shared machine.

Neither figure has a target: the proxy's goals are set against the tools a user would put in
its place (`bench.peers`), not against no proxy at all.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from videos_contract.bench.procs import BenchProcessError, ServedApp, served
from videos_contract.bench.results import Figure
from videos_contract.bench.rounds import Rounds
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import MODEL
from videos_contract.mock import DEFAULT_KEY

__all__ = [
    "measure_proxy_overhead",
    "proxy_process",
    "sequential_latencies",
]

# No targets: the proxy's goals are against its peers (`bench.peers`: Prism and mitmproxy in
# front of the same server); what it costs against no proxy at all is information.
_BLOCK = 50
_AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


@contextmanager
def proxy_process(upstream: str) -> Iterator[ServedApp]:
    """`videos-contract proxy` in front of `upstream` in its own process: its URL and pid."""
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as reports:
        command = [sys.executable, "-m", "videos_contract", "proxy", "--upstream", upstream]
        command += ["--port", "0", "--report-dir", reports]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        drain: threading.Thread | None = None
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            if "listening on " not in banner:
                raise BenchProcessError(f"the proxy did not start: {banner!r}")
            # Lines it prints go to a pipe: keep it drained so that the proxy never blocks.
            stdout = process.stdout
            drain = threading.Thread(target=stdout.read, daemon=True)
            drain.start()
            yield ServedApp(banner.split("listening on ", 1)[1].split(",", 1)[0], process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if drain is not None:
                drain.join(timeout=10)  # the pipe ends with the process
            if process.stdout is not None:
                process.stdout.close()


def sequential_latencies(http: httpx.Client, url: str, count: int) -> list[float]:
    """The time of each of `count` GETs of `url`, one after another on one connection."""
    times = []
    for _ in range(count):
        begun = time.perf_counter()
        reply = http.get(url)
        times.append(time.perf_counter() - begun)
        reply.raise_for_status()
    return times


def _retrieve_latency(sizes: Sizes) -> Figure:
    calls = max(_BLOCK, min(sizes.client_calls, 1000))
    blocks = max(1, calls // _BLOCK // sizes.rounds)
    with served("mock", {"render_seconds": 1.0}) as mock, proxy_process(mock.url) as proxy:
        with httpx.Client(headers=_AUTH, timeout=30.0) as http:
            created = http.post(
                f"{mock.url}/v1/videos", json={"prompt": "a red fox", "model": MODEL}
            )
            created.raise_for_status()
            path = f"/v1/videos/{created.json()['id']}"
            direct: list[float] = []
            proxied: list[float] = []
            medians: list[tuple[float, float]] = []
            sequential_latencies(http, mock.url + path, _BLOCK)  # warm both paths up
            sequential_latencies(http, proxy.url + path, _BLOCK)
            cpu = {"mock": 0.0, "proxy": 0.0}
            for _ in range(sizes.rounds):
                round_direct: list[float] = []
                round_proxied: list[float] = []
                for _ in range(blocks):
                    round_direct += sequential_latencies(http, mock.url + path, _BLOCK)
                    before = (mock.cpu_seconds(), proxy.cpu_seconds())
                    round_proxied += sequential_latencies(http, proxy.url + path, _BLOCK)
                    cpu["mock"] += mock.cpu_seconds() - before[0]
                    cpu["proxy"] += proxy.cpu_seconds() - before[1]
                medians.append(
                    (statistics.median(round_proxied) * 1e3, statistics.median(round_direct) * 1e3)
                )
                direct += round_direct
                proxied += round_proxied
    rounds = Rounds(tuple(medians))
    via, plain = rounds.median_pair
    # Independent of how busy the machine is: the CPU each process spent per retrieve.
    per_call = {name: seconds * 1e3 / len(proxied) for name, seconds in cpu.items()}
    return Figure(
        key="proxy_retrieve_latency",
        title="Retrieve latency through the validating proxy (median)",
        unit="ms",
        value=via,
        baseline_title="the same retrieve sent to the mock directly",
        baseline=plain,
        note=(
            f"{rounds.verdict(None)}; {len(proxied)} sequential retrieves each way, "
            f"kept-alive httpx client; CPU per proxied retrieve: proxy "
            f"{per_call['proxy']:.2f} ms, mock {per_call['mock']:.2f} ms"
        ),
        details={
            "calls": len(proxied),
            "rounds": rounds.details(),
            "cpu_ms_per_proxied_retrieve": per_call,
            "proxy_p90_ms": statistics.quantiles(proxied, n=10)[-1] * 1e3,
            "direct_p90_ms": statistics.quantiles(direct, n=10)[-1] * 1e3,
        },
    )


def _read(http: httpx.Client, url: str) -> tuple[int, float]:
    begun = time.perf_counter()
    size = 0
    with http.stream("GET", url) as reply:
        reply.raise_for_status()
        for chunk in reply.iter_raw():
            size += len(chunk)
    return size, time.perf_counter() - begun


def _download_throughput(sizes: Sizes) -> Figure:
    total = max(1024 * 1024, sizes.transfer_bytes // 4)
    with (
        served("stream", {"bytes": total}) as stream,
        proxy_process(stream.url) as proxy,
        httpx.Client(headers=_AUTH, timeout=300.0) as http,
    ):
        path = "/v1/videos/video_bench/content"
        runs: dict[str, list[float]] = {"direct": [], "proxy": []}
        for index in range(max(2, sizes.rounds)):
            pair = (("direct", stream.url), ("proxy", proxy.url))
            for name, base in pair if index % 2 == 0 else reversed(pair):
                size, seconds = _read(http, base + path)
                if size != total:
                    raise BenchProcessError(f"{name}: read {size} of {total} bytes")
                runs[name].append(size / seconds / 1e6)
    rounds = Rounds.of(runs["proxy"], runs["direct"])
    via, plain = rounds.median_pair
    return Figure(
        key="proxy_download_throughput",
        title=f"Download throughput through the validating proxy ({total // (1024 * 1024)} MiB)",
        unit="MB/s",
        value=via,
        baseline_title="the same download from the server directly",
        baseline=plain,
        note=f"{rounds.verdict(None)}; the proxy also spools the body to disk for decoding",
        details={
            "runs_mb_per_s": runs,
            "bytes": total,
            "rounds": rounds.details(),
        },
    )


def measure_proxy_overhead(sizes: Sizes) -> list[Figure]:
    """Retrieve latency and download throughput, through the proxy and direct."""
    return [_retrieve_latency(sizes), _download_throughput(sizes)]
