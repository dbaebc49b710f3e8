"""Start-up: how long each command's `--help` takes, against `schemathesis --help` in the same
run (and `python -c pass`, the interpreter alone).

Each command runs as users run it (the console scripts beside the interpreter), in rounds that
take turns over every command, so that a burst of other work on the machine hits all alike;
the median of each counts. The peak RSS of each is its `ru_maxrss` (`procs.run_measured`).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

from videos_contract.bench.peer_tools import schemathesis
from videos_contract.bench.procs import run_measured
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import Sizes

__all__ = ["COMMANDS", "measure_startup"]

# The commands whose `--help` is measured.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("create", "--help"),
    ("mock", "--help"),
    ("audit", "--help"),
    ("proxy", "--help"),
    ("docs-check", "--help"),
)
_AT_MOST_SCHEMATHESIS = Target(1.0, at_least=False)


def measure_startup(sizes: Sizes) -> list[Figure]:
    """Each command's `--help` against `schemathesis --help`, medians of the same rounds."""
    bin_dir = Path(sys.executable).parent
    ours = str(bin_dir / "videos-contract")
    peer = schemathesis()
    runs: dict[str, list[dict[str, Any]]] = {}
    commands = {" ".join(args): [ours, *args] for args in COMMANDS}
    commands["schemathesis --help"] = [str(peer.executable), "--help"]
    commands["python -c pass"] = [sys.executable, "-c", "pass"]
    for name, command in commands.items():  # once each first: the files are in the page cache
        run_measured(command)
        runs[name] = []
    for _ in range(sizes.startup_runs):
        for name, command in commands.items():
            runs[name].append(run_measured(command))
    failed = [n for n, rs in runs.items() if any(r["exit_code"] != 0 for r in rs)]
    if failed:
        raise RuntimeError(f"exited non-zero: {', '.join(failed)}")
    median = {n: statistics.median(r["seconds"] for r in rs) for n, rs in runs.items()}
    rss = {n: max(r["peak_rss_kib"] for r in rs) / 1024 for n, rs in runs.items()}
    base = "schemathesis --help"
    return [
        Figure(
            key="startup_" + "_".join(a.strip("-") for a in args),
            title=f"Start-up: `videos-contract {' '.join(args)}`",
            unit="s",
            value=median[" ".join(args)],
            baseline_title=f"`schemathesis --help` ({peer.label}), same rounds",
            baseline=median[base],
            target=_AT_MOST_SCHEMATHESIS,
            note=(
                f"median of {sizes.startup_runs}; `python -c pass` "
                f"{median['python -c pass']:.3f} s; peak RSS {rss[' '.join(args)]:.0f} MiB "
                f"(schemathesis {rss[base]:.0f} MiB)"
            ),
            details={
                "runs_s": [r["seconds"] for r in runs[" ".join(args)]],
                "schemathesis_runs_s": [r["seconds"] for r in runs[base]],
                "python_pass_s": median["python -c pass"],
                "peak_rss_mib": rss[" ".join(args)],
                "schemathesis_peak_rss_mib": rss[base],
                "peer": peer.label,
            },
        )
        for args in COMMANDS
    ]
