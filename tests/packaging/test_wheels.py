"""The wheels work from any folder: the spec is package data, the commands run installed.

Everything here runs the installed console script in an empty folder outside the checkout,
with nothing of the checkout on the import path.
"""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.packaging.conftest import Installed
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY
from videos_contract.paths import GENERATED_DIR, PROJECT_ROOT
from videos_contract.probe import probe_video
from videos_contract.protocol import KEY_ENV, URL_ENV

# `create` names its model (none is defaulted): the default family's first, whose
# multipart form these tests exercise.
MODEL = families().default_family.models[0]

# One worker builds and installs the wheels once for the whole module (pytest-xdist).
pytestmark = pytest.mark.xdist_group("packaging")

LIMIT_MAXIMUM = "            maximum: 100\n            default: 20\n"


def _edited_spec(folder: Path) -> Path:
    """The user's copy of the spec with the list's largest page lowered to 5."""
    text = (PROJECT_ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert text.count(LIMIT_MAXIMUM) == 1, "the edit no longer applies to openapi.yaml"
    edited = folder / "my-openapi.yaml"
    edited.write_text(text.replace(LIMIT_MAXIMUM, LIMIT_MAXIMUM.replace("100", "5")), "utf-8")
    return edited


def test_the_wheel_carries_the_checkouts_spec(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel("videos_contract")) as wheel:
        packaged = wheel.read("videos_contract/openapi.yaml")
    assert packaged == (PROJECT_ROOT / "openapi.yaml").read_bytes()
    done = installed.run(
        "python", "-c", "from videos_contract.paths import SPEC_PATH; print(SPEC_PATH)"
    )
    spec_path = Path(done.stdout.strip())
    assert spec_path.is_relative_to(installed.venv), done.stderr
    assert spec_path.read_bytes() == packaged


def test_the_client_wheel_has_the_released_version(installed: Installed) -> None:
    meta = tomllib.loads((GENERATED_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    version = meta["project"]["version"]
    changelog = (GENERATED_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert newest is not None and newest.group(1) == version
    assert installed.wheel("aihubmix_videos").name == f"aihubmix_videos-{version}-py3-none-any.whl"


def test_installed_audit_of_the_embedded_mock(installed: Installed) -> None:
    done = installed.run("videos-contract", "audit", "--mock", "--profile", "quick")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((installed.workdir / "reports" / "summary.json").read_text("utf-8"))
    assert summary["verdict"] == "conformant"
    assert summary["target"].startswith("http://127.0.0.1:") and summary["embedded_mock"]
    assert "Conformant" in done.stdout


def test_installed_mock_serves_the_users_spec(installed: Installed, tmp_path: Path) -> None:
    edited = _edited_spec(tmp_path)
    process = installed.start(
        *("videos-contract", "mock", "--port", "0"),
        *("--render-seconds", "0.2", "--spec", str(edited)),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", first)
        assert match, first
        headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
        response = httpx.get(f"{match.group(1)}/v1/videos?limit=6", headers=headers)
        # 6 is within the packaged spec's limit and beyond the edited copy's.
        assert response.status_code == 400, response.text
        assert "limit" in response.text
        created = installed.run(
            *("videos-contract", "create", "--model", MODEL, "--prompt", "a red fox"),
            *("--wait", "--interval", "0.1", "-o", "fox.mp4"),
            timeout=120,
            env={URL_ENV: match.group(1), KEY_ENV: DEFAULT_KEY},
        )
        assert created.returncode == 0, created.stdout + created.stderr
        assert probe_video(installed.workdir / "fox.mp4").codec == "h264"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_installed_docs_check_and_diff(installed: Installed, tmp_path: Path) -> None:
    page = tmp_path / "create-a-video.md"
    page.write_bytes((PROJECT_ROOT / "tests/docs/pages/create-a-video.md").read_bytes())
    checked = installed.run("videos-contract", "docs-check", str(page))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    edited = _edited_spec(tmp_path)
    # `packaged` names the spec in site-packages, with no path to find.
    diffed = installed.run("videos-contract", "diff", "packaged", str(edited))
    assert diffed.returncode == 1, diffed.stdout + diffed.stderr
    assert "limit" in diffed.stdout and "breaking" in diffed.stdout.lower()


def test_installed_spec_option_refuses_a_missing_file(installed: Installed) -> None:
    done = installed.run(
        "videos-contract", "audit", "--mock", "--spec", "nowhere.yaml", "--no-fuzz"
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "nowhere.yaml" in done.stderr


def test_a_users_test_file_uses_the_installed_plugin(installed: Installed) -> None:
    example = PROJECT_ROOT / "examples" / "test_videos_api.py"
    (installed.workdir / example.name).write_bytes(example.read_bytes())
    done = installed.run("pytest", "-q", "-p", "no:cacheprovider", example.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
