"""Where an old or new spec comes from: a file, or a file at a git revision (`HEAD~1:x.yaml`)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from videos_contract.docs.release import ReleaseError, load_document

__all__ = ["load_spec_source"]


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
        raw = yaml.safe_load(proc.stdout)
    except yaml.YAMLError as exc:
        raise ReleaseError(f"{source}: not YAML: {exc}") from exc
    if not isinstance(raw, dict) or "paths" not in raw:
        raise ReleaseError(f"{source} is not an OpenAPI document")
    return raw
