"""The built wheels installed into a fresh virtual environment outside the checkout."""

from __future__ import annotations

import importlib.metadata
import os
import shlex
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
        self, program: str, *args: str, timeout: float = 240, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`program` of the venv run to its end in `workdir`; `env` added to its environment."""
        return subprocess.run(
            [str(self.bin / program), *args],
            cwd=self.workdir,
            env={**self.env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, program: str, *args: str) -> subprocess.Popen[str]:
        """`program` of the venv started in `workdir` (a server), stdout and stderr merged;
        the caller stops it."""
        return subprocess.Popen(
            [str(self.bin / program), *args],
            cwd=self.workdir,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wheel(self, prefix: str) -> Path:
        (found,) = self.dist.glob(f"{prefix}-*.whl")
        return found


def _run(command: Sequence[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"


def _constraints(folder: Path) -> Path:
    """The dev environment's versions, pinned: a fresh venv gets the very same distributions
    (from uv's cache, where they are), whatever the index offers today."""
    ours = {"videos-contract", "aihubmix-videos"}
    pins = sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"].lower() not in ours
    )
    path = folder / "constraints.txt"
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


# The README's two install lines ("Use it from your own project"), run as written from the
# folder that holds `dist/`, with uv's pip in place of pip.
README_INSTALLS = {
    "": "pip install dist/aihubmix_videos-*.whl dist/videos_contract-*.whl",
    "[all]": 'pip install dist/aihubmix_videos-*.whl "$(echo dist/videos_contract-*.whl)[all]"',
}


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make dist`'s two builds, in `dist/` of a temporary folder."""
    root = tmp_path_factory.mktemp("built") / "dist"
    assert not root.resolve().is_relative_to(PROJECT_ROOT.resolve())
    uv = uv_command()
    _run([*uv, "build", "--quiet", "--out-dir", str(root), str(PROJECT_ROOT)], root.parent)
    _run([*uv, "build", "--quiet", "--out-dir", str(root), str(GENERATED_DIR)], root.parent)
    return root


def _install(dist: Path, root: Path, extras: str, *also: str) -> Installed:
    """The README's install line for `extras` ("" for the base install) into a new venv, then
    the distributions `also` names; the versions pinned to the dev environment's."""
    venv, workdir = root / "venv", root / "work"
    workdir.mkdir()
    uv = uv_command()
    _run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], root)
    pip = " ".join(
        shlex.quote(word)
        for word in (*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"))
    )
    constraints = shlex.quote(str(_constraints(root)))
    line = README_INSTALLS.get(
        extras,
        f'pip install dist/aihubmix_videos-*.whl "$(echo dist/videos_contract-*.whl){extras}"',
    ).replace("pip install", f"{pip} -c {constraints}", 1)
    _run(["bash", "-c", line], dist.parent)
    if also:
        _run(["bash", "-c", " ".join([pip, "-c", constraints, *map(shlex.quote, also)])], root)
    return Installed(dist=dist, venv=venv, workdir=workdir)


@pytest.fixture(scope="session")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Both wheels with every extra (`[all]`), installed into a new venv outside the checkout."""
    return _install(dist, tmp_path_factory.mktemp("installed"), "[all]")


@pytest.fixture(scope="session")
def installed_base(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The base install: both wheels and no extra, in a new venv outside the checkout."""
    return _install(dist, tmp_path_factory.mktemp("installed-base"), "")


@pytest.fixture(scope="session")
def installed_base_with_pytest(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The base install and pytest, as a project's test environment with the plugin."""
    return _install(dist, tmp_path_factory.mktemp("installed-base-pytest"), "", "pytest")


@pytest.fixture(scope="session")
def installed_proxy(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The toolkit with the `proxy` extra alone."""
    return _install(dist, tmp_path_factory.mktemp("installed-proxy"), "[proxy]")
