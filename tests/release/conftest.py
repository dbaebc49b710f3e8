"""Fixtures of the release tools' tests: a copy of the project's release files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, SPEC_PATH


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the spec, the generator config and generated/ (release files included)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(SPEC_PATH, root / "openapi.yaml")
    shutil.copy(GENERATOR_CONFIG, root / "generator-config.yaml")
    shutil.copytree(
        GENERATED_DIR, root / "generated", ignore=shutil.ignore_patterns("__pycache__", ".*cache")
    )
    return root
