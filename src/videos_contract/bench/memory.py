"""Memory: the peak resident set of what users run on large videos.

- `videos-contract create --wait --output FILE` of a video as large as the run's transfers
  (1 GiB at full size). The mock renders short clips of a few hundred kB, so the server is a
  job app (`apps.job_app`): create and retrieve answer a completed job that the mock made, and
  the content streams the full size. Baseline: the same command without `--output` (create
  and wait, no download). Peak RSS is `ru_maxrss` of the command's process (`procs.run_measured`).
- The validating proxy passing on a body of that size (a streaming app behind it): its peak
  RSS (`VmHWM`) against its own before the transfer.

The standard audit's peak is taken by the audit benchmark (`tooling`), from the same run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from videos_contract.bench.procs import BenchProcessError, peak_rss_kib, run_measured, served
from videos_contract.bench.proxy_overhead import proxy_process
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import MIB, Sizes
from videos_contract.bench.throughput import MODEL, PROMPT
from videos_contract.mock import DEFAULT_KEY
from videos_contract.protocol import KEY_ENV, URL_ENV, protocol

__all__ = ["measure_memory"]

_AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
_AT_MOST = Target(100.0, at_least=False, on_value=True, unit="MiB")


def _completed_video() -> dict[str, Any]:
    """A completed job, as the mock answers it."""
    terminal = protocol().terminal_statuses
    with (
        served("mock", {"render_seconds": 0.2}) as mock,
        httpx.Client(base_url=mock.url, headers=_AUTH, timeout=30.0) as http,
    ):
        created = http.post("/v1/videos", json={"prompt": PROMPT, "model": MODEL})
        created.raise_for_status()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            video: dict[str, Any] = http.get(f"/v1/videos/{created.json()['id']}").json()
            if video["status"] in terminal:
                return video
            time.sleep(0.1)
    raise BenchProcessError("the mock's job did not complete within 60 s")


def _create_output(sizes: Sizes) -> Figure:
    total = sizes.transfer_bytes
    video = _completed_video()
    command = [str(Path(sys.executable).parent / "videos-contract"), "create", "-q"]
    env = {k: v for k, v in os.environ.items() if k != URL_ENV} | {KEY_ENV: DEFAULT_KEY}
    with (
        served("job", {"video": video, "bytes": total}) as job,
        tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
    ):
        output = Path(tmp) / "video.mp4"
        arguments = ["--url", job.url, "--model", MODEL, "--prompt", PROMPT, "--wait"]
        plain = run_measured([*command, *arguments], env=env)
        run = run_measured([*command, *arguments, "--output", str(output)], env=env)
        written = output.stat().st_size if output.exists() else 0
    if run["exit_code"] != 0 or plain["exit_code"] != 0 or written != total:
        raise BenchProcessError(
            f"create --wait --output exited {run['exit_code']} (without --output: "
            f"{plain['exit_code']}) and wrote {written} of {total} bytes"
        )
    mib = total // MIB
    return Figure(
        key="memory_create_output",
        title=f"`videos-contract create --wait --output` of a {mib} MiB video: peak RSS",
        unit="MiB",
        value=run["peak_rss_kib"] / 1024,
        baseline_title="the same command without `--output` (no download)",
        baseline=plain["peak_rss_kib"] / 1024,
        target=_AT_MOST,
        note=f"{run['seconds']:.1f} s for create, wait and the {mib} MiB download; the server "
        "answers a completed job of the mock and streams the content",
        details={"run": run, "without_output": plain, "bytes": total},
    )


def _proxy_stream(sizes: Sizes) -> Figure:
    total = sizes.transfer_bytes
    with (
        served("stream", {"bytes": total}) as stream,
        proxy_process(stream.url) as proxy,
        httpx.Client(headers=_AUTH, timeout=600.0) as http,
    ):
        before = peak_rss_kib(proxy.pid)
        received = 0
        started = time.perf_counter()
        with http.stream("GET", f"{proxy.url}/v1/videos/video_bench/content") as reply:
            reply.raise_for_status()
            for chunk in reply.iter_raw():
                received += len(chunk)
        seconds = time.perf_counter() - started
        after = peak_rss_kib(proxy.pid)
    if received != total:
        raise BenchProcessError(f"read {received} of {total} bytes through the proxy")
    mib = total // MIB
    return Figure(
        key="memory_proxy_stream",
        title=f"Validating proxy passing on {mib} MiB: proxy peak RSS",
        unit="MiB",
        value=after / 1024,
        baseline_title="the same proxy process before the transfer",
        baseline=before / 1024,
        target=_AT_MOST,
        note=f"{total / seconds / 1e6:,.0f} MB/s; the proxy spools the body to disk to decode it",
        details={"bytes": total, "seconds": seconds},
    )


def measure_memory(sizes: Sizes) -> list[Figure]:
    """Peak RSS of `create --wait --output` and of the proxy, each on a large video."""
    return [_create_output(sizes), _proxy_stream(sizes)]
