"""Run the benchmarks in order, each isolated: one that fails becomes a "not measured" row
with its reason instead of ending the run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from videos_contract.bench.client_cost import measure_client_cost
from videos_contract.bench.diffspeed import measure_diff
from videos_contract.bench.machine import calibrate, describe_machine
from videos_contract.bench.memory import measure_memory
from videos_contract.bench.peers import measure_fuzz_peer, measure_mock_peers, measure_proxy_peers
from videos_contract.bench.proxy_overhead import measure_proxy_overhead
from videos_contract.bench.results import Figure, not_measured
from videos_contract.bench.shared_store import measure_shared_store
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.startup import measure_startup
from videos_contract.bench.stores import measure_stores
from videos_contract.bench.throughput import measure_throughput
from videos_contract.bench.tooling import measure_audit, measure_generation
from videos_contract.bench.transfers import measure_transfers
from videos_contract.bench.waiting import measure_wait

__all__ = ["BENCHMARKS", "run_benchmarks"]

Benchmark = Callable[[Sizes], list[Figure]]

# Name, what it measures, and the function; in the order of the report. A new benchmark is one
# line here (and its import): a function that takes the run's `Sizes` and returns figures.
BENCHMARKS: dict[str, tuple[str, Benchmark]] = {
    "throughput": ("Mock throughput (retrieve, create)", measure_throughput),
    "stores": ("Mock throughput with --store and --workers 2", measure_stores),
    "shared": ("Mock throughput on a PostgreSQL store, one host and two", measure_shared_store),
    "client": ("Client cost per retrieve", measure_client_cost),
    "wait": ("async_wait on concurrent jobs", measure_wait),
    "transfers": ("Upload and download of large bodies", measure_transfers),
    "audit": ("Audit of the embedded mock", measure_audit),
    "generation": ("Regeneration and drift check", measure_generation),
    "diff": ("Start-up and run time of videos-contract diff", measure_diff),
    "proxy": ("Validating proxy against direct", measure_proxy_overhead),
    "startup": ("Start-up of each command's --help against schemathesis --help", measure_startup),
    "memory": (
        "Peak RSS of create --wait --output and of the proxy on a large video",
        measure_memory,
    ),
    "peer-mock": ("The mock against `prism mock`", measure_mock_peers),
    "peer-proxy": ("The validating proxy against `prism proxy` and mitmproxy", measure_proxy_peers),
    "peer-fuzz": ("The audit's fuzzing phase against `schemathesis run`", measure_fuzz_peer),
}


def _reason(exc: Exception) -> str:
    """The exception's type and the first line of its message, short enough for a table."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else 'no message'}"


def run_benchmarks(
    sizes: Sizes,
    only: Sequence[str] = (),
    on_progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], list[Figure]]:
    """The machine description and every figure of the benchmarks named in `only` (all when
    empty)."""
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown:
        raise ValueError(f"unknown benchmark(s): {', '.join(unknown)}")
    started = time.perf_counter()
    machine = describe_machine()
    machine["calibration_start_s"] = calibrate()
    figures: list[Figure] = []
    for name, (title, benchmark) in BENCHMARKS.items():
        if only and name not in only:
            continue
        if on_progress is not None:
            on_progress(f"{name}: {title}")
        begun = time.perf_counter()
        try:
            produced = benchmark(sizes)
        except Exception as exc:
            produced = [not_measured(name, title, "", "", f"failed: {_reason(exc)}")]
        figures += produced
        if on_progress is not None:
            on_progress(f"{name}: {time.perf_counter() - begun:.1f} s")
    machine["calibration_end_s"] = calibrate()
    machine["run"] = sizes.name
    machine["run_seconds"] = time.perf_counter() - started
    return machine, figures
