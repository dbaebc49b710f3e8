"""The built wheels installed into a fresh virtual environment outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from videos_contract.paths import GENERATED_DIR, PROJECT_ROOT
from videos_contract.protocol import KEY_ENV, URL_ENV


def uv_command() -> list[str]:
    """uv as the Makefile finds it: on PATH, else the module of this interpreter or python3."""
    found = shutil.which("uv")
    if found:
        return [found]
    for python in (sys.executable, shutil.which("python3") or "python3"):
        probe = subprocess.run([python, "-m", "uv", "--version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [python, "-m", "uv"]
    pytest.fail("uv is needed to build and install the wheels (make env installs it)")


@dataclass(frozen=True)
class Installed:
    """A virtual environment holding only the two wheels and their dependencies."""

    dist: Path
    venv: Path
    # An empty folder outside the checkout: the working directory of every command.
    workdir: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in (URL_ENV, KEY_ENV, "PYTHONPATH")}
        env.pop("VIRTUAL_ENV", None)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(
        self, program: str, *args: str, timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / program), *args],
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def wheel(self, prefix: str) -> Path:
        (found,) = self.dist.glob(f"{prefix}-*.whl")
        return found


def _run(command: Sequence[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`make dist`'s two builds, installed with uv into a new venv in a temporary folder."""
    root = tmp_path_factory.mktemp("installed")
    assert not root.resolve().is_relative_to(PROJECT_ROOT.resolve())
    dist, venv, workdir = root / "dist", root / "venv", root / "work"
    workdir.mkdir()
    uv = uv_command()
    _run([*uv, "build", "--quiet", "--out-dir", str(dist), str(PROJECT_ROOT)], root)
    _run([*uv, "build", "--quiet", "--out-dir", str(dist), str(GENERATED_DIR)], root)
    _run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], root)
    wheels = [str(p) for p in sorted(dist.glob("*.whl"))]
    _run(
        [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *wheels], root
    )
    return Installed(dist=dist, venv=venv, workdir=workdir)
