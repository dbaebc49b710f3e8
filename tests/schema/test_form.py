"""Form and query text read as the schema's type, the same for the mock and the audit."""

from __future__ import annotations

from typing import Any

import pytest

from videos_contract.schema import coerce_text


@pytest.mark.parametrize(
    ("text", "schema", "expected"),
    [
        ("12", {"type": "integer"}, 12),
        ("-3", {"type": "integer"}, -3),
        ("1.5", {"type": "number"}, 1.5),
        ("2e3", {"type": "number"}, 2000.0),
        ("true", {"type": "boolean"}, True),
        ("false", {"type": "boolean"}, False),
        ("null", {"type": ["integer", "null"]}, None),
        ("7", {"type": ["integer", "null"]}, 7),
        ("12", {"type": "string"}, "12"),
        ("12", {}, "12"),
        ("12", {"type": ["string", "integer"]}, "12"),
    ],
)
def test_text_that_fits_becomes_the_type(text: str, schema: dict[str, Any], expected: Any) -> None:
    assert coerce_text(text, schema) == expected
    assert type(coerce_text(text, schema)) is type(expected)


@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("+5", {"type": "integer"}),
        (" 5", {"type": "integer"}),
        ("1_000", {"type": "integer"}),
        ("nan", {"type": "number"}),
        ("True", {"type": "boolean"}),
        ("null", {"type": "integer"}),
    ],
)
def test_text_that_does_not_fit_stays_text(text: str, schema: dict[str, Any]) -> None:
    assert coerce_text(text, schema) == text
