"""docs-check on the sources that list models: the news page and the adapter's model list.

Per model: what the copy names that the contract lacks, and what the contract attributes to
the source (`x-video-families` `sources`) that the copy no longer names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from videos_contract.cli import main
from videos_contract.families import families

PAGES = Path(__file__).parent / "pages"
CATALOGUE = families()
NEWS = CATALOGUE.sources["news-page"]
ADAPTER = CATALOGUE.sources["adapter"]


def _check(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[dict[str, Any]]]:
    code = main(["docs-check", str(path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["differences"]


def _copy(tmp_path: Path, copy: str, text: str) -> Path:
    path = tmp_path / copy
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_news_page_names_no_model_the_contract_lacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert NEWS.copy is not None
    code, differences = _check(capsys, PAGES / NEWS.copy)
    assert (code, differences) == (0, [])
    # The page's chat models (backticked names too) are not read as video models.
    assert "claude-opus-4-7" in (PAGES / NEWS.copy).read_text(encoding="utf-8")


def test_a_news_copy_with_one_more_model_reports_it_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert NEWS.copy is not None
    text = (PAGES / NEWS.copy).read_text(encoding="utf-8")
    new = CATALOGUE.named_by(NEWS.name)[0] + "-next"
    path = _copy(tmp_path, NEWS.copy, text + f"\n- `{new}`: a model released after the contract.\n")
    code, differences = _check(capsys, path)
    assert code == 1
    assert [(d["field"], d["spec"]) for d in differences] == [(f"model `{new}`", "not in the spec")]


def test_a_model_the_news_copy_no_longer_names_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert NEWS.copy is not None
    gone = CATALOGUE.named_by(NEWS.name)[-1]
    text = (PAGES / NEWS.copy).read_text(encoding="utf-8").replace(f"`{gone}`", "")
    code, differences = _check(capsys, _copy(tmp_path, NEWS.copy, text))
    assert code == 1
    assert [(d["field"], d["page"]) for d in differences] == [
        (f"model `{gone}`", "not named any more")
    ]


def _adapter_rows() -> list[str]:
    assert ADAPTER.copy is not None
    body = (PAGES / ADAPTER.copy).read_text(encoding="utf-8").split("-->", 1)[1]
    rows = [line.split("|", 1)[0].strip() for line in body.splitlines() if "|" in line]
    return [r for r in rows if r != "model"]


def test_the_adapter_list_is_reported_model_by_model(capsys: pytest.CaptureFixture[str]) -> None:
    """Every model of the list the contract lacks is named, and nothing else."""
    assert ADAPTER.copy is not None
    code, differences = _check(capsys, PAGES / ADAPTER.copy)
    lacking = [m for m in _adapter_rows() if not CATALOGUE.known(m)]
    assert [d["field"] for d in differences] == [f"model `{m}`" for m in lacking]
    assert code == (1 if lacking else 0)
    # Every model the contract says comes from the adapter is in its list.
    assert set(CATALOGUE.named_by(ADAPTER.name)) <= set(_adapter_rows())
    # And the list names no model the contract lacks (HappyHorse's two were the last).
    assert lacking == [] and code == 0
    assert {"happyhorse-1.0-t2v", "happyhorse-1.0-i2v"} <= set(CATALOGUE.named_by(ADAPTER.name))


def test_an_adapter_copy_with_one_more_model_reports_it_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ADAPTER.copy is not None
    text = (PAGES / ADAPTER.copy).read_text(encoding="utf-8")
    new = CATALOGUE.named_by(ADAPTER.name)[0] + "-next"
    path = _copy(tmp_path, ADAPTER.copy, text.rstrip("\n") + f"\n{new} | generic | flat | - |\n")
    code, differences = _check(capsys, path)
    assert code == 1
    assert f"model `{new}`" in [d["field"] for d in differences]
