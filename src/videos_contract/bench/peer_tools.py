"""The peers the benchmarks compare with, installed for the benchmarks alone.

Prism (`@stoplight/prism-cli`, through npm) and mitmproxy (through pip, into a virtual
environment of its own) are pinned and installed under `.bench-tools/` of the checkout (git
ignores it), only by a full `make bench`: the project and its tests never need them. Where one
cannot be installed (no Node.js, no network), its figures are "not measured" with the reason
in one line. schemathesis is a dependency of the project already.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from videos_contract.paths import PROJECT_ROOT

__all__ = [
    "MITMPROXY_VERSION",
    "PRISM_VERSION",
    "TOOLS_DIR",
    "PeerTool",
    "PeerUnavailable",
    "mitmdump",
    "prism",
    "schemathesis",
]

PRISM_VERSION = "5.16.0"
MITMPROXY_VERSION = "11.0.2"
TOOLS_DIR = PROJECT_ROOT / ".bench-tools"
_INSTALL_TIMEOUT = 600.0


@dataclass(frozen=True)
class PeerTool:
    """An installed peer: how to run it and which version it is."""

    name: str
    version: str
    executable: Path

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


class PeerUnavailable(RuntimeError):
    """A peer cannot be run here; the message is one line saying why."""


def _run(command: list[str], timeout: float = _INSTALL_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _last_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return lines[-1][:200] if lines else f"exit {proc.returncode}"


def _reported_version(executable: Path) -> str:
    try:
        proc = _run([str(executable), "--version"], timeout=120.0)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    # Prism prints `5.16.0`; mitmdump `Mitmproxy: 11.0.2` and then other versions.
    lines = proc.stdout.strip().splitlines()
    return lines[0].split()[-1] if proc.returncode == 0 and lines and lines[0].split() else ""


def _node_and_npm(install: bool) -> str:
    """The npm executable; with `install`, Node.js and npm come from apt-get when missing and
    this process is root."""
    npm = shutil.which("npm")
    if npm and shutil.which("node"):
        return npm
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        proc = _run(["apt-get", "install", "-y", "-q", "nodejs", "npm"])
        npm = shutil.which("npm")
        if proc.returncode == 0 and npm and shutil.which("node"):
            return npm
        raise PeerUnavailable(f"Node.js and npm could not be installed: {_last_line(proc)}")
    raise PeerUnavailable("Node.js and npm are not installed (they are needed for Prism)")


def prism(install: bool, folder: Path | None = None) -> PeerTool:
    """Prism at its pinned version; installed with npm when `install` and it is missing."""
    prefix = (folder or TOOLS_DIR) / "prism"
    executable = prefix / "node_modules" / ".bin" / "prism"
    if executable.exists() and _reported_version(executable) == PRISM_VERSION:
        return PeerTool("prism", PRISM_VERSION, executable)
    if not install:
        raise PeerUnavailable(f"Prism {PRISM_VERSION} is not installed (make bench installs it)")
    npm = _node_and_npm(install)
    prefix.mkdir(parents=True, exist_ok=True)
    package = f"@stoplight/prism-cli@{PRISM_VERSION}"
    command = [npm, "install", "--prefix", str(prefix), "--no-save", "--no-package-lock"]
    proc = _run([*command, "--no-audit", "--no-fund", "--loglevel=error", package])
    if proc.returncode != 0 or _reported_version(executable) != PRISM_VERSION:
        raise PeerUnavailable(f"npm could not install {package}: {_last_line(proc)}")
    return PeerTool("prism", PRISM_VERSION, executable)


def mitmdump(install: bool, folder: Path | None = None) -> PeerTool:
    """mitmproxy's `mitmdump` at its pinned version, in a virtual environment of its own."""
    venv = (folder or TOOLS_DIR) / "mitmproxy"
    executable = venv / "bin" / "mitmdump"
    if executable.exists() and _reported_version(executable) == MITMPROXY_VERSION:
        return PeerTool("mitmproxy", MITMPROXY_VERSION, executable)
    if not install:
        raise PeerUnavailable(
            f"mitmproxy {MITMPROXY_VERSION} is not installed (make bench installs it)"
        )
    python = shutil.which("python3.11") or sys.executable
    proc = _run([python, "-m", "venv", "--clear", str(venv)])
    if proc.returncode != 0:
        raise PeerUnavailable(f"no virtual environment for mitmproxy: {_last_line(proc)}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    proc = _run([*pip, f"mitmproxy=={MITMPROXY_VERSION}"])
    if proc.returncode != 0 or _reported_version(executable) != MITMPROXY_VERSION:
        raise PeerUnavailable(f"pip could not install mitmproxy: {_last_line(proc)}")
    return PeerTool("mitmproxy", MITMPROXY_VERSION, executable)


def schemathesis() -> PeerTool:
    """schemathesis' own CLI, from the project's environment."""
    executable = Path(sys.executable).parent / "schemathesis"
    return PeerTool("schemathesis", version("schemathesis"), executable)
