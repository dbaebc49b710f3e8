"""Benchmarks 5 and 6: the audit of the embedded mock, and regeneration with the drift check.

Each command runs as a user runs it, in its own process, in a temporary working folder (the
audit writes `reports/`, `.hypothesis/` and `.schemathesis/` there). Their targets are
absolute (seconds); the same-run baseline says what part of the time is the floor: the
`quick` audit profile for the audit, the generation alone for the drift check.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from videos_contract.bench.procs import run_measured
from videos_contract.bench.results import Figure, Target
from videos_contract.bench.sizes import Sizes
from videos_contract.protocol import KEY_ENV, URL_ENV

__all__ = ["audit_arguments", "measure_audit", "measure_generation", "timed_command"]

_GENERATE_INTO = (
    "import sys; from pathlib import Path; "
    "from videos_contract.release.generation import generate_into; generate_into(Path(sys.argv[1]))"
)


def timed_command(
    command: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 600.0
) -> dict[str, Any]:
    """Wall seconds, exit status and peak RSS (KiB: the largest of the process and the children
    it waited for) of `command`; the end of its output when it failed."""
    with tempfile.TemporaryFile("w+") as output:
        result = run_measured(command, cwd=cwd, env=env, output=output, timeout=timeout)
        result["command"] = " ".join(command[1:])
        if result["exit_code"] != 0:
            output.seek(0)
            result["output_tail"] = output.read()[-1500:]
    return result


def audit_arguments(profile: str, max_creates: int | None, report_dir: Path) -> list[str]:
    """The `videos-contract` arguments of one audit of the embedded mock."""
    arguments = ["audit", "--mock", "--profile", profile, "--report-dir", str(report_dir)]
    if max_creates is not None:
        arguments += ["--max-creates", str(max_creates)]
    return arguments


def _audit(profile: str, max_creates: int | None, folder: Path) -> dict[str, Any]:
    arguments = audit_arguments(profile, max_creates, folder / "reports")
    command = [sys.executable, "-m", "videos_contract", *arguments]
    # Without a URL the command audits its embedded mock, whatever the caller's shell has set.
    env = {k: v for k, v in os.environ.items() if k not in (URL_ENV, KEY_ENV)}
    return timed_command(command, folder, env=env)


def measure_audit(sizes: Sizes) -> list[Figure]:
    """`videos-contract audit --profile standard` on the embedded mock (exit 0 or 1 counts)."""
    key = "audit"
    title = (
        f"`videos-contract audit --profile {sizes.audit_profile}`, embedded mock, "
        "one model per family"
    )
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        run = _audit(sizes.audit_profile, sizes.audit_max_creates, Path(tmp))
        baseline = (
            _audit(sizes.audit_baseline_profile, None, Path(tmp))
            if sizes.audit_baseline_profile
            else None
        )
    if run["exit_code"] not in (0, 1):
        return [
            Figure(
                key,
                title,
                "s",
                None,
                "",
                None,
                status="not measured",
                note=f"the audit could not run (exit {run['exit_code']})",
                details=run,
            )
        ]
    note = "conformant" if run["exit_code"] == 0 else "ran, and reported violations"
    return [
        Figure(
            key,
            title,
            "s",
            run["seconds"],
            f"`--profile {sizes.audit_baseline_profile}` (no fuzzing), same mock"
            if baseline
            else "no baseline in a smoke run",
            baseline["seconds"] if baseline else None,
            # The standard audit sweeps one model of every family (docs/audit.md, Profiles).
            target=Target(90.0, at_least=False, on_value=True, unit="s"),
            note=note,
            details={"run": run, "baseline": baseline},
        ),
        *_quick_figure(baseline),
        Figure(
            "audit_peak_rss",
            f"`videos-contract audit --profile {sizes.audit_profile}`: peak RSS",
            "MiB",
            run["peak_rss_kib"] / 1024,
            f"`--profile {sizes.audit_baseline_profile}`, same mock"
            if baseline
            else "no baseline in a smoke run",
            baseline["peak_rss_kib"] / 1024 if baseline else None,
            note="the largest process of the audit's tree: the audit with its embedded mock, "
            "or schemathesis, its child",
            details={"run_kib": run["peak_rss_kib"]},
        ),
    ]


def _quick_figure(baseline: dict[str, Any] | None) -> list[Figure]:
    """The baseline run is the `quick` profile, which has its own target (15 s)."""
    if baseline is None or baseline["exit_code"] not in (0, 1):
        return []
    return [
        Figure(
            "audit-quick",
            "`videos-contract audit --profile quick`, embedded mock",
            "s",
            baseline["seconds"],
            "no baseline",
            None,
            target=Target(15.0, at_least=False, on_value=True, unit="s"),
            note="conformant" if baseline["exit_code"] == 0 else "ran, and reported violations",
            details={"run": baseline},
        )
    ]


def measure_generation(sizes: Sizes) -> list[Figure]:
    """`generation check` plus `generate` into a temporary folder, against the generation
    alone (the check generates once more and compares the trees)."""
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as tmp:
        folder = Path(tmp)
        check = timed_command([python, "-m", "videos_contract.release.generation", "check"], folder)
        generate = timed_command([python, "-c", _GENERATE_INTO, str(folder / "client")], folder)
    failed = [run for run in (check, generate) if run["exit_code"] != 0]
    title = "Drift check + regeneration into a temporary folder"
    if failed:
        return [
            Figure(
                "generation",
                title,
                "s",
                None,
                "",
                None,
                status="not measured",
                note=f"a command failed: {failed[0]['command']}",
                details={"check": check, "generate": generate},
            )
        ]
    return [
        Figure(
            "generation",
            title,
            "s",
            check["seconds"] + generate["seconds"],
            "the generation alone (openapi-python-client + ruff hook)",
            generate["seconds"],
            target=Target(10.0, at_least=False, on_value=True, unit="s"),
            details={"check": check, "generate": generate},
        )
    ]
