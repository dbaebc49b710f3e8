"""Start-up: a command's `--help` loads none of the heavy libraries its work needs.

Counted, not timed: each `--help` runs in a fresh interpreter that then lists `sys.modules`.
The libraries below each take tens to hundreds of milliseconds to import (`python -X importtime`;
docs/benchmarks.md has the start-up figures against `schemathesis --help`): httpx (which also
loads click, rich and pygments for its own command line), the generated client and attrs,
Starlette's app and uvicorn, PyAV, Pillow, jsonschema, and schemathesis.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "httpx",
    "httpcore",
    "aihubmix_videos",
    "attr",
    "rich",
    "click",
    "pygments",
    "starlette.applications",
    "uvicorn",
    "av",
    "PIL",
    "jsonschema",
    "schemathesis",
    "hypothesis",
)

_LIST_MODULES = """
import json, sys
from videos_contract.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""


def _loaded(tmp_path: Path, *argv: str) -> set[str]:
    listing = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _LIST_MODULES, str(listing), *argv],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return set(json.loads(listing.read_text()))


def _heavy(modules: set[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["create", "--help"],
        ["mock", "--help"],
        ["audit", "--help"],
        ["proxy", "--help"],
        ["docs-check", "--help"],
    ],
    ids=" ".join,
)
def test_help_loads_no_heavy_library(tmp_path: Path, argv: list[str]) -> None:
    modules = _loaded(tmp_path, *argv)
    assert "videos_contract.cli" in modules  # the command line did run
    assert _heavy(modules) == []


def test_the_listing_sees_a_heavy_library_when_one_loads(tmp_path: Path) -> None:
    # The same listing, after what a command that sends a request loads: `client.connect`.
    listing = tmp_path / "modules.json"
    code = _LIST_MODULES.replace(
        "from videos_contract.cli import main",
        "from videos_contract import client\nclient.connect\nfrom videos_contract.cli import main",
    )
    subprocess.run(
        [sys.executable, "-c", code, str(listing), "--help"], check=True, capture_output=True
    )
    modules = set(json.loads(listing.read_text()))
    assert {"httpx", "httpcore", "aihubmix_videos", "attr", "rich", "click"} <= modules
