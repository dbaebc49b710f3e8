"""Types, nulls and enum values of a schema, with one meaning for every tool."""

from __future__ import annotations

from typing import Any

import pytest

from videos_contract.schema import declared_types, enum_values, json_type, type_facts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "boolean"),
        (4, "integer"),
        (4.5, "number"),
        ("4", "string"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_json_type(value: Any, expected: str) -> None:
    assert json_type(value) == expected


def test_an_enum_without_a_type_has_the_types_of_its_values() -> None:
    assert declared_types({"enum": [4, 8]}) == {"integer"}
    assert declared_types({"enum": ["a", "b"]}) == {"string"}
    assert declared_types({"const": True}) == {"boolean"}
    assert declared_types({"type": ["string", "null"], "enum": [1]}) == {"string", "null"}
    assert declared_types({}) == frozenset()


def test_enum_values_leave_null_out() -> None:
    assert enum_values({"enum": ["a", None]}) == ["a"]
    assert enum_values({"const": "x"}) == ["x"]
    assert enum_values({"type": "string"}) is None


def test_type_facts_read_nullability_from_types_variants_and_enums() -> None:
    assert type_facts({"type": ["integer", "null"]}) == (frozenset({"integer"}), True)
    assert type_facts({"oneOf": [{"type": "object"}, {"type": "null"}]}) == (
        frozenset({"object"}),
        True,
    )
    assert type_facts({"enum": ["a", None]}) == (frozenset({"string"}), True)
    assert type_facts({"enum": [4, 8]}) == (frozenset({"integer"}), False)
    assert type_facts({"anyOf": [{"type": "string"}, {"type": "integer"}]}) == (
        frozenset({"string", "integer"}),
        False,
    )
