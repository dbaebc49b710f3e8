"""Where the project's files are, so that no module guesses its own way to the spec.

The spec is package data: a built wheel holds a copy of the checkout's `openapi.yaml` as
`videos_contract/openapi.yaml` (the build copies it in; see ARCHITECTURE.md), read through
`importlib.resources`. In a checkout (the editable install `make env` makes) no copy exists
and the root `openapi.yaml` itself is the spec. The other names are the checkout's own files,
for the tools that only make sense there (generation, `regen`, benchmarks).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = [
    "GENERATED_DIR",
    "GENERATOR_CONFIG",
    "PACKAGED_SPEC",
    "PROJECT_ROOT",
    "SPEC_NAME",
    "SPEC_PATH",
    "TEMPLATES_DIR",
    "packaged_spec",
]

SPEC_NAME = "openapi.yaml"

# In a checkout the package lives in src/videos_contract and the spec sits at the root beside
# src/. In an installed wheel this points into site-packages' parent and is not used for the spec.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
GENERATOR_CONFIG = PROJECT_ROOT / "generator-config.yaml"
GENERATED_DIR = PROJECT_ROOT / "generated"
TEMPLATES_DIR = PROJECT_ROOT / "generator-templates"


def packaged_spec() -> Path | None:
    """The spec the wheel carries, or None when running from a checkout.

    Wheels are installed unpacked, so the resource is a real file that schemathesis (run as a
    subprocess) can be given by path.
    """
    resource = resources.files("videos_contract") / SPEC_NAME
    if isinstance(resource, Path) and resource.is_file():
        return resource
    return None


PACKAGED_SPEC = packaged_spec()
SPEC_PATH = PACKAGED_SPEC or PROJECT_ROOT / SPEC_NAME
