"""Benchmark 3: `async_wait` on many concurrent jobs of the mock: every job completes, none is
lost, and the wall time is compared with the render time of one job (the floor).

Each run takes a fresh mock and a client process of its own (`python -m
videos_contract.bench.waiting SPEC_JSON`, which prints one JSON line), with the client exactly
as `connect()` builds it, so that the client's peak RSS is its own: 1,000 jobs against the
target, then 10,000 jobs, whose peak RSS is compared with that of the 1,000 (memory must stay
bounded, not grow with the jobs). Each run is bounded by a cap: jobs still being waited for
then are counted as unfinished, not lost (the server's list shows whether they completed).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

from aihubmix_videos.models import Video

from videos_contract.bench.procs import cpu_seconds, peak_rss_kib, run_worker, served
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import MODEL, PROMPT
from videos_contract.client import async_create, async_wait, connect, iter_videos
from videos_contract.mock import DEFAULT_KEY
from videos_contract.spec import load_spec

__all__ = ["main", "measure_wait", "run_jobs"]

_TARGET = Target(1.2, at_least=False)


async def run_jobs(url: str, jobs: int, render_seconds: float, *, cap: float) -> dict[str, Any]:
    """Create `jobs` jobs at once and wait for each; stop waiting after `cap` seconds."""
    client = connect(url, DEFAULT_KEY)
    polls: Counter[str] = Counter()

    def count(video: Video) -> None:
        polls[video.id] += 1

    async def one() -> Video:
        video = await async_create(client, PROMPT, model=MODEL)
        return await async_wait(
            client, video.id, timeout=render_seconds * 20 + 120, on_progress=count
        )

    before = peak_rss_kib()
    started = time.perf_counter()
    cpu_started = time.process_time()
    tasks = [asyncio.ensure_future(one()) for _ in range(jobs)]
    done, pending = await asyncio.wait(tasks, timeout=cap)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await client.get_async_httpx_client().aclose()
    outcomes = [task.result() if not task.exception() else task.exception() for task in done]
    completed = [o for o in outcomes if isinstance(o, Video) and o.status == "completed"]
    errors = Counter(type(o).__name__ for o in outcomes if isinstance(o, BaseException))
    return {
        "seconds": elapsed,
        "client_cpu_seconds": cpu,
        "completed": len(completed),
        "unfinished_at_cap": len(pending),
        "distinct_ids": len({video.id for video in completed}),
        "errors": dict(errors),
        "polls": sum(polls.values()),
        "start_rss_kib": before,
    }


def _one_run(jobs: int, render: float, cap: float) -> dict[str, Any]:
    with served("mock", {"render_seconds": render}) as server:
        spec = {"url": server.url, "jobs": jobs, "render": render, "cap": cap}
        run = run_worker("videos_contract.bench.waiting", json.dumps(spec), timeout=cap + 120)
        server_cpu = server.cpu_seconds()
        server_rss = server.peak_rss_kib()
        with connect(server.url, DEFAULT_KEY) as lister:
            largest = load_spec().operation("listVideos").parameter("limit")["schema"]["maximum"]
            listed = list(iter_videos(lister, limit=largest))
    return {
        **run,
        "jobs": jobs,
        "lost": jobs - run["completed"] - run["unfinished_at_cap"],
        "server_cpu_seconds": server_cpu,
        "server_peak_rss_kib": server_rss,
        "jobs_on_server": len(listed),
        "server_statuses": dict(Counter(video.status for video in listed)),
        "polls_per_job": run["polls"] / max(1, jobs),
    }


def _note(run: dict[str, Any], cap: float) -> str:
    jobs = run["jobs"]
    if run["unfinished_at_cap"]:
        head = f"{run['completed']} of {jobs} completed within the {cap:g} s cap"
    else:
        head = f"{run['completed']} of {jobs} completed"
    return (
        f"{head}, {run['lost']} lost; {run['polls_per_job']:.1f} polls per job; client CPU "
        f"{run['client_cpu_seconds']:.1f} s, peak RSS {run['peak_rss_kib'] / 1024:.0f} MiB"
    )


def measure_wait(sizes: Sizes) -> list[Figure]:
    """1,000 jobs against the target, then 10,000 with none lost and memory bounded."""
    render = sizes.render_seconds
    some = _one_run(sizes.wait_jobs, render, sizes.wait_cap_seconds)
    many = _one_run(sizes.wait_many_jobs, render, sizes.wait_many_cap_seconds)
    title = "`async_wait` on {} concurrent jobs (client as `connect()` builds it), wall time"
    floor = "render time of one job (the floor)"
    return [
        Figure(
            "async_wait",
            title.format(sizes.wait_jobs),
            "s",
            some["seconds"],
            floor,
            render,
            target=_TARGET,
            note=_note(some, sizes.wait_cap_seconds),
            details=some,
        ),
        Figure(
            "async_wait_many",
            title.format(sizes.wait_many_jobs),
            "s",
            many["seconds"],
            floor,
            render,
            note=_note(many, sizes.wait_many_cap_seconds),
            details=many,
        ),
        Figure(
            "async_wait_many_rss",
            f"`async_wait` on {sizes.wait_many_jobs} concurrent jobs: client peak RSS",
            "MiB",
            many["peak_rss_kib"] / 1024,
            f"the same client process waiting on {sizes.wait_jobs} jobs",
            some["peak_rss_kib"] / 1024,
            note=f"server peak RSS: {some['server_peak_rss_kib'] / 1024:.0f} MiB with "
            f"{sizes.wait_jobs} jobs, {many['server_peak_rss_kib'] / 1024:.0f} MiB with "
            f"{sizes.wait_many_jobs}",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(args[0])
    run = asyncio.run(
        run_jobs(spec["url"], int(spec["jobs"]), float(spec["render"]), cap=float(spec["cap"]))
    )
    print(json.dumps({**run, "peak_rss_kib": peak_rss_kib(), "cpu_seconds": cpu_seconds()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
