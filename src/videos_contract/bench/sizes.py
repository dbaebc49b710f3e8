"""How big a run is: the full benchmark (`make bench`) or a smoke run that only proves the
code still works (`--smoke`, part of `make test`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FULL", "GIB", "MIB", "SMOKE", "Sizes"]

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Sizes:
    """Counts, durations and byte sizes of every benchmark."""

    name: str
    load_concurrency: int
    load_count: int
    load_seconds: float
    warmup_seconds: float
    client_calls: int
    client_rounds: int
    wait_jobs: int
    render_seconds: float
    wait_cap_seconds: float
    wait_many_jobs: int
    wait_many_cap_seconds: float
    transfer_bytes: int
    audit_profile: str
    audit_baseline_profile: str | None
    audit_max_creates: int | None
    # Install the peers (Prism, mitmproxy) when missing; otherwise use them only if present.
    install_peers: bool
    # Start-up of each command's `--help`: runs of each, the median counts.
    startup_runs: int
    # Rounds of each comparison with a peer (`bench.rounds`): the round with the median ratio
    # counts, the others give the spread.
    rounds: int = 1


FULL = Sizes(
    name="full",
    load_concurrency=16,
    load_count=20000,
    load_seconds=4.0,
    warmup_seconds=0.5,
    client_calls=1500,
    client_rounds=5,
    wait_jobs=1000,
    render_seconds=10.0,
    wait_cap_seconds=45.0,
    wait_many_jobs=10000,
    wait_many_cap_seconds=300.0,
    transfer_bytes=GIB,
    audit_profile="standard",
    audit_baseline_profile="quick",
    audit_max_creates=None,
    install_peers=True,
    startup_runs=7,
    rounds=5,
)

SMOKE = Sizes(
    name="smoke",
    load_concurrency=4,
    load_count=40,
    load_seconds=2.0,
    warmup_seconds=0.05,
    client_calls=20,
    client_rounds=2,
    wait_jobs=10,
    render_seconds=0.3,
    wait_cap_seconds=30.0,
    wait_many_jobs=30,
    wait_many_cap_seconds=30.0,
    transfer_bytes=2 * MIB,
    audit_profile="quick",
    audit_baseline_profile=None,
    audit_max_creates=0,
    install_peers=False,
    startup_runs=1,
    rounds=1,
)
