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
from videos_contract.spec import load_spec

# The page's values that the mutations below start from, read from the spec (which the
# traceability tests tie to the page), so a new reading of the page needs no edit here.
SPEC = load_spec()
SECONDS = SPEC.enum("VideoSeconds")
NEW_SECONDS = str(max(int(s) for s in SECONDS) + 4)
STATUSES = SPEC.enum("VideoStatus")
SIZE_DEFAULT = SPEC.default("VideoSize")
OTHER_SIZE = next(s for s in SPEC.enum("VideoSize") if s != SIZE_DEFAULT)
_VIDEO = SPEC.schema("Video")["properties"]
OBJECT_NAME = _VIDEO["object"]["default"]
_PROMPT = SPEC.operation("createVideo").request_schema("multipart/form-data")["properties"]
LONGEST_PROMPT = _PROMPT["prompt"]["maxLength"]


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
        f"\n{SECONDS[-1]}\nsize\n",
        f"\n{SECONDS[-1]},\n{NEW_SECONDS}\nsize\n",
        "request body field `seconds`",
        "allowed values (options list)",
        f"not in the spec: {NEW_SECONDS}",
        id="enum-value-added",
    ),
    pytest.param(
        f"(allowed values: {', '.join(SECONDS)})",
        f"(allowed values: {', '.join(SECONDS[:-1])})",
        "request body field `seconds`",
        "allowed values (allowed values in the text)",
        f"missing on the page: {SECONDS[-1]}",
        id="enum-value-removed",
    ),
    pytest.param(
        f"{STATUSES[-1]}\nprogress\n",
        f"{STATUSES[-1]},\nexpired\nprogress\n",
        "response field `status`",
        "allowed values (options list)",
        "not in the spec: expired",
        id="response-enum-value-added",
    ),
    pytest.param(
        f"Defaults to {SIZE_DEFAULT}.",
        f"Defaults to {OTHER_SIZE}.",
        "request body field `size`",
        "default (default in the text)",
        OTHER_SIZE,
        id="default-changed-in-prose",
    ),
    pytest.param(
        f"Standard:{OBJECT_NAME}",
        f"Standard:{OBJECT_NAME}clip",
        "response field `object`",
        "default (default label)",
        f"{OBJECT_NAME}clip",
        id="default-changed-in-label",
    ),
    pytest.param(
        f"Required string length: 1 - {LONGEST_PROMPT}",
        f"Required string length: 1 - {LONGEST_PROMPT // 2}",
        "request body field `prompt`",
        "maximum length",
        str(LONGEST_PROMPT // 2),
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
        "seconds\nenum<string>\n\nClip duration",
        "seconds\nenum<string>\nerforderlich\n\nClip duration",
        "request body field `seconds`",
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
    half = LONGEST_PROMPT // 2
    page = _write(tmp_path, page_text.replace(f"1 - {LONGEST_PROMPT}", f"1 - {half}"))
    assert main(["docs-check", str(page)]) == 1
    out = capsys.readouterr().out
    assert "1 difference(s)" in out
    assert (
        f"request body field `prompt`: maximum length: page says {half}; "
        f"spec says {LONGEST_PROMPT}" in out
    )


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
    name: str, fixture_pages: Path, shared_page: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rendered forms read as the text copy does (drift in them: test_page_forms.py)."""
    _, text_result = _run(capsys, str(shared_page))
    code, result = _run(capsys, str(fixture_pages / name))
    assert code == 0, result["differences"]
    assert result["known_deviations"] == text_result["known_deviations"]


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
