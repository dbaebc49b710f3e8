"""Where an old or new spec comes from: a file, or a file at a git revision (`HEAD~1:x.yaml`)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from videos_contract.release.gate import ReleaseError, check_document, load_document, parse_yaml

__all__ = ["git_show", "load_spec_source"]


def git_show(revision: str, path: Path) -> str | None:
    """The text of `path` (a file in a git work tree) at `revision`; None if git cannot say."""
    folder = path.resolve().parent
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if top.returncode != 0:
            return None
        relative = path.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
        shown = subprocess.run(
            ["git", "show", f"{revision}:{relative}"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except (OSError, ValueError):
        return None
    return shown.stdout if shown.returncode == 0 else None


def load_spec_source(source: str, *, cwd: Path | None = None) -> dict[str, Any]:
    """The parsed spec named by `source`: an existing file, else `REVISION:PATH` read with git."""
    base = cwd or Path.cwd()
    candidate = Path(source) if Path(source).is_absolute() else base / source
    if candidate.is_file():
        return load_document(candidate)
    revision, sep, path = source.partition(":")
    if not sep or not revision or not path:
        raise ReleaseError(f"{source}: no such file (a git revision is written REVISION:PATH)")
    try:
        proc = subprocess.run(
            ["git", "show", f"{revision}:{path}"],
            cwd=base,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise ReleaseError(f"{source}: cannot run git: {exc}") from exc
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "git show failed"
        raise ReleaseError(f"{source}: {reason}")
    try:
        raw = parse_yaml(proc.stdout)
    except yaml.YAMLError as exc:
        raise ReleaseError(f"{source}: not YAML: {exc}") from exc
    return check_document(raw, source)
