"""The page parser: labels in either language, facts from labels and from prose, three forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from videos_contract.docs.page import (
    PageError,
    lines_from_html,
    lines_from_markdown,
    parse_page,
    parse_type,
    read_page,
)
from videos_contract.spec import load_spec


def _facts(path: Path) -> list[tuple[object, ...]]:
    page = read_page(path)
    return [
        (
            f.section,
            f.name,
            f.type.text if f.type else None,
            f.location,
            f.required,
            f.enums,
            f.defaults,
            f.min_length,
            f.max_length,
        )
        for f in page.fields
    ]


def test_text_page_fields(shared_page: Path) -> None:
    page = read_page(shared_page)
    assert (page.method, page.path, page.title) == ("POST", "/v1/videos", "Create a Video")
    assert page.content_type == "multipart/form-data"
    assert [f.name for f in page.section("auth")] == ["Authorization"]
    assert [f.name for f in page.section("body")] == [
        "prompt",
        "model",
        "input_reference",
        "seconds",
        "size",
    ]
    assert len(page.section("response")) == 13
    fields = {(f.section, f.name): f for f in page.fields}
    # The values come from the spec, which test_traceability ties to the page.
    spec = load_spec()
    seconds = fields["body", "seconds"]
    assert seconds.enums == [
        ("allowed values in the text", spec.enum("VideoSeconds")),
        ("options list", spec.enum("VideoSeconds")),
    ]
    # "Defaults to 4 seconds.": the unit is not part of the value.
    assert seconds.defaults == [("default in the text", spec.default("VideoSeconds"))]
    assert not seconds.required
    prompt = fields["body", "prompt"]
    limits = spec.operation("createVideo").request_schema("multipart/form-data")
    longest = limits["properties"]["prompt"]["maxLength"]
    assert (prompt.required, prompt.min_length, prompt.max_length) == (True, 1, longest)
    assert fields["response", "object"].defaults == [("default label", "video")]
    completed = fields["response", "completed_at"].type
    assert completed is not None
    assert (completed.types, completed.nullable, completed.format) == (
        frozenset({"integer"}),
        True,
        "unixtime",
    )
    assert fields["response", "model"].type is None
    auth = fields["auth", "Authorization"]
    assert (auth.location, auth.required) == ("header", True)


@pytest.mark.parametrize("name", ["create-a-video.html", "create-a-video.md"])
def test_html_and_markdown_give_the_text_pages_facts(
    name: str, fixture_pages: Path, shared_page: Path
) -> None:
    assert _facts(fixture_pages / name) == _facts(shared_page)


@pytest.mark.parametrize(
    ("text", "types", "nullable", "fmt", "is_enum"),
    [
        ("string", {"string"}, False, None, False),
        ("enum<string>", {"string"}, False, None, True),
        ("integer<unixtime> | null", {"integer"}, True, "unixtime", False),
        ("Error · object", {"object"}, False, None, False),
        ("string[]", {"array"}, False, None, False),
        ("file", {"string"}, False, "binary", False),
    ],
)
def test_type_lines(
    text: str, types: set[str], nullable: bool, fmt: str | None, is_enum: bool
) -> None:
    parsed = parse_type(text)
    assert parsed is not None
    assert (set(parsed.types), parsed.nullable, parsed.format, parsed.is_enum) == (
        types,
        nullable,
        fmt,
        is_enum,
    )


@pytest.mark.parametrize("text", ["Success", "Text prompt that describes", "erforderlich", "4,"])
def test_not_type_lines(text: str) -> None:
    assert parse_type(text) is None


def test_german_prose_and_ranges() -> None:
    page = parse_page(
        [
            "GET /v1/videos",
            "Abfrageparameter",
            "limit",
            "integer",
            "",
            "Größte Zahl von Videos auf einer Seite. Standardmäßig 20.",
            "Erforderlicher Bereich: 1 <= x <= 100",
            "order",
            "enum<string>",
            "Standardwert: desc",
            "",
            "Verfügbare Optionen: asc, desc",
        ]
    )
    limit, order = page.section("query")
    assert (limit.defaults, limit.minimum, limit.maximum) == (
        [("default in the text", "20")],
        1.0,
        100.0,
    )
    assert order.defaults == [("default label", "desc")]
    assert order.enums == [("options list", ("asc", "desc"))]


def test_operation_from_curl_when_the_header_is_missing() -> None:
    page = parse_page(["curl --request DELETE \\", "  --url https://example.com/v1/videos/{id}"])
    assert (page.method, page.path) == ("DELETE", "/v1/videos/{id}")


def test_child_attribute_toggles_are_not_fields() -> None:
    html = (
        "<h1>x</h1><div>POST /v1/videos</div><h2>Response</h2>"
        "<div><span>error</span><span>object</span></div><button>Show child attributes</button>"
    )
    page = parse_page(lines_from_html(html))
    assert [f.name for f in page.fields] == ["error"]


def test_markdown_keeps_types_with_separators_whole() -> None:
    assert lines_from_markdown("`Error · object` · **required**") == ["Error · object", "required"]


def test_no_operation_is_an_error() -> None:
    with pytest.raises(PageError, match="no operation found"):
        parse_page(["Create a Video", "Body", "prompt", "string"])
