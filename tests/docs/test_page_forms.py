"""The page's HTML and Markdown forms are rendered from its text copy, never edited apart.

`make pages` writes them (`videos_contract.docs.forms`); these tests fail when a committed form
is not what the current text copy renders, and show that a drift on the page is read the same
from every form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from videos_contract.cli import main
from videos_contract.docs.forms import FORMS, write_forms
from videos_contract.docs.forms import main as forms_main
from videos_contract.docs.page import read_page
from videos_contract.spec import load_spec


@pytest.mark.parametrize("suffix", sorted(FORMS))
def test_committed_form_is_the_rendered_text_copy(
    suffix: str, shared_page: Path, page_text: str, fixture_pages: Path
) -> None:
    committed = fixture_pages / (shared_page.stem + suffix)
    assert committed.read_text(encoding="utf-8") == FORMS[suffix](page_text), (
        f"{committed.name} is not the rendered text copy: run `make pages`"
    )


def test_the_forms_are_the_only_copies_of_the_page(fixture_pages: Path, shared_page: Path) -> None:
    """One copy per form: the folder holds the rendered forms and the per-family copies."""
    names = {p.name for p in fixture_pages.iterdir() if p.is_file()}
    assert names == {shared_page.stem + suffix for suffix in FORMS}


def _differences(capsys: pytest.CaptureFixture[str], page: Path) -> tuple[int, list[object]]:
    code = main(["docs-check", str(page), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    return code, [(d["field"], d["aspect"]) for d in result["differences"]]


@pytest.mark.parametrize("suffix", sorted(FORMS))
def test_a_drift_on_the_page_is_named_in_every_form(
    suffix: str, page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The prompt's length limit comes from the spec; the page copy is changed, then rendered."""
    limit = load_spec().operation("createVideo").request_schema("multipart/form-data")
    longest = limit["properties"]["prompt"]["maxLength"]
    before = f"1 - {longest}"
    assert page_text.count(before) == 1
    source = tmp_path / "page.txt"
    source.write_text(page_text.replace(before, f"1 - {longest // 2}"), encoding="utf-8")
    (form,) = [p for p in write_forms(source, tmp_path) if p.suffix == suffix]
    assert _differences(capsys, form) == (1, [("request body field `prompt`", "maximum length")])


def test_forms_give_the_text_copys_operation(shared_page: Path, fixture_pages: Path) -> None:
    text = read_page(shared_page)
    for suffix in FORMS:
        form = read_page(fixture_pages / (shared_page.stem + suffix))
        assert (form.method, form.path, form.title, form.content_type) == (
            text.method,
            text.path,
            text.title,
            text.content_type,
        )
        assert form.response_example == text.response_example


def test_make_pages_command_writes_both_forms(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "create-a-video.txt"
    source.write_text(page_text, encoding="utf-8")
    assert forms_main([str(source), str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "create-a-video.html",
        "create-a-video.md",
        "create-a-video.txt",
    ]
    assert "wrote" in capsys.readouterr().out


def test_a_text_without_an_operation_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Just some notes.\n", encoding="utf-8")
    assert forms_main([str(source), str(tmp_path)]) == 2
    assert "no `METHOD` line" in capsys.readouterr().err
    assert forms_main([str(tmp_path / "missing.txt"), str(tmp_path)]) == 2
    assert "cannot read" in capsys.readouterr().err
