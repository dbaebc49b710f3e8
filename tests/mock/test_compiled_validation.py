"""Schemas compiled once, twice over: jsonschema-rs answers "valid?", jsonschema names the
error. Both read `pattern` as ECMA-262, so they agree; should they ever disagree, the refusal
stands and is answered with an error, never accepted and never a 400 without one."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from starlette.testclient import TestClient

from videos_contract.audit.answers import schema_breach
from videos_contract.audit.wire import _first_error as wire_first_error
from videos_contract.client.parsing import contract_problems
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app
from videos_contract.mock.errors import ApiError
from videos_contract.mock.validation import BodyRules
from videos_contract.paths import SPEC_PATH
from videos_contract.schema import ecma_regex
from videos_contract.spec import load_spec
from videos_contract.validator import Compiled, check_schema

MODEL = families().default_family.models[0]

SPEC = load_spec()
CREATE = SPEC.operation("createVideo")
# The reference URL the spec's ImageReference pattern allows, with a final newline.
NEWLINE_URL = "https://x.test/a\n"


def test_a_valid_instance_is_answered_without_the_error_walk() -> None:
    compiled = Compiled({"type": "object", "properties": {"n": {"type": "integer"}}})
    assert list(compiled.iter_errors({"n": 3})) == []
    errors = list(compiled.iter_errors({"n": "3"}))
    assert [error.validator for error in errors] == ["type"]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^a$", "a\n", False),  # Python's `$` alone would match before the newline
        (r"^\d$", "\u0661", False),  # an Arabic-Indic digit is no ECMA `\d`
        (r"^\w$", "é", False),
        (r"^\s$", "\x1c", False),  # Python counts \x1c-\x1f as spaces, ECMA does not
        (r"^\s$", "\ufeff", True),  # ECMA counts U+FEFF as a space, Python does not
        (r"^[\d]+$", "12\u0661", False),
        (r"^\$$", "$", True),
        ("[$]", "$", True),
        ("^[]a]$", "]", True),
        (r"^bytes=\d*-\d*$", "bytes=0-9", True),
    ],
)
def test_patterns_are_read_as_ecma_by_both_engines(pattern: str, text: str, matches: bool) -> None:
    assert bool(ecma_regex(pattern).search(text)) is matches
    compiled = Compiled({"type": "string", "pattern": pattern})
    assert compiled.fast.is_valid(text) is matches
    assert (not any(True for _ in compiled.python.iter_errors(text))) is matches


def test_a_reference_url_with_a_final_newline_is_refused() -> None:
    image_url = SPEC.schema("ImageReference")["properties"]["image_url"]
    assert not ecma_regex(image_url["pattern"]).search(NEWLINE_URL)
    with TestClient(create_app(MockConfig(render_seconds=0.0))) as client:
        answer = client.post(
            "/v1/videos",
            json={"model": MODEL, "prompt": "a fox", "input_reference": {"image_url": NEWLINE_URL}},
            headers={"Authorization": f"Bearer {DEFAULT_KEY}"},
        )
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "input_reference.image_url"


def test_where_the_engines_disagree_the_refusal_stands_with_an_error() -> None:
    schema = {
        "type": "object",
        "properties": {"url": {"type": "string", "pattern": "^a$"}},
    }
    rules = BodyRules(schema, Compiled(schema), "request body")
    # Force a disagreement: jsonschema with Python's own `$`, which lets "a\n" through.
    rules.validator.python = Draft202012Validator(schema)
    assert not any(True for _ in rules.validator.python.iter_errors({"url": "a\n"}))
    with pytest.raises(ApiError) as refused:
        rules.check({"url": "a\n"})
    assert refused.value.status == 400
    assert refused.value.param == "url"
    assert "url" in refused.value.message


def test_the_client_names_a_problem_where_the_engines_disagree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from videos_contract.client import parsing

    video = {"id": "video_1"}
    compiled = Compiled(SPEC.schema("Video"))
    compiled.python = Draft202012Validator({"type": "object"})  # finds nothing wrong
    monkeypatch.setattr(parsing, "_compiled", lambda name: compiled)
    problems = contract_problems("Video", video)
    assert problems  # jsonschema-rs refuses it: the refusal stands, in its words


@pytest.mark.parametrize(
    "instance",
    [
        {},
        {"model": MODEL, "prompt": ""},
        {"model": MODEL, "prompt": "a fox", "seconds": "5"},
        {"model": MODEL, "prompt": "a fox", "size": "1x1"},
        {"prompt": "a fox", "model": 3},
        {"model": MODEL, "prompt": "a fox", "unknown": "x"},
        {"model": MODEL, "prompt": "a fox", "input_reference": {"image_url": "ftp://x"}},
        {"model": MODEL, "prompt": "a fox", "input_reference": {"image_url": NEWLINE_URL}},
        {"model": MODEL, "prompt": "a fox", "input_reference": {"image_url": "https://x.test/a"}},
        {"model": MODEL, "prompt": True},
        [],
        "text",
    ],
)
def test_both_validators_agree_on_the_spec_create_bodies(instance: Any) -> None:
    for media_type in CREATE.request_media_types:
        rules = BodyRules.for_operation(CREATE, media_type)
        compiled = rules.branch_for(instance).validator
        slow = not any(True for _ in compiled.python.iter_errors(instance))
        assert compiled.fast.is_valid(instance) == slow, (media_type, instance)


def test_every_layer_reads_the_pattern_as_the_mock_does() -> None:
    """The audit's and the proxy's answer rules and request check, and the families' rules."""
    reference = SPEC.schema("ImageReference")
    good, bad = {"image_url": "https://x.test/a"}, {"image_url": NEWLINE_URL}
    for schema in (reference, Compiled(reference)):
        assert schema_breach(good, schema, "ImageReference", "answer") is None
        breach = schema_breach(bad, schema, "ImageReference", "answer")
        assert breach is not None and "image_url" in breach.at_fault
    assert wire_first_error(good, dict(reference)) is None
    assert "image_url" in (wire_first_error(bad, dict(reference)) or "")
    assert contract_problems("ImageReference", bad) != []


def test_a_schema_is_meta_checked_once_and_an_invalid_one_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`check_schema` remembers the schemas it found valid (each mock app built on the same
    spec asks again), never one it refused: a broken schema is refused on every call."""
    calls: list[Any] = []
    real = Draft202012Validator.check_schema

    def counted(schema: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(schema)
        real(schema, *args, **kwargs)

    monkeypatch.setattr(Draft202012Validator, "check_schema", counted)
    valid = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 7919}}}
    check_schema(valid)
    check_schema({"properties": {"n": {"minimum": 7919, "type": "integer"}}, "type": "object"})
    assert len(calls) == 1, "the same schema, keys in another order, is checked once"
    for broken in ({"type": "object", "minimum": "x"}, {"pattern": "(unclosed"}):
        for _ in range(2):
            with pytest.raises(SchemaError):
                check_schema(broken)
    assert len(calls) == 5
    # A schema that is not plain JSON cannot be remembered by its text: checked each time.
    odd = {"type": "number", "maximum": float("inf")}
    check_schema(odd)
    check_schema(odd)
    assert len(calls) == 7


def test_a_mock_on_a_spec_with_a_broken_schema_is_refused_every_time(tmp_path: Any) -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    anchor = "    VideoSeconds:\n"
    assert text.count(anchor) == 1
    broken = tmp_path / "openapi.yaml"
    broken.write_text(text.replace(anchor, anchor + "      minLength: many\n"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SchemaError, match="many"):
            create_app(MockConfig(spec_path=broken))
