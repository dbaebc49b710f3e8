"""Schemas compiled once, twice over: jsonschema-rs answers "valid?", jsonschema names the
error. Where the two disagree, jsonschema's verdict stands, so the fast path never accepts a
body that the full check refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from videos_contract.mock.validation import BodyRules, Compiled
from videos_contract.spec import load_spec

SPEC = load_spec()


def test_a_valid_instance_is_answered_without_the_error_walk() -> None:
    compiled = Compiled({"type": "object", "properties": {"n": {"type": "integer"}}})
    assert list(compiled.iter_errors({"n": 3})) == []
    errors = list(compiled.iter_errors({"n": "3"}))
    assert [error.validator for error in errors] == ["type"]


def test_where_the_fast_check_is_stricter_jsonschema_decides() -> None:
    # Python's `$` also matches before a final newline; the Rust engine's does not.
    schema = {"type": "string", "pattern": "^a$"}
    assert re.search("^a$", "a\n")
    compiled = Compiled(schema)
    assert not compiled.fast.is_valid("a\n")
    assert list(compiled.iter_errors("a\n")) == []


@pytest.mark.parametrize(
    "instance",
    [
        {},
        {"prompt": ""},
        {"prompt": "a fox", "seconds": "5"},
        {"prompt": "a fox", "size": "1x1"},
        {"prompt": "a fox", "model": 3},
        {"prompt": "a fox", "unknown": "x"},
        {"prompt": "a fox", "input_reference": {"image_url": "ftp://x"}},
        {"prompt": True},
        [],
        "text",
    ],
)
def test_both_validators_agree_on_the_spec_create_bodies(instance: Any) -> None:
    for media_type in SPEC.operation("createVideo").request_media_types:
        rules = BodyRules.for_operation(SPEC.operation("createVideo"), media_type)
        compiled = rules.branch_for(instance).validator
        slow = not any(True for _ in compiled.python.iter_errors(instance))
        assert compiled.fast.is_valid(instance) == slow, (media_type, instance)
