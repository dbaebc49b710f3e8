"""`diff --baseline`: accepted breaking changes pass, a new one fails naming only itself."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from videos_contract.cli import main
from videos_contract.paths import SPEC_PATH

Doc = dict[str, Any]


def _write(path: Path, doc: Doc) -> str:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return str(path)


def test_accepted_breaking_changes_pass_and_a_new_one_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base: Doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    old = _write(tmp_path / "old.yaml", base)
    accepted = copy.deepcopy(base)
    accepted["components"]["schemas"]["VideoStatus"]["enum"].append("expired")
    first = _write(tmp_path / "first.yaml", accepted)
    baseline = tmp_path / "accepted-changes.json"

    assert main(["diff", old, first]) == 1
    assert main(["diff", old, first, "--update-baseline", str(baseline)]) == 0
    entries = json.loads(baseline.read_text("utf-8"))["entries"]
    assert entries and all(e["where"] == "response schema VideoStatus" for e in entries)
    capsys.readouterr()

    assert main(["diff", old, first, "--baseline", str(baseline)]) == 0
    assert f"{len(entries)} accepted breaking change(s), 0 new" in capsys.readouterr().out

    worse = copy.deepcopy(accepted)
    limit = worse["paths"]["/v1/videos"]["get"]["parameters"]
    (param,) = [p for p in limit if p.get("name") == "limit"]
    param["schema"]["maximum"] = 5
    second = _write(tmp_path / "second.yaml", worse)
    assert main(["diff", old, second, "--baseline", str(baseline), "--format", "json"]) == 1
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout stays JSON; the baseline's lines go to stderr
    new = [line for line in captured.err.splitlines() if line.strip().startswith("new:")]
    assert new and all("limit" in line and "VideoStatus" not in line for line in new)

    assert main(["diff", old, old, "--baseline", str(baseline)]) == 0
    assert "no longer occurs: response schema VideoStatus" in capsys.readouterr().out


def test_a_baseline_of_the_wrong_kind_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_text('{"kind": "audit", "baseline_version": 1, "entries": []}', "utf-8")
    spec = str(SPEC_PATH)
    assert main(["diff", spec, spec, "--baseline", str(baseline)]) == 2
    assert "kind 'diff'" in capsys.readouterr().err
