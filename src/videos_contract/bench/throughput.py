"""Benchmark 1: requests per second of the mock against a bare Starlette app on the same
stack, for a retrieve and for a create, loaded by the same generator from another process.

Each pair is loaded by a lean asyncio client that leaves the server as the limit (the target
applies to this one), in `Sizes.rounds` rounds whose median ratio counts, and once by httpx,
which on two cores is itself the limit."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
from aihubmix_videos.models import CreateVideoMultipartRequest
from aihubmix_videos.models.video_model import check_video_model

from videos_contract.bench.load import LoadSpec
from videos_contract.bench.procs import ServedApp, run_worker, served
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.rounds import Rounds
from videos_contract.bench.sizes import Sizes
from videos_contract.client import generated_requests
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY

__all__ = ["MODEL", "PROMPT", "create_request", "load_spec_for", "measure_throughput"]

PROMPT = "A red fox trotting through fresh snow at dawn."
# The multipart form is Sora's: the first model the spec lists for it.
MODEL = check_video_model(families().default_family.models[0])
_TARGETS = {"retrieve": Target(0.9, at_least=True), "create": Target(0.8, at_least=True)}
_CLIENTS = ("raw", "httpx")


def create_request(url: str) -> tuple[bytes, str]:
    """The multipart body and Content-Type that the generated client sends for a create."""
    kwargs = generated_requests.create_request(
        CreateVideoMultipartRequest(prompt=PROMPT, model=MODEL)
    )
    with httpx.Client(base_url=url) as client:
        request = client.build_request(**kwargs)
        return request.read(), request.headers["content-type"]


def _spec(
    client: str,
    server: ServedApp,
    sizes: Sizes,
    method: str,
    path: str,
    headers: dict[str, str],
    body_file: str | None = None,
) -> dict[str, Any]:
    return LoadSpec(
        url=server.url + path,
        method=method,
        headers=tuple(headers.items()),
        body_file=body_file,
        concurrency=sizes.load_concurrency,
        count=sizes.load_count,
        seconds=sizes.load_seconds,
        warmup_seconds=sizes.warmup_seconds,
        server_pid=server.pid,
        client=client,
    ).to_dict()


def load_spec_for(
    server: ServedApp,
    sizes: Sizes,
    method: str,
    path: str,
    headers: dict[str, str],
    body_file: str | None = None,
) -> dict[str, Any]:
    """A run of the lean load generator on `server`, as this benchmark makes them."""
    return _spec("raw", server, sizes, method, path, headers, body_file)


def _figure(
    client: str, operation: str, mocks: list[dict[str, Any]], bares: list[dict[str, Any]]
) -> Figure:
    """One client's figure for one operation: the round with the median ratio counts."""

    def cpu_per_request(runs: list[dict[str, Any]]) -> float:
        seconds = sum(float(run["server_cpu_seconds"]) for run in runs)
        return seconds / max(1, sum(int(run["requests"]) for run in runs))

    raw = client == "raw"
    target = _TARGETS[operation] if raw else None
    rounds = Rounds.of([run["per_second"] for run in mocks], [run["per_second"] for run in bares])
    index = rounds.pairs.index(rounds.median_pair)
    mock, bare = mocks[index], bares[index]
    mock_cpu, bare_cpu = cpu_per_request(mocks), cpu_per_request(bares)
    ok = all(run["statuses"].keys() == {"200"} for run in (*mocks, *bares))
    if not ok:
        note = "some answers were not 200: see details"
    elif raw:
        note = (
            f"{rounds.verdict(target)}; server CPU per request: mock {mock_cpu * 1e3:.2f} ms, "
            f"bare {bare_cpu * 1e3:.2f} ms"
        )
    else:
        busy = float(mock["client_cpu_seconds"]) / float(mock["seconds"])
        note = (
            f"limited by the httpx load generator ({busy:.0%} of a core); server CPU per "
            f"request: mock {mock_cpu * 1e3:.2f} ms, bare {bare_cpu * 1e3:.2f} ms"
        )
    return Figure(
        key=f"mock_{operation}_throughput" + ("" if raw else "_httpx"),
        title=f"Mock {operation} throughput, "
        + ("lean asyncio load (server-bound)" if raw else "httpx load"),
        unit="req/s",
        value=mock["per_second"],
        baseline_title=f"bare Starlette {operation} endpoint, same uvicorn settings",
        baseline=bare["per_second"],
        target=target,
        note=note,
        details={
            "mock": mock,
            "bare": bare,
            "rounds": rounds.details(target),
            "server_cpu_ms_per_request": {"mock": mock_cpu * 1e3, "bare": bare_cpu * 1e3},
            # Independent of how fast the load generator is: the share of server CPU.
            "server_cpu_ratio": bare_cpu / mock_cpu if mock_cpu else None,
        },
    )


def measure_throughput(sizes: Sizes) -> list[Figure]:
    """Retrieve and create, each on the mock and on the bare app: the lean load in
    `sizes.rounds` rounds, httpx's in one."""
    auth = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    with (
        served("mock", {"render_seconds": 1.0}) as mock,
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp,
    ):
        with httpx.Client(base_url=mock.url, headers=auth, timeout=30.0) as http:
            body, content_type = create_request(mock.url)
            created = http.post("/v1/videos", content=body, headers={"Content-Type": content_type})
            created.raise_for_status()
            video = http.get(f"/v1/videos/{created.json()['id']}").json()
        body_file = Path(tmp) / "create.body"
        body_file.write_bytes(body)
        create_headers = {**auth, "Content-Type": content_type}
        retrieve_path = f"/v1/videos/{video['id']}"
        requests = {
            "retrieve": ("GET", retrieve_path, auth, None),
            "create": ("POST", "/v1/videos", create_headers, str(body_file)),
        }
        with served("bare", {"video": video}) as bare:
            # Mock and bare take turns, who goes first alternating by round, so that a burst
            # of other work hits both alike.
            servers = {"mock": mock, "bare": bare}
            order = [
                (client, operation, name)
                for client in _CLIENTS
                for index in range(sizes.rounds if client == "raw" else 1)
                for operation in requests
                for name in (servers if index % 2 == 0 else reversed(servers))
            ]
            specs = [
                _spec(client, servers[name], sizes, *requests[operation])
                for client, operation, name in order
            ]
            results = run_worker("videos_contract.bench.load", json.dumps(specs))["runs"]
        runs: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for key, result in zip(order, results, strict=True):
            runs.setdefault(key, []).append(result)
    return [
        _figure(
            client, operation, runs[(client, operation, "mock")], runs[(client, operation, "bare")]
        )
        for client in _CLIENTS
        for operation in requests
    ]
