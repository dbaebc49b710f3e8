"""Processes of a benchmark: servers and clients each in their own process, measured from
`/proc` (peak RSS from `VmHWM`, CPU time from `stat`), so no figure mixes two of them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BenchProcessError",
    "ServedApp",
    "cpu_seconds",
    "loopback_copy",
    "peak_rss_kib",
    "run_measured",
    "run_worker",
    "served",
]

_START_TIMEOUT = 30.0
_SOCKCOPY = "videos_contract.bench.sockcopy"
_TICKS = os.sysconf("SC_CLK_TCK")


class BenchProcessError(RuntimeError):
    """A server or worker process failed; the message holds the end of its stderr."""


def peak_rss_kib(pid: int | str = "self") -> int:
    """The process's peak resident set size (`VmHWM`), in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise BenchProcessError(f"/proc/{pid}/status has no VmHWM")


def cpu_seconds(pid: int | str = "self") -> float:
    """User plus system CPU time the process has used so far, threads that ended included.

    Read from the process's CPU-time clock (`clock_gettime`, nanoseconds): `/proc/PID/stat`
    counts in clock ticks (10 ms), and a short load on a fast server (a smoke run) would
    read as nothing. Where that clock cannot be read, the ticks."""
    number = os.getpid() if pid == "self" else int(pid)
    try:
        return time.clock_gettime(_process_cpu_clock(number))
    except OSError:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The command name (field 2) may hold spaces; count fields after its ')'.
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS


def _process_cpu_clock(pid: int) -> int:
    """Linux's id of a process's CPU-time clock, as `clock_getcpuclockid(3)` gives it
    (`MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)`; Python has no binding for it)."""
    return ((~pid) << 3) | 2


@dataclass(frozen=True)
class ServedApp:
    """A server process: its URL and pid."""

    url: str
    pid: int

    def peak_rss_kib(self) -> int:
        return peak_rss_kib(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


@contextmanager
def served(
    kind: str, options: dict[str, Any] | None = None, *, socket_kind: str = "tcp"
) -> Iterator[ServedApp]:
    """Run `videos_contract.bench.serve KIND` in a subprocess for the block."""
    command = [
        sys.executable,
        "-m",
        "videos_contract.bench.serve",
        kind,
        json.dumps(options or {}),
        socket_kind,
    ]
    # stderr goes to a file: a pipe nobody reads would stall a server that logs a lot.
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            if not line.startswith("http://"):
                process.kill()
                process.wait()
                errors.seek(0)
                raise BenchProcessError(f"{kind} server did not start: {errors.read()[-2000:]}")
            yield ServedApp(url=line, pid=process.pid)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=_START_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()


# Runs the command as its child and writes its wall time, exit code and peak RSS. A process's
# `ru_maxrss` keeps the high-water mark of the memory it was forked with, even across exec: a
# command forked by the benchmark (a hundred MiB or more by then) would report at least that.
# This wrapper is a bare interpreter, so the command starts from its few MiB.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "exit_code": code, "peak_rss_kib": peak}, out)
"""


def run_measured(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    output: Any = subprocess.DEVNULL,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Wall seconds, exit code and peak RSS (KiB; the largest of the command's process and the
    children it waited for) of `command`, its output to `output` (discarded by default)."""
    with tempfile.TemporaryDirectory(prefix="bench-measured-") as tmp:
        result_file = Path(tmp) / "result.json"
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(result_file), *command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,  # a timeout stops the command's whole group
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return {"seconds": timeout, "exit_code": -signal.SIGKILL, "peak_rss_kib": 0}
        if not result_file.exists():
            raise BenchProcessError(f"no measurement of {' '.join(command[:3])}")
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    return result


def run_worker(module: str, *args: str, timeout: float = 600.0) -> dict[str, Any]:
    """Run `python -m MODULE ARGS` and return the JSON object on the last line of its stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise BenchProcessError(
            f"{module} {' '.join(args[:1])} exited {proc.returncode}: {proc.stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def loopback_copy(total: int, source: Path | None = None) -> dict[str, Any]:
    """Copy `total` bytes (of `source`, or a pattern) between two processes; the timings."""
    receiver = subprocess.Popen(
        [sys.executable, "-m", _SOCKCOPY, "recv"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout is not None
        port = receiver.stdout.readline().strip()
        if not port.isdigit():
            raise BenchProcessError("the loopback receiver did not start")
        args = [port, str(total)] + ([str(source)] if source else [])
        sent = run_worker(_SOCKCOPY, "send", *args)
        received: dict[str, Any] = json.loads(receiver.communicate(timeout=60)[0].splitlines()[-1])
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait()
    return {**sent, "receiver_peak_rss_kib": received["peak_rss_kib"]}
