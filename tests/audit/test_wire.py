"""The re-check of fuzzer findings against the bytes that were really sent."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest

from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.results import Exchange
from videos_contract.audit.wire import wire_problems
from videos_contract.families import families
from videos_contract.spec import load_spec

# The multipart form is Sora's, and `model` is required.
MODEL_PART = ("model", (None, families().default_family.models[0]))

MODEL = families().default_family.models[0]

INDEX = OperationIndex(load_spec())


def _exchange(method: str, url: str, **kwargs: object) -> Exchange:
    request = httpx.Request(method, url, **kwargs)  # type: ignore[arg-type]
    request.read()
    return Exchange(method, url, tuple(request.headers.items()), request.content)


def _multipart(fields: Sequence[tuple[str, object]]) -> Exchange:
    return _exchange("POST", "http://h/v1/videos", files=fields)


def test_boolean_prompt_is_valid_text_in_a_form() -> None:
    # The fuzzer's `prompt: false` arrives as the string "false": valid.
    assert wire_problems(INDEX, _multipart([MODEL_PART, ("prompt", (None, "false"))])) == []


def test_size_outside_the_enum_is_invalid_in_a_form() -> None:
    problems = wire_problems(
        INDEX, _multipart([MODEL_PART, ("prompt", (None, "x")), ("size", (None, "1x1"))])
    )
    assert problems and "is not one of" in problems[0].message


def test_missing_prompt_or_model_and_extra_field_are_invalid() -> None:
    assert wire_problems(INDEX, _multipart([("prompt", (None, "x"))]))
    assert wire_problems(INDEX, _multipart([("size", (None, load_spec().default("VideoSize")))]))
    assert wire_problems(INDEX, _multipart([("prompt", (None, "x")), ("colour", (None, "red"))]))


def test_any_bytes_are_a_valid_reference_file() -> None:
    fields = [
        MODEL_PART,
        ("prompt", (None, "x")),
        ("input_reference", ("a.png", b"\x00\x01", "image/png")),
    ]
    assert wire_problems(INDEX, _multipart(fields)) == []


def test_json_body_is_validated_exactly() -> None:
    ok = _exchange("POST", "http://h/v1/videos", json={"model": MODEL, "prompt": "x"})
    bad = _exchange("POST", "http://h/v1/videos", json={"model": MODEL, "prompt": False})
    assert wire_problems(INDEX, ok) == []
    assert wire_problems(INDEX, bad)


@pytest.mark.parametrize(
    ("query", "valid"),
    [
        ("limit=5", True),
        ("limit=abc", False),
        ("limit=0", False),
        ("after=false", True),
        # Read as the mock reads them (videos_contract.schema.coerce_text): not plain integers.
        ("limit=%2B5", False),
        ("limit=1_0", False),
    ],
)
def test_query_values_are_read_as_text_then_typed(query: str, valid: bool) -> None:
    problems = wire_problems(INDEX, _exchange("GET", f"http://h/v1/videos?{query}"))
    assert (problems == []) is valid


def test_unknown_path_matches_no_operation() -> None:
    assert wire_problems(INDEX, _exchange("GET", "http://h/elsewhere")) is None


def test_empty_id_is_attributed_and_invalid() -> None:
    problems = wire_problems(
        INDEX, _exchange("POST", "http://h/v1/videos//remix", json={"prompt": "x"})
    )
    assert problems and problems[0].location == "path"
