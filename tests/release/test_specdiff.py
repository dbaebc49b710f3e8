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
from videos_contract.release.specdiff import Level, diff_specs, highest_level

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


# (edit, level that decides the bump, the rule that must be reported)
RULES = [
    pytest.param(
        lambda d: d["paths"]["/v1/videos"].pop("get"),
        Level.BREAKING,
        "operation-removed",
        id="removed-operation",
    ),
    pytest.param(_add_operation, Level.ADDITIVE, "operation-added", id="new-operation"),
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
        _new_query(True), Level.BREAKING, "required-parameter-added", id="new-required-parameter"
    ),
    pytest.param(_new_query(False), Level.ADDITIVE, "parameter-added", id="new-optional-parameter"),
    pytest.param(
        lambda d: _schemas(d)["Video"]["properties"]["progress"].update(type="number"),
        Level.BREAKING,
        "type-changed",
        id="changed-type",
    ),
    pytest.param(
        _response_field_nullable, Level.BREAKING, "nullable-added", id="response-field-nullable"
    ),
    pytest.param(
        lambda d: _schemas(d)["Video"]["required"].remove("status"),
        Level.BREAKING,
        "property-became-optional",
        id="response-field-optional",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoStatus"]["enum"].append("expired"),
        Level.BREAKING,
        "enum-value-added",
        id="new-response-enum-value",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoPrompt"].update(maxLength=1000),
        Level.BREAKING,
        "maxLength-narrowed",
        id="request-limit-narrowed",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoPrompt"].update(maxLength=64000),
        Level.ADDITIVE,
        "maxLength-widened",
        id="request-limit-widened",
    ),
    pytest.param(
        lambda d: _schemas(d)["VideoModel"].update(default="sora-2-pro"),
        Level.BREAKING,
        "default-changed",
        id="request-default-changed",
    ),
    pytest.param(
        lambda d: d["paths"]["/v1/videos"]["post"].update(operationId="makeVideo"),
        Level.BREAKING,
        "operation-id-changed",
        id="operation-id-changed",
    ),
    pytest.param(_rename_model, Level.BREAKING, "model-renamed", id="renamed-model"),
    pytest.param(
        lambda d: _schemas(d)["Video"]["properties"]["id"].update(readOnly=True),
        Level.BREAKING,
        "unclassified",
        id="unknown-keyword-counts-as-breaking",
    ),
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
]


@pytest.mark.parametrize(("edit", "level", "rule"), RULES)
def test_rule(base: Doc, edit: Callable[[Doc], object], level: Level, rule: str) -> None:
    new = copy.deepcopy(base)
    edit(new)
    changes = diff_specs(base, new)
    assert rule in {c.rule for c in changes}, changes
    assert highest_level(changes) is level, changes


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
