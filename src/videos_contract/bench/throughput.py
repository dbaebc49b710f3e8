"""Benchmark 1: requests per second of the mock against a bare Starlette app on the same
stack, for a retrieve and for a create, loaded by the same generator from another process."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
from aihubmix_videos.api.videos import create_video
from aihubmix_videos.models import CreateVideoMultipartRequest

from videos_contract.bench.load import LoadSpec
from videos_contract.bench.procs import ServedApp, run_worker, served
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import Sizes
from videos_contract.mock import DEFAULT_KEY

__all__ = ["PROMPT", "create_request", "measure_throughput"]

PROMPT = "A red fox trotting through fresh snow at dawn."
_TARGET = Target(0.6, at_least=True)


def create_request(url: str) -> tuple[bytes, str]:
    """The multipart body and Content-Type that the generated client sends for a create."""
    kwargs = create_video._get_kwargs(body=CreateVideoMultipartRequest(prompt=PROMPT))
    with httpx.Client(base_url=url) as client:
        request = client.build_request(**kwargs)
        return request.read(), request.headers["content-type"]


def _load(
    server: ServedApp,
    sizes: Sizes,
    method: str,
    path: str,
    headers: dict[str, str],
    body_file: str | None = None,
) -> dict[str, Any]:
    spec = LoadSpec(
        url=server.url + path,
        method=method,
        headers=tuple(headers.items()),
        body_file=body_file,
        concurrency=sizes.load_concurrency,
        count=sizes.load_count,
        seconds=sizes.load_seconds,
        warmup_seconds=sizes.warmup_seconds,
        server_pid=server.pid,
    )
    payload = json.dumps({k: v for k, v in spec.__dict__.items()})
    return run_worker("videos_contract.bench.load", payload)


def _figure(operation: str, mock: dict[str, Any], bare: dict[str, Any]) -> Figure:
    def cpu_per_request(run: dict[str, Any]) -> float:
        return float(run["server_cpu_seconds"]) / max(1, int(run["requests"]))

    mock_cpu, bare_cpu = cpu_per_request(mock), cpu_per_request(bare)
    ok = mock["statuses"].keys() == {"200"} and bare["statuses"].keys() == {"200"}
    return Figure(
        key=f"mock_{operation}_throughput",
        title=f"Mock {operation} throughput",
        unit="req/s",
        value=mock["per_second"],
        baseline_title=f"bare Starlette {operation} endpoint, same uvicorn settings",
        baseline=bare["per_second"],
        target=_TARGET,
        note="" if ok else "some answers were not 200: see details",
        details={
            "mock": mock,
            "bare": bare,
            "server_cpu_ms_per_request": {"mock": mock_cpu * 1e3, "bare": bare_cpu * 1e3},
            # Independent of how fast the load generator is: the share of server CPU.
            "server_cpu_ratio": bare_cpu / mock_cpu if mock_cpu else None,
        },
    )


def measure_throughput(sizes: Sizes) -> list[Figure]:
    """Retrieve and create, each on the mock and on the bare app."""
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
        with served("bare", {"video": video}) as bare:
            runs = {
                ("retrieve", "mock"): _load(mock, sizes, "GET", retrieve_path, auth),
                ("retrieve", "bare"): _load(bare, sizes, "GET", retrieve_path, auth),
                ("create", "mock"): _load(
                    mock, sizes, "POST", "/v1/videos", create_headers, str(body_file)
                ),
                ("create", "bare"): _load(
                    bare, sizes, "POST", "/v1/videos", create_headers, str(body_file)
                ),
            }
    return [
        _figure(operation, runs[(operation, "mock")], runs[(operation, "bare")])
        for operation in ("retrieve", "create")
    ]
