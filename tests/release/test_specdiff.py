"""`videos-contract diff`: every rule of the rule set on a real edit of the project's spec."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from videos_contract.cli import main
from videos_contract.paths import SPEC_PATH
from videos_contract.release.specdiff import RULE_IDS, Level, diff_specs, highest_level

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def base() -> Doc:
    loaded: Doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def _schemas(doc: Doc) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def _unlisted_seconds(doc: Doc) -> str:
    """A clip length the spec does not list (past its longest), as the enum writes them."""
    listed = _schemas(doc)["VideoSeconds"]["enum"]
    return str(max(int(v) for v in listed) + 1)


def _add_operation(doc: Doc) -> None:
    doc["paths"]["/v1/videos/{video_id}/cancel"] = {
        "post": {
            "operationId": "cancelVideo",
            "tags": ["videos"],
            "responses": {"200": {"description": "Cancelled."}},
        }
    }


def _rename_request_field(doc: Doc) -> None:
    body = _schemas(doc)["RemixVideoRequest"]
    body["properties"] = {"text": body["properties"].pop("prompt")}
    body["required"] = ["text"]


def _new_query(required: bool) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        doc["paths"]["/v1/videos"]["get"]["parameters"].append(
            {"name": "status", "in": "query", "required": required, "schema": {"type": "string"}}
        )

    return edit


def _response_field_nullable(doc: Doc) -> None:
    _schemas(doc)["Video"]["properties"]["created_at"]["type"] = ["integer", "null"]


def _rename_model(doc: Doc) -> None:
    _schemas(doc)["ErrorBody"] = _schemas(doc).pop("ErrorResponse")
    text = json.dumps(doc).replace("/ErrorResponse", "/ErrorBody")
    doc.clear()
    doc.update(json.loads(text))


Edit = Callable[[Doc], object]
# A case: an edit of the spec that makes the new version (the old one is the spec as it is),
# or (old edit, new edit): `(edit, None)` undoes the edit (the spec is the new version), and
# two edits compare two values of a keyword the spec does not use yet.
Case = Edit | tuple[Edit | None, Edit | None]


def _undo(edit: Edit) -> Case:
    return (edit, None)


def _op(doc: Doc, path: str, method: str) -> dict[str, Any]:
    op: dict[str, Any] = doc["paths"][path][method]
    return op


def _prop(doc: Doc, model: str, name: str) -> dict[str, Any]:
    prop: dict[str, Any] = _schemas(doc)[model]["properties"][name]
    return prop


def _limit(doc: Doc) -> dict[str, Any]:
    """The `limit` query parameter of listVideos (inline, integer, 1..100)."""
    for param in _op(doc, "/v1/videos", "get")["parameters"]:
        if param.get("name") == "limit":
            found: dict[str, Any] = param
            return found
    raise AssertionError("listVideos has no limit parameter")


def _limit_schema(doc: Doc) -> dict[str, Any]:
    found: dict[str, Any] = _limit(doc)["schema"]
    return found


def _images(doc: Doc) -> dict[str, Any]:
    """A request array: OtherVideoRequest.image_list (1..4 items)."""
    return _prop(doc, "OtherVideoRequest", "image_list")


def _set(target: Callable[[Doc], dict[str, Any]], **values: Any) -> Edit:
    return lambda d: target(d).update(values)


def _drop_key(target: Callable[[Doc], dict[str, Any]], key: str) -> Edit:
    return lambda d: target(d).pop(key)


def _schema(name: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: _schemas(d)[name]


def _property(model: str, name: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: _prop(d, model, name)


_WEBHOOK = {
    "post": {
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Video"}}}
        },
        "responses": {"200": {"description": "Received."}},
    }
}


def _add_webhook(doc: Doc) -> None:
    doc["webhooks"] = {"videoCompleted": copy.deepcopy(_WEBHOOK)}


def _add_callback(doc: Doc) -> None:
    _op(doc, "/v1/videos", "post")["callbacks"] = {
        "completed": {"{$request.body#/callback_url}": copy.deepcopy(_WEBHOOK)}
    }


def _security(doc: Doc) -> list[Any]:
    found: list[Any] = _op(doc, "/v1/videos", "post")["security"]
    return found


def _oauth(flow: dict[str, Any]) -> Edit:
    def edit(doc: Doc) -> None:
        doc["components"]["securitySchemes"]["oauth"] = {
            "type": "oauth2",
            "flows": {"clientCredentials": flow},
        }

    return edit


_TOKEN = "https://auth.example.com/token"


def _discriminator(**values: Any) -> Edit:
    return _set(_schema("CreateVideoJsonBody"), discriminator=values)


def _mapping(**mapping: str) -> Edit:
    ref = "#/components/schemas/"
    return _discriminator(propertyName="model", mapping={k: ref + v for k, v in mapping.items()})


def _move_operation(doc: Doc) -> None:
    doc["paths"]["/v1/videos/{video_id}/remixes"] = doc["paths"].pop("/v1/videos/{video_id}/remix")


def _new_family(doc: Doc) -> None:
    _op(doc, "/v1/videos", "post")["x-video-families"]["runway"] = {
        "title": "Runway",
        "schema": "OtherVideoRequest",
    }


# Bounds: (keyword, what it is set on, a narrower value, a wider value); `None` adds or
# removes the keyword (the spec has no value for it there).
_BOUNDS: list[tuple[str, Callable[[Doc], dict[str, Any]], Any, Any]] = [
    ("minLength", _schema("VideoPrompt"), 5, 0),
    ("maxLength", _schema("VideoPrompt"), 1000, 64000),
    ("minimum", _limit_schema, 2, 0),
    ("maximum", _limit_schema, 50, 200),
    ("minItems", _images, 2, 0),
    ("maxItems", _images, 2, 8),
    ("minProperties", _schema("ImageReference"), 2, 0),
    ("maxProperties", _schema("ImageReference"), 0, 2),
]
# Keywords the spec does not use: adding one narrows, removing it (the edit undone) widens.
_ABSENT_BOUNDS: list[tuple[str, Callable[[Doc], dict[str, Any]], Any]] = [
    ("minContains", _images, 2),
    ("maxContains", _images, 1),
]
# Exclusive bounds on a number (on an integer they are read as `minimum`/`maximum`).
_EXCLUSIVE = [("exclusiveMinimum", 0), ("exclusiveMaximum", 1000)]
# Constraints: (keyword, request schema, a value, another value).
_CONSTRAINT_CASES: list[tuple[str, Callable[[Doc], dict[str, Any]], Any, Any]] = [
    ("pattern", _schema("VideoPrompt"), "^[^<>]*$", "^.+$"),
    ("multipleOf", _limit_schema, 10, 5),
    ("contentMediaType", _schema("ReferenceUpload"), "image/png", "image/jpeg"),
    ("contentEncoding", _schema("VideoPrompt"), "base64", "base32"),
]


def _bound_rules() -> list[Any]:
    params = []
    for key, target, narrower, wider in _BOUNDS:
        params.append(
            pytest.param(
                _set(target, **{key: narrower}),
                Level.BREAKING,
                f"{key}-narrowed",
                id=f"{key}-narrower",
            )
        )
        params.append(
            pytest.param(
                _set(target, **{key: wider}), Level.ADDITIVE, f"{key}-widened", id=f"{key}-wider"
            )
        )
    for key, target, value in _ABSENT_BOUNDS:
        params.append(
            pytest.param(
                _set(target, **{key: value}), Level.BREAKING, f"{key}-narrowed", id=f"{key}+"
            )
        )
        params.append(
            pytest.param(
                _undo(_set(target, **{key: value})),
                Level.ADDITIVE,
                f"{key}-widened",
                id=f"{key}-",
            )
        )
    for key, value in _EXCLUSIVE:
        number = _set(_limit, schema={"type": "number"})
        bounded = _set(_limit, schema={"type": "number", key: value})
        params.append(
            pytest.param((number, bounded), Level.BREAKING, f"{key}-narrowed", id=f"{key}+")
        )
        params.append(
            pytest.param((bounded, number), Level.ADDITIVE, f"{key}-widened", id=f"{key}-")
        )
    for key, target, value, other in _CONSTRAINT_CASES:
        params += [
            pytest.param(
                _set(target, **{key: value}), Level.BREAKING, f"{key}-added", id=f"{key}-added"
            ),
            pytest.param(
                _undo(_set(target, **{key: value})),
                Level.ADDITIVE,
                f"{key}-removed",
                id=f"{key}-removed",
            ),
            pytest.param(
                (_set(target, **{key: value}), _set(target, **{key: other})),
                Level.BREAKING,
                f"{key}-changed",
                id=f"{key}-changed",
            ),
        ]
    params += [
        pytest.param(
            _set(_images, uniqueItems=True), Level.BREAKING, "uniqueItems-added", id="unique"
        ),
        pytest.param(
            _undo(_set(_images, uniqueItems=True)),
            Level.ADDITIVE,
            "uniqueItems-removed",
            id="not-unique",
        ),
    ]
    return params


# (case, level that decides the bump, the rule that must be reported)
RULES = [
    # ---- operations
    pytest.param(
        lambda d: d["paths"]["/v1/videos"].pop("get"),
        Level.BREAKING,
        "operation-removed",
        id="removed-operation",
    ),
    pytest.param(_add_operation, Level.ADDITIVE, "operation-added", id="new-operation"),
    pytest.param(_move_operation, Level.BREAKING, "operation-moved", id="moved-operation"),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post").update(operationId="makeVideo"),
        Level.BREAKING,
        "operation-id-changed",
        id="operation-id-changed",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post").update(tags=["generation"]),
        Level.BREAKING,
        "tag-changed",
        id="first-tag-changed",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "get").update(servers=[{"url": "https://example.com"}]),
        Level.DOCUMENTATION,
        "servers-changed",
        id="operation-servers",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "get").update(deprecated=True),
        Level.ADDITIVE,
        "deprecation",
        id="operation-deprecated",
    ),
    pytest.param(
        _set(_schema("VideoModel"), **{"x-sunset": "2026-12-31"}),
        Level.ADDITIVE,
        "sunset-changed",
        id="sunset-postponed",
    ),
    pytest.param(
        _set(_schema("VideoModel"), **{"x-sunset": "2026-06-30"}),
        Level.BREAKING,
        "sunset-changed",
        id="sunset-brought-forward",
    ),
    pytest.param(_new_family, Level.ADDITIVE, "family-added", id="family-added"),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post")["x-video-families"].pop("wan"),
        Level.BREAKING,
        "family-removed",
        id="family-removed",
    ),
    pytest.param(_add_webhook, Level.ADDITIVE, "webhook-added", id="webhook-added"),
    pytest.param(_undo(_add_webhook), Level.BREAKING, "webhook-removed", id="webhook-removed"),
    pytest.param(_add_callback, Level.ADDITIVE, "callback-added", id="callback-added"),
    pytest.param(_undo(_add_callback), Level.BREAKING, "callback-removed", id="callback-removed"),
    # ---- security
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post").update(security=[]),
        Level.ADDITIVE,
        "security-removed",
        id="security-dropped",
    ),
    pytest.param(
        _undo(lambda d: _op(d, "/v1/videos", "post").update(security=[])),
        Level.BREAKING,
        "security-added",
        id="security-required",
    ),
    pytest.param(
        lambda d: _security(d).append({"apiKey": []}),
        Level.ADDITIVE,
        "security-requirement-added",
        id="security-alternative-added",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post").update(security=[{"apiKey": []}]),
        Level.BREAKING,
        "security-requirement-removed",
        id="security-alternative-replaced",
    ),
    pytest.param(
        lambda d: _security(d)[0].update(bearerAuth=["videos:write"]),
        Level.BREAKING,
        "security-scope-added",
        id="security-scope-needed",
    ),
    pytest.param(
        _undo(lambda d: _security(d)[0].update(bearerAuth=["videos:write"])),
        Level.ADDITIVE,
        "security-scope-removed",
        id="security-scope-no-longer-needed",
    ),
    pytest.param(
        lambda d: d["components"]["securitySchemes"].update(
            apiKey={"type": "apiKey", "in": "header", "name": "X-Api-Key"}
        ),
        Level.ADDITIVE,
        "security-scheme-added",
        id="security-scheme-added",
    ),
    pytest.param(
        _undo(
            lambda d: d["components"]["securitySchemes"].update(
                apiKey={"type": "apiKey", "in": "header", "name": "X-Api-Key"}
            )
        ),
        Level.ADDITIVE,
        "security-scheme-removed",
        id="unused-security-scheme-removed",
    ),
    pytest.param(
        lambda d: d["components"]["securitySchemes"]["bearerAuth"].update(scheme="basic"),
        Level.BREAKING,
        "security-scheme-changed",
        id="security-scheme-changed",
    ),
    pytest.param(
        (
            _oauth({"tokenUrl": _TOKEN, "scopes": {}}),
            lambda d: (
                _oauth({"tokenUrl": _TOKEN, "scopes": {}})(d),
                d["components"]["securitySchemes"]["oauth"]["flows"].update(
                    implicit={"authorizationUrl": _TOKEN, "scopes": {}}
                ),
            ),
        ),
        Level.ADDITIVE,
        "security-flow-added",
        id="oauth-flow-added",
    ),
    pytest.param(
        (_oauth({"tokenUrl": _TOKEN, "scopes": {}}), lambda d: None),
        Level.ADDITIVE,
        "security-scheme-removed",
        id="oauth-scheme-removed",
    ),
    pytest.param(
        (
            _oauth({"tokenUrl": _TOKEN, "scopes": {}}),
            lambda d: d["components"]["securitySchemes"].update(
                oauth={"type": "oauth2", "flows": {}}
            ),
        ),
        Level.BREAKING,
        "security-flow-removed",
        id="oauth-flow-removed",
    ),
    pytest.param(
        (
            _oauth({"tokenUrl": _TOKEN, "scopes": {}}),
            _oauth({"tokenUrl": _TOKEN + "2", "scopes": {}}),
        ),
        Level.BREAKING,
        "security-flow-changed",
        id="oauth-token-url-changed",
    ),
    pytest.param(
        (
            _oauth({"tokenUrl": _TOKEN, "scopes": {}}),
            _oauth({"tokenUrl": _TOKEN, "scopes": {"videos:read": "Read videos."}}),
        ),
        Level.ADDITIVE,
        "security-scope-offered",
        id="oauth-scope-offered",
    ),
    pytest.param(
        (
            _oauth({"tokenUrl": _TOKEN, "scopes": {"videos:read": "Read videos."}}),
            _oauth({"tokenUrl": _TOKEN, "scopes": {}}),
        ),
        Level.BREAKING,
        "security-scope-withdrawn",
        id="oauth-scope-withdrawn",
    ),
    # ---- parameters
    pytest.param(
        _new_query(True), Level.BREAKING, "required-parameter-added", id="new-required-parameter"
    ),
    pytest.param(_new_query(False), Level.ADDITIVE, "parameter-added", id="new-optional-parameter"),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "get")["parameters"].pop(),
        Level.BREAKING,
        "parameter-removed",
        id="parameter-removed",
    ),
    pytest.param(
        _set(_limit, required=True),
        Level.BREAKING,
        "parameter-became-required",
        id="parameter-required",
    ),
    pytest.param(
        _undo(_set(_limit, required=True)),
        Level.ADDITIVE,
        "parameter-became-optional",
        id="parameter-optional",
    ),
    pytest.param(
        _set(_limit, style="spaceDelimited"),
        Level.BREAKING,
        "parameter-serialisation-changed",
        id="parameter-style",
    ),
    pytest.param(
        _set(_limit, allowEmptyValue=True),
        Level.ADDITIVE,
        "empty-value-allowed",
        id="empty-value-allowed",
    ),
    pytest.param(
        _undo(_set(_limit, allowEmptyValue=True)),
        Level.BREAKING,
        "empty-value-refused",
        id="empty-value-refused",
    ),
    # ---- request bodies
    pytest.param(
        lambda d: _op(d, "/v1/videos/{video_id}/remix", "post").pop("requestBody"),
        Level.BREAKING,
        "request-body-removed",
        id="request-body-removed",
    ),
    pytest.param(
        _undo(lambda d: _op(d, "/v1/videos/{video_id}/remix", "post").pop("requestBody")),
        Level.BREAKING,
        "request-body-added",
        id="required-request-body-added",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos/{video_id}/remix", "post")["requestBody"].update(
            required=False
        ),
        Level.ADDITIVE,
        "request-body-became-optional",
        id="request-body-optional",
    ),
    pytest.param(
        _undo(
            lambda d: _op(d, "/v1/videos/{video_id}/remix", "post")["requestBody"].update(
                required=False
            )
        ),
        Level.BREAKING,
        "request-body-became-required",
        id="request-body-required",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post")["requestBody"]["content"].pop("application/json"),
        Level.BREAKING,
        "media-type-removed",
        id="media-type-removed",
    ),
    pytest.param(
        _undo(
            lambda d: _op(d, "/v1/videos", "post")["requestBody"]["content"].pop("application/json")
        ),
        Level.ADDITIVE,
        "media-type-added",
        id="media-type-added",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post")["requestBody"]["content"]["multipart/form-data"][
            "encoding"
        ]["input_reference"].update(contentType="image/png"),
        Level.BREAKING,
        "encoding-changed",
        id="multipart-encoding",
    ),
    # ---- responses
    pytest.param(
        lambda d: _op(d, "/v1/videos/{video_id}", "get")["responses"].pop("404"),
        Level.BREAKING,
        "response-removed",
        id="response-removed",
    ),
    pytest.param(
        _undo(lambda d: _op(d, "/v1/videos/{video_id}", "get")["responses"].pop("404")),
        Level.ADDITIVE,
        "response-added",
        id="response-added",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "post")["responses"]["200"]["links"].pop(
            "DeleteCreatedVideo"
        ),
        Level.DOCUMENTATION,
        "links-changed",
        id="link-removed",
    ),
    pytest.param(
        lambda d: _op(d, "/v1/videos/{video_id}", "get")["responses"]["200"]["headers"].pop(
            "openai-poll-after-ms"
        ),
        Level.BREAKING,
        "response-header-removed",
        id="response-header-removed",
    ),
    pytest.param(
        _undo(
            lambda d: _op(d, "/v1/videos/{video_id}", "get")["responses"]["200"]["headers"].pop(
                "openai-poll-after-ms"
            )
        ),
        Level.ADDITIVE,
        "response-header-added",
        id="response-header-added",
    ),
    pytest.param(
        lambda d: d["components"]["headers"]["PollAfterMs"].update(required=True),
        Level.ADDITIVE,
        "response-header-became-required",
        id="response-header-required",
    ),
    pytest.param(
        _undo(lambda d: d["components"]["headers"]["PollAfterMs"].update(required=True)),
        Level.BREAKING,
        "response-header-became-optional",
        id="response-header-optional",
    ),
    # ---- schemas: types and values
    pytest.param(
        lambda d: _schemas(d)["RemixVideoRequest"]["properties"].update(prompt=[]),
        Level.BREAKING,
        "schema-changed",
        id="schema-replaced",
    ),
    pytest.param(
        (_set(_images, items=True), _set(_images, items=False)),
        Level.BREAKING,
        "schema-allows-nothing",
        id="schema-false",
    ),
    pytest.param(
        (_set(_images, items=False), _set(_images, items=True)),
        Level.ADDITIVE,
        "schema-allows-everything",
        id="schema-true",
    ),
    pytest.param(
        _response_field_nullable, Level.BREAKING, "nullable-added", id="response-field-nullable"
    ),
    pytest.param(
        lambda d: _prop(d, "Video", "error").update(
            oneOf=[{"$ref": "#/components/schemas/VideoError"}]
        ),
        Level.ADDITIVE,
        "nullable-removed",
        id="one-branch-oneof-loses-null",
    ),
    pytest.param(
        _set(_property("Video", "progress"), type="number"),
        Level.BREAKING,
        "type-changed",
        id="changed-type",
    ),
    pytest.param(
        _set(_limit_schema, type=["integer", "string"]),
        Level.ADDITIVE,
        "type-widened",
        id="request-type-widened",
    ),
    pytest.param(
        _undo(_set(_limit_schema, type=["integer", "string"])),
        Level.BREAKING,
        "type-narrowed",
        id="request-type-narrowed",
    ),
    pytest.param(
        _set(_schema("VideoPrompt"), format="uri"),
        Level.BREAKING,
        "format-added",
        id="request-format-added",
    ),
    pytest.param(
        _drop_key(_property("Video", "created_at"), "format"),
        Level.BREAKING,
        "format-removed",
        id="response-format-removed",
    ),
    pytest.param(
        _set(_property("Video", "created_at"), format="date-time"),
        Level.BREAKING,
        "format-changed",
        id="format-changed",
    ),
    pytest.param(
        _set(_schema("VideoPrompt"), enum=["A cat."]),
        Level.BREAKING,
        "enum-added",
        id="request-enum-added",
    ),
    pytest.param(
        _drop_key(_schema("VideoStatus"), "enum"),
        Level.BREAKING,
        "enum-removed",
        id="response-enum-removed",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoSeconds"]["enum"].pop(),
        Level.BREAKING,
        "enum-value-removed",
        id="narrowed-request-enum",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoSeconds"]["enum"].append(_unlisted_seconds(d)),
        Level.ADDITIVE,
        "enum-value-added",
        id="widened-request-enum",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoStatus"]["enum"].append("expired"),
        Level.BREAKING,
        "enum-value-added",
        id="new-response-enum-value",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoSeconds"].update(
            default=_schemas(d)["VideoSeconds"]["enum"][-1]
        ),
        Level.BREAKING,
        "default-changed",
        id="request-default-changed",
    ),
    *_bound_rules(),
    # ---- schemas: readOnly and writeOnly, per direction
    pytest.param(
        _set(_property("Video", "id"), readOnly=True),
        Level.DOCUMENTATION,
        "read-only-added",
        id="read-only-on-a-response-field",
    ),
    pytest.param(
        _set(_property("ImageReference", "file_id"), readOnly=True),
        Level.BREAKING,
        "read-only-added",
        id="read-only-on-a-request-field",
    ),
    pytest.param(
        _undo(_set(_property("ImageReference", "file_id"), readOnly=True)),
        Level.ADDITIVE,
        "read-only-removed",
        id="read-only-cleared-on-a-request-field",
    ),
    pytest.param(
        _set(_property("ImageReference", "file_id"), writeOnly=True),
        Level.DOCUMENTATION,
        "write-only-added",
        id="write-only-on-a-request-field",
    ),
    pytest.param(
        _set(_property("Video", "id"), writeOnly=True),
        Level.BREAKING,
        "write-only-added",
        id="write-only-on-a-response-field",
    ),
    pytest.param(
        _undo(_set(_property("Video", "id"), writeOnly=True)),
        Level.ADDITIVE,
        "write-only-removed",
        id="write-only-cleared-on-a-response-field",
    ),
    pytest.param(
        (
            _set(_property("ImageReference", "file_id"), readOnly=True),
            _set(_property("ImageReference", "file_id"), readOnly=True, minLength=5),
        ),
        Level.DOCUMENTATION,
        "minLength-narrowed",
        id="narrowing-a-read-only-request-field",
    ),
    # ---- schemas: objects
    pytest.param(
        lambda d: (
            _schemas(d)["Video"]["properties"].pop("progress")
            and _schemas(d)["Video"]["then"]["required"].remove("progress")
        ),
        Level.BREAKING,
        "property-removed",
        id="removed-response-field",
    ),
    pytest.param(_rename_request_field, Level.BREAKING, "property-renamed", id="renamed-field"),
    pytest.param(
        _set(_schema("ImageReference"), required=["image_url"]),
        Level.BREAKING,
        "property-became-required",
        id="request-field-required",
    ),
    pytest.param(
        lambda d: _schemas(d)["Video"]["required"].remove("status"),
        Level.BREAKING,
        "property-became-optional",
        id="response-field-optional",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoError"]["properties"].update(param={"type": "string"}),
        Level.ADDITIVE,
        "property-added",
        id="response-field-added",
    ),
    pytest.param(
        lambda d: (
            _schemas(d)["RemixVideoRequest"]["properties"].update(seed={"type": "integer"}),
            _schemas(d)["RemixVideoRequest"]["required"].append("seed"),
        ),
        Level.BREAKING,
        "required-property-added",
        id="required-request-field-added",
    ),
    pytest.param(
        _drop_key(_schema("RemixVideoRequest"), "additionalProperties"),
        Level.ADDITIVE,
        "additional-properties-allowed",
        id="request-extra-fields-allowed",
    ),
    pytest.param(
        _set(_schema("VideoError"), additionalProperties=False),
        Level.BREAKING,
        "additional-properties-forbidden",
        id="response-extra-fields-refused",
    ),
    pytest.param(
        _set(_schema("VideoError"), unevaluatedProperties=False),
        Level.ADDITIVE,
        "unevaluated-properties-forbidden",
        id="response-unevaluated-refused",
    ),
    pytest.param(
        _undo(_set(_schema("VideoError"), unevaluatedProperties=False)),
        Level.BREAKING,
        "unevaluated-properties-allowed",
        id="response-unevaluated-allowed",
    ),
    pytest.param(
        _set(_schema("ImageReference"), patternProperties={"^x-": {"type": "string"}}),
        Level.BREAKING,
        "pattern-properties-added",
        id="pattern-properties-added",
    ),
    pytest.param(
        _undo(_set(_schema("ImageReference"), patternProperties={"^x-": {"type": "string"}})),
        Level.ADDITIVE,
        "pattern-properties-removed",
        id="pattern-properties-removed",
    ),
    pytest.param(
        _set(_schema("ImageReference"), dependentRequired={"image_url": ["file_id"]}),
        Level.BREAKING,
        "dependent-required-added",
        id="dependent-required-added",
    ),
    pytest.param(
        _undo(_set(_schema("ImageReference"), dependentRequired={"image_url": ["file_id"]})),
        Level.ADDITIVE,
        "dependent-required-removed",
        id="dependent-required-removed",
    ),
    pytest.param(
        _set(_schema("ImageReference"), dependentSchemas={"image_url": {"maxProperties": 1}}),
        Level.BREAKING,
        "dependent-schema-added",
        id="dependent-schema-added",
    ),
    pytest.param(
        _undo(
            _set(_schema("ImageReference"), dependentSchemas={"image_url": {"maxProperties": 1}})
        ),
        Level.ADDITIVE,
        "dependent-schema-removed",
        id="dependent-schema-removed",
    ),
    # ---- schemas: arrays
    pytest.param(
        _set(_images, prefixItems=[{"type": "string"}]),
        Level.BREAKING,
        "prefix-items-added",
        id="prefix-items-added",
    ),
    pytest.param(
        _undo(_set(_images, prefixItems=[{"type": "string"}])),
        Level.ADDITIVE,
        "prefix-items-removed",
        id="prefix-items-removed",
    ),
    pytest.param(
        _set(_images, unevaluatedItems=False),
        Level.BREAKING,
        "unevaluated-items-forbidden",
        id="unevaluated-items-refused",
    ),
    pytest.param(
        _undo(_set(_images, unevaluatedItems=False)),
        Level.ADDITIVE,
        "unevaluated-items-allowed",
        id="unevaluated-items-allowed",
    ),
    pytest.param(
        _set(_images, contains={"type": "string"}),
        Level.BREAKING,
        "contains-added",
        id="contains-added",
    ),
    pytest.param(
        _undo(_set(_images, contains={"type": "string"})),
        Level.ADDITIVE,
        "contains-removed",
        id="contains-removed",
    ),
    # ---- schemas: variants, discriminators, conditions
    pytest.param(
        lambda d: _schemas(d)["CreateVideoJsonBody"]["oneOf"].append(
            {"$ref": "#/components/schemas/RemixVideoRequest"}
        ),
        Level.ADDITIVE,
        "variant-added",
        id="request-variant-added",
    ),
    pytest.param(
        lambda d: _schemas(d)["CreateVideoJsonBody"]["oneOf"].pop(),
        Level.BREAKING,
        "variant-removed",
        id="request-variant-removed",
    ),
    pytest.param(
        lambda d: _schemas(d)["WanVideoRequest"]["allOf"].append({"required": ["seconds"]}),
        Level.BREAKING,
        "allof-changed",
        id="allof-part-added",
    ),
    pytest.param(
        _discriminator(propertyName="model"),
        Level.DOCUMENTATION,
        "discriminator-added",
        id="discriminator-added",
    ),
    pytest.param(
        _undo(_discriminator(propertyName="model")),
        Level.DOCUMENTATION,
        "discriminator-removed",
        id="discriminator-removed",
    ),
    pytest.param(
        (_discriminator(propertyName="model"), _discriminator(propertyName="family")),
        Level.BREAKING,
        "discriminator-property-changed",
        id="discriminator-property-changed",
    ),
    pytest.param(
        (_mapping(veo="VeoVideoRequest"), _mapping(veo="VeoVideoRequest", wan="WanVideoRequest")),
        Level.ADDITIVE,
        "discriminator-mapping-added",
        id="discriminator-mapping-added",
    ),
    pytest.param(
        (_mapping(veo="VeoVideoRequest", wan="WanVideoRequest"), _mapping(veo="VeoVideoRequest")),
        Level.BREAKING,
        "discriminator-mapping-removed",
        id="discriminator-mapping-removed",
    ),
    pytest.param(
        (_mapping(veo="VeoVideoRequest"), _mapping(veo="WanVideoRequest")),
        Level.BREAKING,
        "discriminator-mapping-changed",
        id="discriminator-mapping-changed",
    ),
    pytest.param(
        lambda d: _schemas(d)["Video"]["if"]["properties"]["model"].update(pattern="^sorb-"),
        Level.BREAKING,
        "condition-changed",
        id="if-changed",
    ),
    pytest.param(
        _set(
            _schema("RemixVideoRequest"),
            **{"if": {"required": ["prompt"]}, "then": {"maxProperties": 1}},
        ),
        Level.BREAKING,
        "condition-added",
        id="if-added",
    ),
    pytest.param(
        _drop_key(_schema("Video"), "if"),
        Level.BREAKING,
        "condition-removed",
        id="if-removed",
    ),
    pytest.param(
        _set(_schema("VideoPrompt"), **{"not": {"const": ""}}),
        Level.BREAKING,
        "not-added",
        id="not-added",
    ),
    pytest.param(
        _undo(_set(_schema("VideoPrompt"), **{"not": {"const": ""}})),
        Level.ADDITIVE,
        "not-removed",
        id="not-removed",
    ),
    pytest.param(
        (
            _set(_schema("VideoPrompt"), **{"not": {"const": ""}}),
            _set(_schema("VideoPrompt"), **{"not": {"const": " "}}),
        ),
        Level.BREAKING,
        "not-changed",
        id="not-changed",
    ),
    # ---- components
    pytest.param(_rename_model, Level.BREAKING, "model-renamed", id="renamed-model"),
    pytest.param(
        lambda d: _schemas(d).update(Unused={"type": "object"}),
        Level.ADDITIVE,
        "model-added",
        id="model-added",
    ),
    pytest.param(
        _undo(lambda d: _schemas(d).update(Unused={"type": "object"})),
        Level.BREAKING,
        "model-removed",
        id="model-removed",
    ),
    # ---- documentation, and what no rule knows
    pytest.param(
        lambda d: _schemas(d)["VideoPrompt"].update(description="Say what to show."),
        Level.DOCUMENTATION,
        "documentation",
        id="description-only",
    ),
    pytest.param(
        lambda d: _schemas(d)["Video"]["properties"]["model"].update({"x-deviation": "Reworded."}),
        Level.DOCUMENTATION,
        "documentation",
        id="x-extension-only",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoPrompt"].update({"$anchor": "prompt"}),
        Level.BREAKING,
        "unclassified",
        id="unknown-keyword-counts-as-breaking",
    ),
]


def _versions(base: Doc, case: Case) -> tuple[Doc, Doc]:
    """The old and the new document of a case."""
    old_edit, new_edit = case if isinstance(case, tuple) else (None, case)
    old, new = copy.deepcopy(base), copy.deepcopy(base)
    if old_edit is not None:
        old_edit(old)
    if new_edit is not None:
        new_edit(new)
    return old, new


@pytest.mark.parametrize(("case", "level", "rule"), RULES)
def test_rule(base: Doc, case: Case, level: Level, rule: str) -> None:
    old, new = _versions(base, case)
    changes = diff_specs(old, new)
    assert rule in {c.rule for c in changes}, changes
    assert highest_level(changes) is level, changes
    assert {c.rule for c in changes} <= RULE_IDS, changes
    for change in changes:
        # One line that names the element, never a dump of the spec.
        assert "\n" not in change.message and '{"' not in change.message, change


def test_every_rule_has_a_test() -> None:
    tested = {param.values[2] for param in RULES}
    assert tested == RULE_IDS, (
        f"rules without a test: {sorted(RULE_IDS - tested)}; unknown: {sorted(tested - RULE_IDS)}"
    )


def _inline_status(doc: Doc) -> None:
    _prop(doc, "Video", "status").clear()
    _prop(doc, "Video", "status").update(copy.deepcopy(_schemas(doc)["VideoStatus"]))


def _parameter_onto_operations(doc: Doc) -> None:
    item = doc["paths"]["/v1/videos/{video_id}"]
    shared = item.pop("parameters")
    for method in ("get", "delete"):
        item[method]["parameters"] = [*copy.deepcopy(shared), *item[method].get("parameters", [])]


def _exclusive_minimum(doc: Doc) -> None:
    schema = _limit_schema(doc)
    assert schema["type"] == "integer" and schema["minimum"] == 1
    schema.pop("minimum")
    schema["exclusiveMinimum"] = 0


def _error_as_nullable_ref(doc: Doc) -> None:
    error = _prop(doc, "Video", "error")
    error.pop("oneOf")
    error.update({"allOf": [{"$ref": "#/components/schemas/VideoError"}], "nullable": True})


def _type_list_nullable(doc: Doc) -> None:
    _prop(doc, "Video", "created_at")["type"] = ["integer", "null"]


def _one_of_nullable(doc: Doc) -> None:
    created = _prop(doc, "Video", "created_at")
    kind = created.pop("type")
    created["oneOf"] = [{"type": kind}, {"type": "null"}]


def _global_security(doc: Doc) -> None:
    """The operations' common requirement written once at the top instead."""
    requirements = {
        json.dumps(op.pop("security"))
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "security" in op
    }
    (only,) = requirements
    doc["security"] = json.loads(only)


EQUIVALENT = [
    pytest.param(_inline_status, id="ref-replaced-by-the-same-inline-schema"),
    pytest.param(_global_security, id="security-moved-to-the-document"),
    pytest.param(
        lambda d: _schemas(d)["VideoStatus"]["enum"].reverse(), id="enum-values-reordered"
    ),
    pytest.param(lambda d: _schemas(d)["Video"]["required"].reverse(), id="required-reordered"),
    pytest.param(
        lambda d: _op(d, "/v1/videos", "get")["parameters"].reverse(), id="parameters-reordered"
    ),
    pytest.param(
        lambda d: d["components"]["parameters"].update(
            Unused={"name": "x", "in": "query", "schema": {"type": "string"}}
        ),
        id="unused-parameter-component",
    ),
    pytest.param(_parameter_onto_operations, id="path-parameter-moved-onto-operations"),
    pytest.param(_exclusive_minimum, id="integer-exclusiveMinimum-0-is-minimum-1"),
    pytest.param(_error_as_nullable_ref, id="oneOf-ref-null-is-nullable-ref"),
]


@pytest.mark.parametrize("edit", EQUIVALENT)
def test_equivalent_rewrites_are_no_change(base: Doc, edit: Edit) -> None:
    new = copy.deepcopy(base)
    edit(new)
    assert new != base
    assert diff_specs(base, new) == []
    assert diff_specs(new, base) == []


def test_nullable_spellings_are_equivalent(base: Doc) -> None:
    a, b = copy.deepcopy(base), copy.deepcopy(base)
    _type_list_nullable(a)
    _one_of_nullable(b)
    assert diff_specs(a, b) == []


def test_one_branch_oneof_losing_null_is_one_narrowing(base: Doc) -> None:
    """Written as `oneOf: [VideoError]` or as a plain `$ref`, the same change reads the same."""
    one_branch, plain = copy.deepcopy(base), copy.deepcopy(base)
    _prop(one_branch, "Video", "error")["oneOf"] = [{"$ref": "#/components/schemas/VideoError"}]
    _prop(plain, "Video", "error").pop("oneOf")
    _prop(plain, "Video", "error")["$ref"] = "#/components/schemas/VideoError"
    for new in (one_branch, plain):
        changes = [c for c in diff_specs(base, new) if c.level > Level.DOCUMENTATION]
        assert [(c.rule, c.where, c.level) for c in changes] == [
            ("nullable-removed", "response schema Video.error", Level.ADDITIVE)
        ]


def test_read_only_on_a_response_field_is_information(base: Doc) -> None:
    new = copy.deepcopy(base)
    _prop(new, "Video", "id")["readOnly"] = True
    (change,) = diff_specs(base, new)
    assert (change.level, change.rule, change.where) == (
        Level.DOCUMENTATION,
        "read-only-added",
        "response schema Video.id",
    )
    assert "readOnly" in change.message


def test_a_shared_model_is_judged_per_direction_for_read_only(base: Doc) -> None:
    """`readOnly` on a field the client both sends and receives: breaking to send only."""
    old = copy.deepcopy(base)
    _prop(old, "Video", "size")["$ref"] = "#/components/schemas/VideoSize"
    new = copy.deepcopy(old)
    _schemas(new)["VideoSize"]["readOnly"] = True
    _schemas(new)["CreateVideoJsonRequest"]["properties"]["size"]["readOnly"] = True
    found = {(c.level, c.rule) for c in diff_specs(old, new)}
    assert (Level.BREAKING, "read-only-added") in found


def test_a_webhook_is_judged_from_the_receiving_side(base: Doc) -> None:
    """The server sends a webhook's body: a new field in it is additive, a lost one breaks."""
    old = copy.deepcopy(base)
    old["webhooks"] = {
        "videoCompleted": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id"],
                                "properties": {"id": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "Received."}},
            }
        }
    }
    grown = copy.deepcopy(old)
    body = grown["webhooks"]["videoCompleted"]["post"]["requestBody"]["content"]
    body["application/json"]["schema"]["properties"]["status"] = {"type": "string"}
    body["application/json"]["schema"]["required"].append("status")
    assert highest_level(diff_specs(old, grown)) is Level.ADDITIVE
    where = {c.where for c in diff_specs(old, grown)}
    assert where == {"webhook videoCompleted POST request body application/json"}
    assert highest_level(diff_specs(grown, old)) is Level.BREAKING


def test_an_added_webhook_is_one_line(base: Doc) -> None:
    new = copy.deepcopy(base)
    _add_webhook(new)
    (change,) = diff_specs(base, new)
    assert change.where == "webhook videoCompleted POST"
    assert change.message == "new webhook: the server may call it"


def test_recursive_references_terminate(base: Doc) -> None:
    """A schema that refers to itself (directly, through a renamed copy, or a `$ref` loop)."""
    old = copy.deepcopy(base)
    tree = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Tree"}}}
    _schemas(old)["Tree"] = tree
    _schemas(old)["Loop"] = {"$ref": "#/components/schemas/Loop2"}
    _schemas(old)["Loop2"] = {"$ref": "#/components/schemas/Loop"}
    _schemas(old)["VideoError"]["properties"]["tree"] = {"$ref": "#/components/schemas/Tree"}
    new = copy.deepcopy(old)
    _schemas(new)["Tree"]["properties"]["child"] = {
        "type": "object",
        "properties": {"child": {"$ref": "#/components/schemas/Tree"}, "n": {"type": "integer"}},
    }
    changes = diff_specs(old, new)
    assert any(c.rule == "property-added" for c in changes), changes
    assert diff_specs(old, copy.deepcopy(old)) == []
    alias = copy.deepcopy(old)
    _schemas(alias)["Loop"] = {"$ref": "#/components/schemas/Loop2", "description": "A loop."}
    assert highest_level(diff_specs(old, alias)) is Level.DOCUMENTATION


def test_a_scheme_of_another_kind_is_one_change(base: Doc) -> None:
    new = copy.deepcopy(base)
    new["components"]["securitySchemes"]["bearerAuth"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
    }
    found = [c for c in diff_specs(base, new) if c.level is Level.BREAKING]
    assert [(c.rule, c.where) for c in found] == [
        ("security-scheme-changed", "security scheme bearerAuth")
    ]
    assert found[0].message == (
        "type 'http' -> 'apiKey'; scheme removed; in added; name added"
        " (clients send credentials differently)"
    )


def test_an_unknown_keyword_is_located_and_named(base: Doc) -> None:
    new = copy.deepcopy(base)
    _schemas(new)["VideoPrompt"]["$anchor"] = "prompt"
    (change,) = diff_specs(base, new)
    assert change.where == "request schema VideoPrompt"
    assert change.message.startswith("`$anchor` added")
    top = copy.deepcopy(base)
    top["jsonSchemaDialect"] = "https://spec.openapis.org/oas/3.1/dialect/base"
    (change,) = diff_specs(base, top)
    assert (change.rule, change.where) == ("unclassified", "jsonSchemaDialect")
    assert "\n" not in change.message and "https" not in change.message


def test_no_change_is_no_change(base: Doc) -> None:
    assert diff_specs(base, copy.deepcopy(base)) == []


def test_shared_enum_is_judged_per_direction(base: Doc) -> None:
    """An enum sent and received: a new value is additive to send, breaking to read."""
    base = copy.deepcopy(base)
    # The response's `size` is any string now; make it the request's enum again to share it.
    _schemas(base)["Video"]["properties"]["size"] = {"$ref": "#/components/schemas/VideoSize"}
    new = copy.deepcopy(base)
    _schemas(new)["VideoSize"]["enum"].append("2048x1152")
    found = {(c.level, c.where) for c in diff_specs(base, new)}
    assert found == {
        (Level.ADDITIVE, "request schema VideoSize"),
        (Level.BREAKING, "response schema VideoSize"),
    }


def _write(path: Path, doc: Doc) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_cli_formats_and_exit_codes(
    base: Doc, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path / "old.yaml", base)
    additive = copy.deepcopy(base)
    _add_operation(additive)
    new = _write(tmp_path / "new.yaml", additive)
    assert main(["diff", str(old), str(new)]) == 0
    assert "compatible (1 additive)" in capsys.readouterr().out

    breaking = copy.deepcopy(base)
    _schemas(breaking)["VideoStatus"]["enum"].append("expired")
    worse = _write(tmp_path / "worse.yaml", breaking)
    assert main(["diff", str(old), str(worse), "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["breaking"] is True
    assert result["changes"][0]["where"] == "response schema VideoStatus"

    assert main(["diff", str(old), str(worse), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert "### Breaking changes" in markdown
    assert "| `response schema VideoStatus` | new enum value 'expired'" in markdown


def test_git_revisions(
    base: Doc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    _write(repo / "openapi.yaml", base)
    git("add", "openapi.yaml")
    git("commit", "-q", "-m", "one")
    changed = copy.deepcopy(base)
    removed = _schemas(changed)["VideoSeconds"]["enum"].pop()  # whatever the spec lists last
    _write(repo / "openapi.yaml", changed)
    git("commit", "-q", "-am", "two")
    monkeypatch.chdir(repo)
    assert main(["diff", "HEAD~1:openapi.yaml", "HEAD:openapi.yaml"]) == 1
    assert f"enum value '{removed}' removed" in capsys.readouterr().out
    assert main(["diff", "HEAD~1:openapi.yaml", "openapi.yaml"]) == 1
    capsys.readouterr()
    assert main(["diff", "HEAD~5:openapi.yaml", "openapi.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("videos-contract diff: error: HEAD~5:openapi.yaml")


def test_unreadable_spec_error_keeps_its_line_breaks(
    base: Doc, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The parser's report keeps its layout; a control character in it is still escaped."""
    good = _write(tmp_path / "good.yaml", base)
    broken = tmp_path / "bro\x1bken.yaml"
    broken.write_text("paths: [\n  a: b\n", encoding="utf-8")
    assert main(["diff", str(broken), str(good)]) == 2
    err = capsys.readouterr().err
    assert "\\x0a" not in err and "\x1b" not in err
    assert "bro\\x1bken.yaml" in err
    lines = err.strip().splitlines()
    assert len(lines) > 1 and lines[0].startswith("videos-contract diff: error: cannot read")
    shapeless = _write(tmp_path / "shapeless.yaml", {"openapi": "3.1.0", "paths": 3})
    assert main(["diff", str(shapeless), str(good)]) == 2
    assert "`paths` is not a mapping" in capsys.readouterr().err
