"""Benchmark 2: what one retrieve costs through each client, against raw httpx, on the same
mock, sequentially; and what the mock's own socket setup adds to every call.

Clients take turns in rounds, so that a burst of other work on the machine slows all of them
alike. Wall time per call is the figure (the server's share is the same for every client);
the client process's CPU time per call is kept in the details.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.api.videos import retrieve_video
from aihubmix_videos.models import Video

from videos_contract.bench.procs import served
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import create_request
from videos_contract.client import connect, retrieve
from videos_contract.mock import DEFAULT_KEY

__all__ = ["measure_client_cost", "time_calls"]

_WARMUP_CALLS = 20


def time_calls(
    calls: dict[str, Callable[[], object]], count: int, rounds: int
) -> dict[str, dict[str, float]]:
    """Per client: seconds of wall and CPU time per call, over `count` calls in `rounds`."""
    wall = dict.fromkeys(calls, 0.0)
    cpu = dict.fromkeys(calls, 0.0)
    per_round = max(1, count // rounds)
    for call in calls.values():
        for _ in range(min(_WARMUP_CALLS, per_round)):
            call()
    for _ in range(rounds):
        for name, call in calls.items():
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            for _ in range(per_round):
                call()
            wall[name] += time.perf_counter() - wall_start
            cpu[name] += time.process_time() - cpu_start
    total = per_round * rounds
    return {
        name: {"wall_s_per_call": wall[name] / total, "cpu_s_per_call": cpu[name] / total}
        for name in calls
    }


def _create_job(url: str) -> str:
    body, content_type = create_request(url)
    headers = {"Authorization": f"Bearer {DEFAULT_KEY}", "Content-Type": content_type}
    response = httpx.post(f"{url}/v1/videos", content=body, headers=headers, timeout=30.0)
    response.raise_for_status()
    video_id: str = response.json()["id"]
    return video_id


def _clients(url: str, video_id: str) -> tuple[dict[str, Callable[[], object]], list[Any]]:
    # The openai SDK is imported here: only this benchmark needs it.
    import openai

    raw = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}, timeout=30.0
    )
    generated = AuthenticatedClient(base_url=url, token=DEFAULT_KEY)
    helper = connect(url, DEFAULT_KEY)
    sdk = openai.OpenAI(base_url=f"{url}/v1", api_key=DEFAULT_KEY, max_retries=0)

    def raw_call() -> object:
        response = raw.get(f"/v1/videos/{video_id}")
        response.raise_for_status()
        return response.json()

    def generated_call() -> object:
        video = retrieve_video.sync(client=generated, video_id=video_id)
        if not isinstance(video, Video):
            raise RuntimeError(f"generated client got {video!r}")
        return video

    def helper_call() -> object:
        return retrieve(helper, video_id)

    def sdk_call() -> object:
        # The SDK marks its video methods deprecated; the warning is not what is measured.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return sdk.videos.retrieve(video_id)

    calls: dict[str, Callable[[], object]] = {
        "raw_httpx": raw_call,
        "generated": generated_call,
        "helper": helper_call,
        "openai_sdk": sdk_call,
    }
    return calls, [raw, generated.get_httpx_client(), helper.get_httpx_client(), sdk]


def _raw_calls(url: str, video_id: str, count: int) -> dict[str, float]:
    """Raw httpx retrieves of `video_id` on `url`, timed."""
    headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30.0) as raw:
        call = functools.partial(raw.get, f"/v1/videos/{video_id}")
        return time_calls({"raw_httpx": call}, count, 1)["raw_httpx"]


def measure_client_cost(sizes: Sizes) -> list[Figure]:
    """Generated client and helper against raw httpx; generated client against the SDK."""
    socket_calls = max(2, sizes.client_calls // 20)
    socket_setup: dict[str, dict[str, float]] = {}
    with served("mock", {"render_seconds": 0.0}) as server:
        video_id = _create_job(server.url)
        calls, closers = _clients(server.url, video_id)
        try:
            timings = time_calls(calls, sizes.client_calls, sizes.client_rounds)
        finally:
            for closer in closers:
                closer.close()
        socket_setup["tcp"] = _raw_calls(server.url, video_id, socket_calls)
    # The same mock served on the socket `videos_contract.mock.server.bind` makes.
    with served("mock", {"render_seconds": 0.0}, socket_kind="mock") as shipped:
        socket_setup["mock"] = _raw_calls(shipped.url, _create_job(shipped.url), socket_calls)
    wall = {name: timing["wall_s_per_call"] * 1e6 for name, timing in timings.items()}
    details = {
        "calls_per_client": max(1, sizes.client_calls // sizes.client_rounds) * sizes.client_rounds,
        "microseconds_per_call": {
            name: {k.replace("_s_per_call", ""): v * 1e6 for k, v in timing.items()}
            for name, timing in timings.items()
        },
    }
    return [
        Figure(
            "generated_vs_httpx",
            "Generated client retrieve, per call",
            "µs",
            wall["generated"],
            "raw httpx GET + .json(), same server",
            wall["raw_httpx"],
            target=Target(1.2, at_least=False),
            details=details,
        ),
        Figure(
            "generated_vs_openai",
            "Generated client retrieve, per call",
            "µs",
            wall["generated"],
            "openai SDK videos.retrieve, same server",
            wall["openai_sdk"],
            details=details,
        ),
        Figure(
            "helper_vs_httpx",
            "Helper `retrieve` (schema check, retry transport), per call",
            "µs",
            wall["helper"],
            "raw httpx GET + .json(), same server",
            wall["raw_httpx"],
            target=Target(1.15, at_least=False),
            details=details,
        ),
        Figure(
            "mock_socket_vs_tcp",
            "Retrieve per call, mock served on `mock.server.bind`'s socket",
            "µs",
            socket_setup["mock"]["wall_s_per_call"] * 1e6,
            "same mock on an IPPROTO_TCP socket (TCP_NODELAY)",
            socket_setup["tcp"]["wall_s_per_call"] * 1e6,
            note=(
                "guards the fix of 13:48 UTC: a socket of protocol 0 kept Nagle's algorithm "
                "on and every answer waited for the client's delayed ACK (about 40 ms)"
            ),
            details={"raw_httpx_per_call": socket_setup},
        ),
    ]
