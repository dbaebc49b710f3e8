"""Benchmarks of the mock, the client helpers, large transfers, the audit and generation.

Every figure is a ratio against a baseline measured in the same run, so that figures taken on
a shared machine stay comparable. `make bench` runs the full sizes and writes
`bench/results.json` and `docs/benchmarks.md`; `--smoke` runs tiny sizes to prove the code works.
The runner is `videos_contract.bench.run.run_benchmarks`.
"""

# Only the light modules are re-exported: the worker modules (`serve`, `load`, `sockcopy`,
# `transfer_client`) run as `python -m videos_contract.bench.NAME`, and importing them here,
# before runpy executes them, would make Python warn that they were imported twice.
from videos_contract.bench.results import Figure, Target, not_measured, write_results
from videos_contract.bench.sizes import FULL, SMOKE, Sizes

__all__ = ["FULL", "SMOKE", "Figure", "Sizes", "Target", "not_measured", "write_results"]
