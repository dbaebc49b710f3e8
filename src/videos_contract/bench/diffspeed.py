"""Benchmark 8: `videos-contract diff` as a pre-commit hook or an editor runs it.

Two figures, each the median of several runs of a fresh process against `python -c pass` timed
in the same rounds: the start-up (`diff --help`: parsing the command line, nothing compared)
and a whole run on two files (the spec and a copy with one limit narrowed). The run's target is
on its value: well under half a second on the project's 2-core machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.tooling import timed_command
from videos_contract.paths import SPEC_PATH

__all__ = ["measure_diff"]


def _command() -> list[str]:
    """The installed `videos-contract` script beside this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("videos-contract")
    return [str(script)] if script.exists() else [sys.executable, "-m", "videos_contract"]


def _narrowed_copy(folder: Path) -> tuple[Path, Path]:
    """The spec and a copy whose prompt limit is lower (one breaking change to report)."""
    doc: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    prompt = doc["components"]["schemas"]["VideoPrompt"]
    prompt["maxLength"] = max(1, int(prompt.get("maxLength", 2)) // 2)
    old, new = folder / "old.yaml", folder / "new.yaml"
    old.write_text(SPEC_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    new.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return old, new


def measure_diff(sizes: Sizes) -> list[Figure]:
    """Start-up and run time of `videos-contract diff`, against an empty interpreter."""
    rounds = 3 if sizes.name == "smoke" else 11
    base = _command()
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        folder = Path(tmp)
        old, new = _narrowed_copy(folder)
        timings: dict[str, list[float]] = {"pass": [], "help": [], "run": []}
        codes: dict[str, set[int]] = {"pass": set(), "help": set(), "run": set()}
        # Interleaved, so that a load change on the shared machine touches all three alike.
        for _ in range(rounds):
            for name, command in (
                ("pass", [sys.executable, "-c", "pass"]),
                ("help", [*base, "diff", "--help"]),
                ("run", [*base, "diff", str(old), str(new)]),
            ):
                result = timed_command(command, folder, timeout=60.0)
                timings[name].append(result["seconds"])
                codes[name].add(result["exit_code"])
    floor = statistics.median(timings["pass"])
    details = {
        "rounds": rounds,
        "seconds": timings,
        "exit_codes": {k: sorted(v) for k, v in codes.items()},
    }
    if codes["help"] != {0} or codes["run"] != {1}:
        return [
            Figure(
                "diff",
                "`videos-contract diff` start-up and run",
                "s",
                None,
                "",
                None,
                status="not measured",
                note="diff did not exit as expected (0 for --help, 1 for a breaking change)",
                details=details,
            )
        ]
    baseline = "`python -c pass` (the interpreter's own start-up), same rounds"
    return [
        Figure(
            "diff-startup",
            "`videos-contract diff --help`, a fresh process (start-up only), median",
            "s",
            statistics.median(timings["help"]),
            baseline,
            floor,
            details=details,
        ),
        Figure(
            "diff-run",
            "`videos-contract diff OLD NEW` on two spec files, a fresh process, median",
            "s",
            statistics.median(timings["run"]),
            baseline,
            floor,
            target=Target(0.5, at_least=False, on_value=True, unit="s"),
            note="one breaking change found (exit 1)",
        ),
    ]
