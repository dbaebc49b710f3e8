"""Benchmark: the mock's throughput with its jobs in a PostgreSQL database, on one host and on
two hosts sharing the database, against the in-memory store on one host in the same run, for
a retrieve and a create, loaded by the lean load generator of `throughput`.

A "host" is a mock process of its own (`videos-contract mock --store postgresql://...`), on
its own port; with two, the load is split evenly between them (two load generators at once,
half the connections each), as a load balancer spreads it. The database is the machine's
local PostgreSQL server, with a role and a database made for the run and dropped after
(`bench.localpg`); where none can be had, the benchmark is not measured and says why. There
is no target: the figures say what a shared store costs, and what a second host gives, on
this machine, where the hosts, the database and the load generators share its cores.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from videos_contract.bench.localpg import LocalPostgres, local_postgres
from videos_contract.bench.procs import ServedApp, run_worker, served
from videos_contract.bench.results import Figure
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import create_request, load_spec_for
from videos_contract.mock import DEFAULT_KEY

__all__ = ["measure_shared_store"]

_READY_SECONDS = 60.0
_AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


def _ready(server: ServedApp) -> None:
    deadline = time.monotonic() + _READY_SECONDS
    while True:
        try:
            httpx.get(f"{server.url}/v1/videos", headers=_AUTH, timeout=5.0).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise RuntimeError("the mock did not start") from None
        time.sleep(0.1)


def _spread(specs: list[dict[str, Any]]) -> dict[str, Any]:
    """One load generator per spec, all at once; their runs added up."""
    runs: list[dict[str, Any]] = [{} for _ in specs]
    errors: list[BaseException] = []

    def load(index: int) -> None:
        try:
            runs[index] = run_worker("videos_contract.bench.load", json.dumps([specs[index]]))[
                "runs"
            ][0]
        except BaseException as exc:  # reported below, in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(index,)) for index in range(len(specs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    statuses: dict[str, int] = {}
    for run in runs:
        for code, count in run["statuses"].items():
            statuses[code] = statuses.get(code, 0) + int(count)
    requests = sum(int(run["requests"]) for run in runs)
    seconds = max(float(run["seconds"]) for run in runs)
    return {
        "requests": requests,
        "seconds": seconds,
        "per_second": requests / seconds if seconds > 0 else 0.0,
        "statuses": statuses,
        "server_cpu_seconds": sum(float(run["server_cpu_seconds"]) for run in runs),
        "hosts": len(runs),
    }


def _load(servers: list[ServedApp], sizes: Sizes, folder: Path) -> dict[str, dict[str, Any]]:
    """Retrieve and create runs spread over `servers`."""
    for server in servers:
        _ready(server)
    body, content_type = create_request(servers[0].url)
    body_file = folder / "create.body"
    body_file.write_bytes(body)
    create_headers = {**_AUTH, "Content-Type": content_type}
    created = httpx.post(
        f"{servers[0].url}/v1/videos", content=body, headers=create_headers, timeout=30.0
    )
    created.raise_for_status()
    retrieve_path = f"/v1/videos/{created.json()['id']}"
    share = max(1, sizes.load_concurrency // len(servers))
    results: dict[str, dict[str, Any]] = {}
    for operation, method, path, headers, body_path in (
        ("retrieve", "GET", retrieve_path, _AUTH, None),
        ("create", "POST", "/v1/videos", create_headers, str(body_file)),
    ):
        specs = []
        for server in servers:
            spec = load_spec_for(server, sizes, method, path, headers, body_path)
            spec["concurrency"] = share
            specs.append(spec)
        results[operation] = _spread(specs)
    return results


def _start_all(stack: ExitStack, options: list[dict[str, Any]]) -> list[ServedApp]:
    """A mock per options, started at once (each start is mostly imports); all are stopped
    when `stack` closes, also when one failed to start."""
    managers = [served("mock", each) for each in options]
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
    started: list[ServedApp] = []
    errors: list[BaseException] = []
    for manager, future in zip(managers, futures, strict=True):
        error = future.exception()
        if error is None:
            stack.push(manager)
            started.append(future.result())
        else:
            errors.append(error)
    if errors:
        raise errors[0]
    return started


def _measure(database: LocalPostgres, sizes: Sizes) -> dict[str, dict[str, dict[str, Any]]]:
    """The in-memory host, then two PostgreSQL hosts: loaded alone the first, then both. An
    idle host takes no CPU, so all three are started together."""
    database.reset()
    shared = {"render_seconds": 1.0, "store_url": database.url}
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        memory, *servers = _start_all(stack, [{"render_seconds": 1.0}, shared, shared])
        results["memory"] = _load([memory], sizes, folder)
        results["postgres"] = _load(servers[:1], sizes, folder)
        results["postgres_2"] = _load(servers, sizes, folder)
    return results


def measure_shared_store(sizes: Sizes) -> list[Figure]:
    """In memory on one host; PostgreSQL on one host; PostgreSQL shared by two hosts."""
    with local_postgres() as database:
        results = _measure(database, sizes)
    titles = {
        "postgres": "PostgreSQL store, one host",
        "postgres_2": "PostgreSQL store shared by two hosts",
    }
    figures = []
    for name, title in titles.items():
        for operation in ("retrieve", "create"):
            run, base = results[name][operation], results["memory"][operation]
            ok = run["statuses"].keys() == {"200"} and base["statuses"].keys() == {"200"}
            per_request = float(run["server_cpu_seconds"]) / max(1, int(run["requests"]))
            base_per = float(base["server_cpu_seconds"]) / max(1, int(base["requests"]))
            note = (
                f"mock CPU per request (summed over its hosts): {per_request * 1e3:.2f} ms, "
                f"in memory {base_per * 1e3:.2f} ms; the database's own CPU is not counted"
                if ok
                else "some answers were not 200: see details"
            )
            figures.append(
                Figure(
                    f"mock_{operation}_{name}",
                    f"Mock {operation} throughput, {title}, lean load",
                    "req/s",
                    run["per_second"],
                    "in-memory store, one host",
                    base["per_second"],
                    note=note,
                    details={"run": run, "memory": base},
                )
            )
    return figures
