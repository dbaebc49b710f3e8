"""The machine a run was taken on, and a calibration loop that shows how busy it was."""

from __future__ import annotations

import datetime
import os
import platform
import time
from typing import Any

__all__ = ["calibrate", "describe_machine"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def calibrate(iterations: int = 2_000_000) -> float:
    """Seconds of a fixed pure-Python loop: compared at the start and the end of a run, it
    shows whether other work on the machine slowed one part of the run more than another."""
    started = time.perf_counter()
    total = 0
    for index in range(iterations):
        total += index & 7
    return time.perf_counter() - started


def describe_machine() -> dict[str, Any]:
    """CPU count and model, Python version, kernel, load average and the UTC date."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average": list(os.getloadavg()),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
