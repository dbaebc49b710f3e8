"""Every benchmark runs at smoke size and produces numbers: the code cannot rot unnoticed.

Only the structure is checked (a value, a baseline, a ratio, a target verdict where there is
a target); speeds are figures for `docs/benchmarks.md`, never assertions.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.support.postgres import GROUP
from videos_contract.bench import FULL, SMOKE
from videos_contract.bench.run import BENCHMARKS
from videos_contract.bench.tooling import audit_arguments
from videos_contract.cli import build_parser

# The peers' benchmarks start Prism (Node.js, seconds to start), mitmproxy and whole audits: with
# the slow tests. Their skip path (a peer not installed) is tested fast in test_peers.py.
_PEERS = {"peer-mock", "peer-proxy", "peer-fuzz"}

# Benchmarks whose smoke run has no same-run baseline (the audit's baseline profile is only
# run at full size).
_NO_BASELINE = {"audit", "audit_peak_rss"}


# The audit's smoke run is a real `--profile quick` audit (about 8 s); the audit's own tests
# run the same command, so here it only runs with the slow tests, and a fast test checks that
# the command line the benchmark builds is still one the CLI accepts.
# Start-up runs every command's --help several times (test_startup.py holds its property);
# memory starts a mock, a job app, a stream app and the proxy.
_SLOW = {"audit", "startup", "memory", *_PEERS}


# The shared-store benchmark needs the machine's PostgreSQL server, like the store's tests.
_POSTGRES = {"shared"}


def _param(name: str) -> object:
    if name in _SLOW:
        return pytest.param(name, marks=pytest.mark.slow)
    if name in _POSTGRES:
        return pytest.param(name, marks=pytest.mark.xdist_group(GROUP))
    return name


@pytest.mark.parametrize("name", [_param(n) for n in BENCHMARKS])
def test_benchmark_produces_numbers(name: str, request: pytest.FixtureRequest) -> None:
    if name in _POSTGRES:
        request.getfixturevalue("postgres")  # skipped, with the reason, where there is none
    _, benchmark = BENCHMARKS[name]
    figures = benchmark(SMOKE)
    assert figures
    for figure in figures:
        if figure.details.get("skipped_peer"):
            # A smoke run never installs a peer (only `make bench` does): absent, it is skipped.
            assert name in _PEERS and figure.note.startswith("skipped: ")
            continue
        assert figure.status == "measured", f"{figure.key}: {figure.note}"
        assert figure.value is not None and math.isfinite(figure.value) and figure.value > 0
        if figure.key not in _NO_BASELINE:
            assert figure.baseline is not None and figure.baseline > 0
            assert figure.ratio is not None and math.isfinite(figure.ratio)
        if figure.target is not None:
            assert figure.target_met is not None
        json.dumps(figure.to_json())  # what bench/results.json holds
        if name == "wait" and "jobs" in figure.details:
            # Counting, not timing: every job completed and the server lists them all.
            details = figure.details
            assert details["jobs"] in (SMOKE.wait_jobs, SMOKE.wait_many_jobs)
            assert details["completed"] == details["jobs"]
            assert details["lost"] == 0 and details["unfinished_at_cap"] == 0
            assert details["server_statuses"] == {"completed": details["jobs"]}


@pytest.mark.parametrize(
    ("profile", "max_creates"),
    [
        (SMOKE.audit_profile, SMOKE.audit_max_creates),
        (FULL.audit_profile, FULL.audit_max_creates),
        (FULL.audit_baseline_profile, None),
    ],
)
def test_audit_command_is_accepted(profile: str | None, max_creates: int | None) -> None:
    assert profile is not None
    args = build_parser().parse_args(audit_arguments(profile, max_creates, Path("reports")))
    assert (args.profile, args.max_creates, args.report_dir) == (
        profile,
        max_creates,
        Path("reports"),
    )
