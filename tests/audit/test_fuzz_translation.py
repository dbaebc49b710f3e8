"""Translating schemathesis events: tallies, budget skips, and the re-check of its findings."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import yaml

from videos_contract.audit.fuzz import UNDECLARED, ModelScope, scoped_spec, translate
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.proxy import BUDGET_MARK, UPSTREAM_ERROR_MARK
from videos_contract.families import families
from videos_contract.paths import SPEC_PATH
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

RELAY = "http://127.0.0.1:9"
TARGET = "https://api.test"
INDEX = OperationIndex(load_spec())


def _scenario(
    method: str,
    path: str,
    request: httpx.Request,
    status: int,
    checks: list[dict[str, Any]],
    response_headers: dict[str, list[str]] | None = None,
    response_body: Any = None,
) -> dict[str, Any]:
    request.read()
    body = json.dumps(response_body or {}).encode()
    interaction = {
        "request": {
            "method": request.method,
            "uri": str(request.url),
            "headers": {k: [v] for k, v in request.headers.items()},
            "body": {"$base64": base64.b64encode(request.content).decode()},
        },
        "response": {
            "status_code": status,
            "headers": response_headers or {"content-type": ["application/json"]},
            "content": {"$base64": base64.b64encode(body).decode()},
        },
    }
    return {
        "ScenarioFinished": {
            "recorder": {
                "cases": {"c1": {"value": {"method": method, "path": path}}},
                "checks": {"c1": checks},
                "interactions": {"c1": interaction},
            }
        }
    }


def _failure(name: str, title: str, message: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "status": "failure",
        "failure_info": {"failure": {"title": title, "message": message, "code": "ST201"}},
    }


def _form(fields: dict[str, str]) -> httpx.Request:
    files = [(k, (None, v)) for k, v in fields.items()]
    return httpx.Request("POST", f"{RELAY}/v1/videos", files=files)


def test_accepted_text_that_is_valid_on_the_wire_is_dismissed() -> None:
    event = _scenario(
        "POST", "/v1/videos", _form({"model": MODEL, "prompt": "false"}), 200,
        [_failure("negative_data_rejection", "API accepted schema-violating request")],
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    (outcome,) = run.outcomes
    assert (outcome.operation, outcome.passed, outcome.failed) == ("createVideo", 1, 0)
    assert run.dismissals and "valid" in run.dismissals[0].reason


def test_accepted_value_outside_the_enum_is_reported_with_the_field() -> None:
    event = _scenario(
        "POST", "/v1/videos", _form({"model": MODEL, "prompt": "x", "size": "1x1"}), 200,
        [_failure("negative_data_rejection", "API accepted schema-violating request")],
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    (outcome,) = run.outcomes
    assert outcome.failed == 1 and not run.dismissals
    (violation,) = outcome.violations
    assert "field size" in violation.at_fault
    assert violation.exchange is not None and violation.exchange.url.startswith(TARGET)


def test_cases_the_budget_stopped_are_not_run_not_passed() -> None:
    event = _scenario(
        "POST", "/v1/videos", _form({"model": MODEL, "prompt": "x"}), 429,
        [{"name": "not_a_server_error", "status": "success"}],
        response_headers={BUDGET_MARK: ["max-creates"]},
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    (outcome,) = run.outcomes
    assert (outcome.passed, outcome.skipped) == (0, 1)
    assert outcome.outcome.value == "not run" and "max-creates" in outcome.reason


def test_cases_the_server_cut_off_are_failures_not_skips() -> None:
    event = _scenario(
        "GET", "/v1/videos", httpx.Request("GET", f"{RELAY}/v1/videos"), 502,
        [{"name": "not_a_server_error", "status": "success"}],
        response_headers={UPSTREAM_ERROR_MARK: ["RemoteProtocolError"]},
        response_body={"error": {"message": "RemoteProtocolError: peer closed connection"}},
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    (outcome,) = run.outcomes
    assert (outcome.passed, outcome.failed, outcome.skipped) == (0, 1, 0)
    assert outcome.outcome.value == "failed"
    assert "peer closed" in outcome.violations[0].actual


def test_refusal_naming_a_state_dependent_input_is_dismissed() -> None:
    request = httpx.Request("GET", f"{RELAY}/v1/videos?after=nope")
    error = {"error": {"message": "unknown cursor", "type": "invalid_request_error",
                       "param": "after", "code": "invalid_value"}}  # fmt: skip
    event = _scenario(
        "GET", "/v1/videos", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 0 and "cursor" in run.dismissals[0].reason


def test_refusal_of_a_valid_model_is_kept() -> None:
    # A model the spec lists (not the first), refused: the server is at fault.
    model = load_spec().enum("VideoModel")[1:]
    request = httpx.Request("POST", f"{RELAY}/v1/videos", json={"prompt": "x", "model": model[0]})
    error = {"error": {"message": "bad model", "type": "invalid_request_error",
                       "param": "model", "code": "invalid_value"}}  # fmt: skip
    event = _scenario(
        "POST", "/v1/videos", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 1 and "'model'" in run.outcomes[0].violations[0].at_fault


def test_refusal_of_a_model_the_spec_does_not_list_is_dismissed() -> None:
    # The same refusal for a name no family lists: which new models a server serves is its own.
    unlisted = "0"
    assert not families().known(unlisted)
    request = httpx.Request("POST", f"{RELAY}/v1/videos", json={"prompt": "x", "model": unlisted})
    error = {"error": {"message": "unknown model", "type": "invalid_request_error",
                       "param": "model", "code": "invalid_value"}}  # fmt: skip
    event = _scenario(
        "POST", "/v1/videos", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 0 and "does not list" in run.dismissals[0].reason


def test_refusal_of_a_remix_the_job_s_family_lacks_is_dismissed() -> None:
    request = httpx.Request("POST", f"{RELAY}/v1/videos/eyJ/remix", json={"prompt": "x"})
    error = {"error": {"message": "not for this family", "type": "invalid_request_error",
                       "param": "video_id", "code": "unsupported_for_model"}}  # fmt: skip
    event = _scenario(
        "POST", "/v1/videos/{video_id}/remix", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 0 and "some model" in run.dismissals[0].reason
    # The same refusal of a retrieve is no per-family operation: kept.
    request = httpx.Request("GET", f"{RELAY}/v1/videos/eyJ")
    event = _scenario(
        "GET", "/v1/videos/{video_id}", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 1


def test_undeclared_methods_are_grouped() -> None:
    request = httpx.Request("PUT", f"{RELAY}/v1/videos")
    event = _scenario(
        "PUT", "/v1/videos", request, 200,
        [_failure("unsupported_method", "Wrong response to undeclared method")],
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].operation == UNDECLARED
    assert "PUT /v1/videos" in run.outcomes[0].violations[0].at_fault


def _rejected(request: httpx.Request, status: int, error: dict[str, Any] | None = None) -> Any:
    path = httpx.URL(str(request.url)).path
    return _scenario(
        request.method, path, request, status,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip


def _error(param: str | None) -> dict[str, Any]:
    return {"error": {"message": "no", "type": "invalid_request_error", "param": param,
                      "code": "invalid_value"}}  # fmt: skip


def test_valid_create_refused_with_413_415_or_503_is_a_violation() -> None:
    for status in (413, 415, 503):
        request = _form({"model": MODEL, "prompt": "a valid prompt"})
        run = translate(iter([_rejected(request, status, _error(None))]), INDEX, RELAY, TARGET)
        assert run.outcomes[0].failed == 1 and not run.dismissals, status


def test_state_dependent_status_is_dismissed_only_where_documented() -> None:
    request = httpx.Request("GET", f"{RELAY}/v1/videos/video_x")
    run = translate(iter([_rejected(request, 404, _error("video_id"))]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 0 and "no job" in run.dismissals[0].reason
    # The list documents no 404: the same status there is a real violation.
    request = httpx.Request("GET", f"{RELAY}/v1/videos?limit=2")
    run = translate(iter([_rejected(request, 404, _error(None))]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 1 and not run.dismissals


def test_cursor_rule_needs_a_400_and_a_cursor_that_was_sent() -> None:
    request = httpx.Request("GET", f"{RELAY}/v1/videos?after=nope")
    run = translate(iter([_rejected(request, 500, _error("after"))]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 1 and not run.dismissals
    request = httpx.Request("GET", f"{RELAY}/v1/videos?limit=3")
    run = translate(iter([_rejected(request, 400, _error("after"))]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 1 and not run.dismissals


def test_reference_image_rule_needs_an_image_that_was_sent() -> None:
    request = _form({"model": MODEL, "prompt": "x"})
    run = translate(
        iter([_rejected(request, 400, _error("input_reference"))]), INDEX, RELAY, TARGET
    )
    assert run.outcomes[0].failed == 1 and not run.dismissals
    files = {"input_reference": ("a.png", b"not an image", "image/png")}
    request = httpx.Request(
        "POST", f"{RELAY}/v1/videos", data={"model": MODEL, "prompt": "x"}, files=files
    )
    run = translate(
        iter([_rejected(request, 400, _error("input_reference"))]), INDEX, RELAY, TARGET
    )
    assert run.outcomes[0].failed == 0 and "image" in run.dismissals[0].reason


def test_range_rule_needs_the_range_to_have_been_ignored() -> None:
    def accepted(status: int) -> Any:
        request = httpx.Request(
            "GET", f"{RELAY}/v1/videos/video_x/content", headers={"Range": "items=1-2"}
        )
        return _scenario(
            "GET", "/v1/videos/video_x/content", request, status,
            [_failure("negative_data_rejection", "API accepted schema-violating request")],
        )  # fmt: skip

    run = translate(iter([accepted(200)]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 0 and "RFC 9110" in run.dismissals[0].reason
    run = translate(iter([accepted(206)]), INDEX, RELAY, TARGET)
    assert run.outcomes[0].failed == 1 and not run.dismissals


def test_findings_read_in_the_user_s_terms() -> None:
    """No schemathesis phrases: what was sent, what the contract expects, what came back."""
    request = httpx.Request("GET", f"{RELAY}/v1/videos")
    event = _scenario(
        "GET", "/v1/videos", request, 500,
        [_failure("not_a_server_error", "Server error", "Server error")],
        response_body={"oops": "upstream exploded"},
    )  # fmt: skip
    (violation,) = translate(iter([event]), INDEX, RELAY, TARGET).outcomes[0].violations
    assert "Server error" not in (violation.expected + violation.at_fault + violation.title)
    assert violation.expected == "an answer that is not a server error (HTTP 5xx)"
    assert violation.actual.startswith("HTTP 500") and "upstream exploded" in violation.actual


def test_an_answer_finding_blames_the_answer_not_the_request() -> None:
    # A request that breaks the contract, answered with an undocumented header: the answer's
    # fault, not the request's.
    request = httpx.Request("GET", f"{RELAY}/v1/videos", params={"limit": "0"})
    event = _scenario(
        "GET", "/v1/videos", request, 400,
        [_failure("response_headers_conformance", "Response header does not conform")],
    )  # fmt: skip
    (violation,) = translate(iter([event]), INDEX, RELAY, TARGET).outcomes[0].violations
    assert violation.at_fault == "the answer's headers"
    assert not violation.at_fault.startswith("request")


def test_the_fuzzer_s_spec_names_only_the_offered_models(tmp_path: Path) -> None:
    catalogue = families()
    sora = catalogue.default_family
    veo = catalogue.named("veo").models[0]
    scoped = yaml.safe_load(scoped_spec(SPEC_PATH, (sora.models[0], veo), tmp_path).read_text())
    schemas = scoped["components"]["schemas"]
    branches = [b["$ref"].rsplit("/", 1)[-1] for b in schemas["CreateVideoJsonBody"]["oneOf"]]
    assert branches == [sora.schema_name, catalogue.named("veo").schema_name]
    assert schemas["VideoModel"]["enum"] == [sora.models[0]]
    assert schemas["VeoVideoRequest"]["properties"]["model"]["enum"] == [veo]
    # A model the spec does not list keeps the catch-all, naming only it.
    scoped = yaml.safe_load(scoped_spec(SPEC_PATH, ("kling-v9",), tmp_path).read_text())
    other = schemas_of(scoped)[catalogue.catch_all.schema_name]
    assert other["properties"]["model"]["enum"] == ["kling-v9"]
    assert scoped_spec(SPEC_PATH, (), tmp_path) == SPEC_PATH


def schemas_of(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def test_a_refused_model_named_only_in_the_message_is_not_offered() -> None:
    model = families().named("veo").models[0]
    request = httpx.Request("POST", f"{RELAY}/v1/videos", json={"prompt": "x", "model": model})
    error = {"error": {"message": f"Invalid model name passed in model={model}",
                       "type": "invalid_request_error", "param": None, "code": None}}  # fmt: skip
    event = _scenario(
        "POST", "/v1/videos", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET, ModelScope())
    assert run.outcomes[0].failed == 0
    assert "does not offer model" in run.dismissals[0].reason
    # Named models: any other model is out of scope, whatever the answer.
    run = translate(iter([event]), INDEX, RELAY, TARGET, ModelScope(named=("sora-2",)))
    assert run.outcomes[0].failed == 0 and "--model" in run.dismissals[0].reason
    # A refusal naming another field is about a value, not the model: kept.
    error["error"]["param"] = "seconds"
    event = _scenario(
        "POST", "/v1/videos", request, 400,
        [_failure("positive_data_acceptance", "Schema-valid request rejected")],
        response_body=error,
    )  # fmt: skip
    run = translate(iter([event]), INDEX, RELAY, TARGET, ModelScope())
    assert run.outcomes[0].failed == 1


def test_a_create_the_page_allows_and_the_contract_deviates_from_is_a_warning() -> None:
    sora = families().default_family
    model = sora.models[0]
    size = next(s for s in sora.candidates(sora.size_field) if s not in sora.allowed(model, "size"))
    body = {"prompt": "x", "model": model, "size": size}
    request = httpx.Request("POST", f"{RELAY}/v1/videos", json=body)

    def run_with(answered_size: str) -> Any:
        event = _scenario(
            "POST", "/v1/videos", request, 200,
            [_failure("negative_data_rejection", "API accepted schema-violating request")],
            response_body={"id": "video_1", "model": model, "size": answered_size},
        )  # fmt: skip
        return translate(iter([event]), INDEX, RELAY, TARGET, ModelScope(spec=load_spec()))

    honoured = run_with(size)
    assert honoured.outcomes[0].failed == 0
    (warning,) = honoured.warnings
    assert "revisit the deviation" in warning and size in warning
    # Accepted but given another size: not the page's behaviour, a violation.
    assert run_with(str(load_spec().default("VideoSize"))).outcomes[0].failed == 1
