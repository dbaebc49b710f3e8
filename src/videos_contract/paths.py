"""Where the project's files are, so that no module guesses its own way to the spec."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GENERATED_DIR", "GENERATOR_CONFIG", "PROJECT_ROOT", "SPEC_PATH", "TEMPLATES_DIR"]

# The package lives in src/videos_contract; the spec sits at the project root beside src/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = PROJECT_ROOT / "openapi.yaml"
GENERATOR_CONFIG = PROJECT_ROOT / "generator-config.yaml"
GENERATED_DIR = PROJECT_ROOT / "generated"
TEMPLATES_DIR = PROJECT_ROOT / "generator-templates"
