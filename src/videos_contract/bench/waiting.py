"""Benchmark 3: `async_wait` on many concurrent jobs of the mock: every job completes, none is
lost, and the wall time is compared with the render time of one job (the floor).

It runs twice on a fresh mock each time: with the client exactly as `connect()` builds it
(its pool of 100 connections gated by `client.pool.PoolGate`), and with a gate of 10
connections passed through `connect`'s `async_transport`. The first is bounded by
`wait_cap_seconds`: jobs still being waited for then are counted as unfinished, not lost (the
server's list shows whether they completed).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from aihubmix_videos.models import Video

from videos_contract.bench.procs import served
from videos_contract.bench.results import Figure
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import PROMPT
from videos_contract.client import async_create, async_wait, connect, iter_videos
from videos_contract.client.pool import PoolGate
from videos_contract.mock import DEFAULT_KEY
from videos_contract.spec import load_spec

POOL_CONNECTIONS = 10  # the small gate, against the client's default of 100

__all__ = ["measure_wait", "run_jobs"]


async def run_jobs(
    url: str, jobs: int, render_seconds: float, *, gated: bool, cap: float
) -> dict[str, Any]:
    """Create `jobs` jobs at once and wait for each; stop waiting after `cap` seconds."""
    client = connect(
        url, DEFAULT_KEY, async_transport=PoolGate(POOL_CONNECTIONS) if gated else None
    )
    polls: Counter[str] = Counter()

    def count(video: Video) -> None:
        polls[video.id] += 1

    async def one() -> Video:
        video = await async_create(client, PROMPT)
        return await async_wait(
            client, video.id, timeout=render_seconds * 20 + 120, on_progress=count
        )

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
    }


def _one_run(sizes: Sizes, *, gated: bool) -> Figure:
    render, jobs = sizes.render_seconds, sizes.wait_jobs
    with served("mock", {"render_seconds": render}) as server:
        run = asyncio.run(
            run_jobs(server.url, jobs, render, gated=gated, cap=sizes.wait_cap_seconds)
        )
        server_cpu = server.cpu_seconds()
        with connect(server.url, DEFAULT_KEY) as lister:
            largest = load_spec().operation("listVideos").parameter("limit")["schema"]["maximum"]
            listed = list(iter_videos(lister, limit=largest))
    on_server = Counter(video.status for video in listed)
    lost = jobs - run["completed"] - run["unfinished_at_cap"]
    if run["unfinished_at_cap"]:
        note = (
            f"{run['completed']} of {jobs} completed within the {sizes.wait_cap_seconds:g} s "
            f"cap; {lost} lost"
        )
    else:
        note = f"{run['completed']} of {jobs} completed, {lost} lost"
    how = (
        f"requests gated to a {POOL_CONNECTIONS}-connection pool"
        if gated
        else "client as `connect()` builds it"
    )
    return Figure(
        "async_wait_gated" if gated else "async_wait",
        f"`async_wait` on {jobs} concurrent jobs ({how}), wall time",
        "s",
        run["seconds"],
        "render time of one job (the floor)",
        render,
        note=note,
        details={
            **run,
            "jobs": jobs,
            "lost": lost,
            "server_cpu_seconds": server_cpu,
            "jobs_on_server": len(listed),
            "server_statuses": dict(on_server),
            "polls_per_job": run["polls"] / max(1, jobs),
        },
    )


def measure_wait(sizes: Sizes) -> list[Figure]:
    """The gated run first (it is quick), then the client as shipped."""
    return [_one_run(sizes, gated=True), _one_run(sizes, gated=False)]
