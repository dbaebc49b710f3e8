"""`videos-contract docs-check`: the shipped page agrees with the spec; every drift is named."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from videos_contract.cli import main
from videos_contract.paths import PROJECT_ROOT, SPEC_PATH


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["docs-check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _write(tmp_path: Path, text: str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_page_agrees_with_the_spec(
    shared_page: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["docs-check", str(shared_page)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "POST /v1/videos (createVideo): page and spec agree" in out


def test_known_deviations_are_reported_as_such(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = _run(capsys, str(_write(tmp_path, page_text)))
    assert code == 0
    assert result["differences"] == []
    known = {(f["field"], f["aspect"]) for f in result["known_deviations"]}
    assert ("response field `error`", "nullable") in known
    assert ("response field `model`", "type") in known
    assert ("response example", "required fields") in known
    # Each one points at an x-deviation that docs/deviations.md lists.
    listed = (PROJECT_ROOT / "docs" / "deviations.md").read_text(encoding="utf-8")
    for finding in result["known_deviations"]:
        pointer = finding["deviation"].split(": ", 1)[0]
        assert f"`{pointer}`" in listed, pointer


# (page text before, after, field, aspect, words the page side must name)
MUTATIONS = [
    pytest.param(
        "\n12\nsize\n",
        "\n12,\n16\nsize\n",
        "request body field `seconds`",
        "allowed values (options list)",
        "not in the spec: 16",
        id="enum-value-added",
    ),
    pytest.param(
        "(allowed values: sora-2, sora-2-pro)",
        "(allowed values: sora-2)",
        "request body field `model`",
        "allowed values (allowed values in the text)",
        "missing on the page: sora-2-pro",
        id="enum-value-removed",
    ),
    pytest.param(
        "completed,\nfailed\nprogress\n",
        "completed,\nfailed,\nexpired\nprogress\n",
        "response field `status`",
        "allowed values (options list)",
        "not in the spec: expired",
        id="response-enum-value-added",
    ),
    pytest.param(
        "Defaults to 720x1280.",
        "Defaults to 1280x720.",
        "request body field `size`",
        "default (default in the text)",
        "1280x720",
        id="default-changed-in-prose",
    ),
    pytest.param(
        "Standard:video",
        "Standard:clip",
        "response field `object`",
        "default (default label)",
        "clip",
        id="default-changed-in-label",
    ),
    pytest.param(
        "Required string length: 1 - 32000",
        "Required string length: 1 - 16000",
        "request body field `prompt`",
        "maximum length",
        "16000",
        id="length-limit-changed",
    ),
    pytest.param(
        "seconds\nenum<string>\n\nClip duration",
        "negative_prompt\nstring\n\nWhat the video should avoid.\n\n"
        "seconds\nenum<string>\n\nClip duration",
        "request body field `negative_prompt`",
        "presence",
        "documented",
        id="field-added",
    ),
    pytest.param(
        "model\n\nThe video generation model to use",
        "model\nerforderlich\n\nThe video generation model to use",
        "request body field `model`",
        "required",
        "required",
        id="field-made-required",
    ),
    pytest.param(
        "expires_at\ninteger<unixtime> | null\nerforderlich\n\n"
        "Unix timestamp (seconds) for when the downloadable assets expire, if set.\n",
        "",
        "response field `expires_at`",
        "presence",
        "not documented",
        id="response-field-removed",
    ),
    pytest.param(
        "seconds\nstring\nerforderlich",
        "seconds\ninteger\nerforderlich",
        "response field `seconds`",
        "type",
        "integer",
        id="type-changed",
    ),
    pytest.param(
        "prompt\nstring | null\nerforderlich",
        "prompt\nstring\nerforderlich",
        "response field `prompt`",
        "nullable",
        "not nullable",
        id="nullability-changed",
    ),
]


@pytest.mark.parametrize(("before", "after", "field", "aspect", "says"), MUTATIONS)
def test_each_drift_is_named(
    page_text: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    before: str,
    after: str,
    field: str,
    aspect: str,
    says: str,
) -> None:
    assert page_text.count(before) == 1, "the mutation no longer applies to the page"
    page = _write(tmp_path, page_text.replace(before, after))
    code, result = _run(capsys, str(page))
    assert code == 1
    assert [(d["field"], d["aspect"]) for d in result["differences"]] == [(field, aspect)]
    assert says in result["differences"][0]["page"]


def test_text_report_lists_field_page_and_spec(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _write(tmp_path, page_text.replace("1 - 32000", "1 - 16000"))
    assert main(["docs-check", str(page)]) == 1
    out = capsys.readouterr().out
    assert "1 difference(s)" in out
    assert "request body field `prompt`: maximum length: page says 16000; spec says 32000" in out


def test_english_labels_read_like_german_ones(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english = page_text
    for german, translated in (
        ("erforderlich", "required"),
        ("Verfügbare Optionen:", "Available options:"),
        ("Standard:", "default:"),
        ("Antwort", "Response"),
        ("Autorisierungen", "Authorizations"),
    ):
        english = english.replace(german, translated)
    assert "erforderlich" not in english
    _, german_result = _run(capsys, str(_write(tmp_path, page_text, "de.txt")))
    code, english_result = _run(capsys, str(_write(tmp_path, english, "en.txt")))
    assert code == 0
    assert english_result["differences"] == []
    assert english_result["known_deviations"] == german_result["known_deviations"]
    # And a drift is still caught in English.
    drifted = _write(tmp_path, english.replace("seconds\nstring\nrequired", "seconds\nstring"))
    code, result = _run(capsys, str(drifted))
    assert code == 1
    assert [(d["field"], d["aspect"]) for d in result["differences"]] == [
        ("response field `seconds`", "required")
    ]


@pytest.mark.parametrize("name", ["create-a-video.html", "create-a-video.md"])
def test_html_and_markdown_forms_agree(
    name: str, fixture_pages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = _run(capsys, str(fixture_pages / name))
    assert code == 0, result["differences"]
    assert len(result["known_deviations"]) == 7


@pytest.mark.parametrize(
    ("name", "before", "after", "field", "aspect"),
    [
        (
            "create-a-video.html",
            "<code>1 - 32000</code>",
            "<code>1 - 8000</code>",
            "request body field `prompt`",
            "maximum length",
        ),
        (
            "create-a-video.md",
            "`4`, `8`, `12`",
            "`4`, `8`",
            "request body field `seconds`",
            "allowed values (options list)",
        ),
    ],
)
def test_html_and_markdown_drift_is_named(
    fixture_pages: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    before: str,
    after: str,
    field: str,
    aspect: str,
) -> None:
    text = (fixture_pages / name).read_text(encoding="utf-8")
    assert text.count(before) == 1
    code, result = _run(capsys, str(_write(tmp_path, text.replace(before, after), name)))
    assert code == 1
    assert [(d["field"], d["aspect"]) for d in result["differences"]] == [(field, aspect)]


def test_a_deviation_no_longer_recorded_becomes_drift(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    del spec["components"]["schemas"]["Video"]["properties"]["error"]["x-deviation"]
    spec_path = tmp_path / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    page = _write(tmp_path, page_text)
    code, result = _run(capsys, str(page), "--spec", str(spec_path))
    assert code == 1
    assert [(d["field"], d["aspect"]) for d in result["differences"]] == [
        ("response field `error`", "nullable")
    ]


def test_an_operation_the_spec_lacks_is_drift(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _write(tmp_path, page_text.replace("videos\nCreate a Video", "films\nCreate a Video"))
    code, result = _run(capsys, str(page))
    assert code == 1
    assert result["operation"] == "POST /v1/films"
    assert result["differences"][0]["spec"] == "no such operation"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b"\xff\xfe\x00garbage\x80", "cannot read"),
        (b"Just some notes about videos.\nNothing else.\n", "no operation found"),
        (b"<html><body><p>Videos</p></body></html>", "no operation found"),
    ],
    ids=["missing", "not-text", "no-operation", "html-without-operation"],
)
def test_unreadable_pages_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    page = tmp_path / "page.txt"
    if content is not None:
        page.write_bytes(content)
    assert main(["docs-check", str(page)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert re.match(r"videos-contract docs-check: error: ", lines[0])
    assert message in lines[0]


def test_unreadable_spec_exits_2(
    page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _write(tmp_path, page_text)
    assert main(["docs-check", str(page), "--spec", str(tmp_path / "none.yaml")]) == 2
    assert "cannot read spec" in capsys.readouterr().err
