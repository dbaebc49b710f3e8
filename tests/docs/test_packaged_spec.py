"""`diff` and `docs-check` name the spec the toolkit carries with one documented word."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from videos_contract.cli import main
from videos_contract.cli.docs import PACKAGED
from videos_contract.paths import PROJECT_ROOT, SPEC_PATH

PAGE = PROJECT_ROOT / "tests" / "docs" / "pages" / "create-a-video.md"


def _narrowed(folder: Path) -> tuple[Path, str]:
    """The packaged spec with its last clip length removed (a breaking change, and one the
    create page disagrees with), and that length."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    removed = str(document["components"]["schemas"]["VideoSeconds"]["enum"].pop())
    path = folder / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path, removed


def test_diff_names_the_packaged_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edited, removed = _narrowed(tmp_path)
    monkeypatch.chdir(tmp_path)  # far from any checkout: the word still finds it
    assert main(["diff", PACKAGED, str(edited)]) == 1
    assert f"'{removed}' removed" in capsys.readouterr().out
    assert main(["diff", PACKAGED, PACKAGED]) == 0


def test_docs_check_uses_the_packaged_spec_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder's own openapi.yaml is not the default: the help says so, and it is so."""
    _, removed = _narrowed(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["docs-check", str(PAGE)]) == 0
    assert main(["docs-check", str(PAGE), "--spec", PACKAGED]) == 0
    capsys.readouterr()
    assert main(["docs-check", str(PAGE), "--spec", "openapi.yaml"]) == 1
    assert f"not in the spec: {removed}" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["docs-check", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert f"(default: {PACKAGED}, not ./openapi.yaml" in shown
