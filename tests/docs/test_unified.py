# The page's own punctuation (full-width, multiplication sign) is matched and quoted here.
# ruff: noqa: RUF001
"""docs-check on the unified video page: every kept copy agrees, a mutated copy is drift.

The mutations are the ones a new reading of the page can bring: a family's duration list
changed, a size removed, a model dropped or added, a default moved, a reference field renamed.
Each must be reported naming the family and the field.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from videos_contract.cli import main
from videos_contract.docs.unified import EXAMPLE, compare_unified, is_unified, read_unified
from videos_contract.families import families
from videos_contract.spec import load_spec

COPIES = Path(__file__).parent / "pages" / "video-gen"
NEWEST = "video-gen.cn.mdx"


def _copies() -> list[Path]:
    return sorted(p for p in COPIES.iterdir() if p.name != "README.md")


@pytest.mark.parametrize("path", _copies(), ids=lambda p: p.name)
def test_every_kept_copy_has_no_unexplained_drift(path: Path) -> None:
    spec = load_spec()
    findings = compare_unified(read_unified(path, spec), spec, folder=COPIES)
    assert [f for f in findings if not f.known] == []
    assert all(f.deviation for f in findings)


def test_the_newest_copy_states_each_family_s_fields() -> None:
    """The reader finds what the page says: models, length and size of every listed family."""
    spec = load_spec()
    page = read_unified(COPIES / NEWEST, spec)
    for family in families(spec):
        # HappyHorse is on no page of the gateway (only in its adapter code).
        documented = any("unified-page" in family.sources.get(m, ()) for m in family.models)
        if family.catch_all or not documented:
            continue
        stated = {s.field for s in page.statements if s.family == family.name and s.values}
        assert {"model", family.seconds_field, family.size_field} <= stated, family.name
    veo2 = [s for s in page.statements if s.models == ("veo-2.0-generate-001",)]
    assert any(s.values == ("5", "6", "7", "8") and s.default == "8" for s in veo2)


def test_the_english_copy_names_kling_s_reference_fields() -> None:
    """Kling's fields, named without any Kling model, are the unlisted models' rules."""
    spec = load_spec()
    page = read_unified(COPIES / "video-gen.en.txt", spec)
    catch_all = families(spec).catch_all
    kling = {s.field for s in page.statements if s.family == catch_all.name and s.presence}
    assert kling == set(catch_all.fields)
    assert not any(family.name == "kling" for family in families(spec))


def test_the_create_page_is_not_the_unified_page(page_text: str) -> None:
    assert not is_unified(page_text, load_spec())
    for copy in _copies():  # Seedance's own page included
        assert is_unified(copy.read_text(encoding="utf-8"), load_spec()), copy.name


@pytest.mark.parametrize("path", _copies(), ids=lambda p: p.name)
def test_docs_check_agrees_with_every_kept_copy(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["docs-check", str(path)]) == 0
    assert "page and spec agree" in capsys.readouterr().out


# (copy, text in it, replacement, family label, field, words of the finding)
MUTATIONS = [
    pytest.param(
        NEWEST, '`"5"` 或 `"10"` | `"5"` |', '`"5"` 或 `"12"` | `"5"` |',
        "Alibaba Wan (wan)", "seconds", "not in the spec: 12", id="duration-list-changed",
    ),
    pytest.param(
        NEWEST, "`1440x1440`、`1632x1248`", "`1632x1248`",
        "Alibaba Wan (wan)", "size", "missing on the page: 1440x1440", id="size-removed",
    ),
    pytest.param(
        NEWEST, "| 模型 | `sora-2`、`sora-2-pro` |", "| 模型 | `sora-2` |",
        "OpenAI Sora (sora)", "model", "missing on the page: sora-2-pro", id="model-dropped",
    ),
    pytest.param(
        NEWEST, "| Google | `veo-2.0-generate-001` |", "| Google | `veo-4.0-generate-preview` |",
        "Google Veo (veo)", "model", "not in the spec: veo-4.0-generate-preview", id="model-added",
    ),
    pytest.param(
        NEWEST, '`"5"` 或 `"10"`（默认 `"5"`）', '`"5"` 或 `"10"`（默认 `"10"`）',
        "Jimeng (jimeng)", "seconds", "10", id="default-moved",
    ),
    pytest.param(
        NEWEST, '、`"4:3"`、`"3:4"`、`"21:9"`', '、`"4:3"`、`"3:4"`',
        "Doubao Seedance (seedance)", "ratio", "missing on the page: 21:9", id="ratio-removed",
    ),
    pytest.param(
        NEWEST, "| `21:9` 或 `2176x928` | 2176×928 |", "| `21:9` 或 `2176x928` | 2176×936 |",
        "Jimeng (jimeng)", "size", "2176x936", id="frame-changed",
    ),
    pytest.param(
        NEWEST, '"seconds": "5",\n    "size": "16:9"', '"seconds": "5",\n    "size": "16:10"',
        "Jimeng (jimeng)", "size", '"16:10" (in the page\'s example', id="example-refused",
    ),
    pytest.param(
        "video-gen.en.txt", "image / image_tail / image_list", "image / image_tail / image_refs",
        "Unlisted models (unlisted)", "image_refs", "documented", id="reference-field-renamed",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "family", "field", "words"), MUTATIONS)
def test_a_mutated_copy_is_drift_naming_family_and_field(
    tmp_path: Path, name: str, old: str, new: str, family: str, field: str, words: str
) -> None:
    text = (COPIES / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    mutated = tmp_path / name
    mutated.write_text(text.replace(old, new), encoding="utf-8")
    spec = load_spec()
    drift = [f for f in compare_unified(read_unified(mutated, spec), spec) if not f.known]
    assert drift, "the mutation went unnoticed"
    assert all(f.field.startswith(family) for f in drift), drift
    assert any(f"`{field}`" in f.field and words in f.page for f in drift), drift


def test_docs_check_reports_a_mutated_copy_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for copy in _copies():
        shutil.copy(copy, tmp_path / copy.name)
    page = tmp_path / NEWEST
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace('`"5"` 或 `"10"` | `"5"` |', '`"5"` | `"5"` |'), "utf-8")
    assert main(["docs-check", str(page), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["operation"].startswith("POST /v1/videos")
    (found,) = report["differences"]
    assert found["field"].startswith("Alibaba Wan (wan) `seconds` (wan2.5-t2v-preview")
    assert "missing on the page: 10" in found["page"]
    assert main(["docs-check", str(COPIES / "video-gen.en.2026-02.mdx")]) == 0
    out = capsys.readouterr().out
    assert "page and spec agree" in out and "superseded: video-gen.cn.mdx" in out


def test_an_older_copy_is_superseded_only_where_the_newest_agrees(tmp_path: Path) -> None:
    """A difference on an older copy is known when the family's own page states the field
    as the spec does; once that page disagrees too, the older copy's difference is drift."""
    older = "video-gen.en.2026-02.mdx"
    for copy in (older, NEWEST):
        shutil.copy(COPIES / copy, tmp_path / copy)
    spec = load_spec()
    page = read_unified(tmp_path / older, spec)
    assert page.superseded
    known = compare_unified(page, spec, folder=tmp_path)
    assert all(f.known for f in known)
    newest = tmp_path / NEWEST
    text = newest.read_text(encoding="utf-8")
    newest.write_text(text.replace('`"5"` 或 `"10"` | `"5"` |', '`"5"` | `"5"` |'), "utf-8")
    drift = [f for f in compare_unified(page, spec, folder=tmp_path) if not f.known]
    assert [f.field.split(" `")[0] for f in drift] == ["Alibaba Wan (wan)"]


def test_an_older_copy_s_example_is_listed_as_superseded() -> None:
    """The oldest page's Sora example sends `seconds` as a number and a `negative_prompt`."""
    spec = load_spec()
    page = read_unified(COPIES / "video-gen.en.older.mdx", spec)
    examples = [f for f in compare_unified(page, spec, folder=COPIES) if f.aspect == EXAMPLE]
    fields = {f.field.split("`")[1] for f in examples}
    assert fields == {"seconds", "negative_prompt"}
    # Superseded while the newest page's own Sora examples pass; once the spec departs from
    # that page too (a recorded x-deviation), they are known by that deviation instead.
    newest = read_unified(COPIES / "video-gen.cn.mdx", spec)
    newest_passes = not any(
        f.aspect == EXAMPLE and "(sora)" in f.field
        for f in compare_unified(newest, spec, folder=COPIES)
    )
    if newest_passes:
        assert all((f.deviation or "").startswith("superseded: video-gen.cn.mdx") for f in examples)
    assert all(f.known for f in examples)
