"""Benchmark: the mock's throughput with its jobs in a SQLite file (`--store`) and with two
worker processes sharing that file (`--workers 2`), against the in-memory store in one process
(the default), for a retrieve and a create, loaded by the lean load generator of
`throughput`. There is no target yet: the figures say what the durable store and a second
process cost or give on this machine.

Every server runs on the same uvicorn settings; the workers under uvicorn's supervisor, as
`videos-contract mock --workers 2` runs them. The server CPU per request is summed over the
server's processes (the supervisor and its workers).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from videos_contract.bench.procs import ServedApp, cpu_seconds, run_worker, served
from videos_contract.bench.results import Figure
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import create_request, load_spec_for
from videos_contract.mock import DEFAULT_KEY

__all__ = ["measure_stores"]

_READY_SECONDS = 60.0


def _processes(server: ServedApp) -> list[int]:
    """The server's pid and those of its worker processes, if any."""
    try:
        with open(f"/proc/{server.pid}/task/{server.pid}/children", encoding="ascii") as file:
            children = [int(pid) for pid in file.read().split()]
    except OSError:
        children = []
    return [server.pid, *children]


def _ready(server: ServedApp, workers: int, auth: dict[str, str]) -> None:
    """Wait until the server answers and, with workers, until the supervisor has started
    them all (a worker still starting leaves its connections in the backlog meanwhile)."""
    deadline = time.monotonic() + _READY_SECONDS
    while True:
        try:
            httpx.get(f"{server.url}/v1/videos", headers=auth, timeout=5.0).raise_for_status()
            if workers == 1 or len(_processes(server)) > workers:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the mock with {workers} worker(s) did not start")
        time.sleep(0.1)


def _load(server: ServedApp, sizes: Sizes, workers: int, folder: Path) -> dict[str, dict[str, Any]]:
    """Retrieve and create runs of the lean load generator on `server`."""
    auth = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    _ready(server, workers, auth)
    body, content_type = create_request(server.url)
    body_file = folder / "create.body"
    body_file.write_bytes(body)
    create_headers = {**auth, "Content-Type": content_type}
    created = httpx.post(
        f"{server.url}/v1/videos", content=body, headers=create_headers, timeout=30.0
    )
    created.raise_for_status()
    retrieve_path = f"/v1/videos/{created.json()['id']}"
    specs = [
        load_spec_for(server, sizes, "GET", retrieve_path, auth),
        load_spec_for(server, sizes, "POST", "/v1/videos", create_headers, str(body_file)),
    ]
    pids = _processes(server)
    cpu = sum(cpu_seconds(pid) for pid in pids)
    runs = run_worker("videos_contract.bench.load", json.dumps(specs))["runs"]
    cpu = sum(cpu_seconds(pid) for pid in _processes(server) if pid in pids) - cpu
    requests = sum(int(run["requests"]) for run in runs)
    return {
        "retrieve": runs[0],
        "create": runs[1],
        "cpu": {"server_cpu_seconds": cpu, "requests": requests, "pids": len(pids)},
    }


def measure_stores(sizes: Sizes) -> list[Figure]:
    """In memory, SQLite, SQLite with two workers: each served, loaded, stopped in turn."""
    kinds: dict[str, tuple[dict[str, Any], int]] = {
        "memory": ({}, 1),
        "sqlite": ({"store_path": "jobs.db"}, 1),
        "workers": ({"store_path": "jobs.db", "workers": 2}, 2),
    }
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for name, (options, workers) in kinds.items():
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            folder = Path(tmp)
            config: dict[str, Any] = {"render_seconds": 1.0, **options}
            if "store_path" in config:
                config["store_path"] = str(folder / str(config["store_path"]))
            with served("mock", config) as server:
                results[name] = _load(server, sizes, workers, folder)
    titles = {
        "sqlite": "`--store` (SQLite), one process",
        "workers": "`--store` (SQLite) with `--workers 2`",
    }
    figures = []
    for name, title in titles.items():
        for operation in ("retrieve", "create"):
            run, base = results[name][operation], results["memory"][operation]
            ok = run["statuses"].keys() == {"200"} and base["statuses"].keys() == {"200"}
            cpu = results[name]["cpu"]
            per_request = float(cpu["server_cpu_seconds"]) / max(1, int(cpu["requests"]))
            base_cpu = results["memory"]["cpu"]
            base_per = float(base_cpu["server_cpu_seconds"]) / max(1, int(base_cpu["requests"]))
            note = (
                f"server CPU per request (retrieve and create together): {per_request * 1e3:.2f} "
                f"ms, in memory {base_per * 1e3:.2f} ms"
                if ok
                else "some answers were not 200: see details"
            )
            figures.append(
                Figure(
                    f"mock_{operation}_{name}",
                    f"Mock {operation} throughput, {title}, lean load",
                    "req/s",
                    run["per_second"],
                    "in-memory store, one process (the default)",
                    base["per_second"],
                    note=note,
                    details={"run": run, "memory": base, "cpu": cpu, "memory_cpu": base_cpu},
                )
            )
    return figures
