"""`diff --baseline`: accepted breaking changes pass, a new one fails naming only itself."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from videos_contract.audit.reports.github import annotation
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


def test_github_format_is_one_annotation_per_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base: Doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    old = _write(tmp_path / "old.yaml", base)
    changed = copy.deepcopy(base)
    changed["components"]["schemas"]["VideoStatus"]["enum"].append("expired")  # breaking
    changed["info"]["description"] = "100% new\nlines"  # documentation
    new = _write(tmp_path / "new.yaml", changed)
    assert main(["diff", old, new, "--format", "json"]) == 1
    changes = json.loads(capsys.readouterr().out)["changes"]
    levels = {c["level"] for c in changes}
    assert "breaking" in levels and levels - {"breaking"}

    assert main(["diff", old, new, "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(changes)
    for line, change in zip(lines, changes, strict=True):
        level = "error" if change["level"] == "breaking" else "notice"
        assert line.startswith(f"::{level} title=videos-contract diff%3A {change['level']} ")
        assert f"::{change['where']}: " in line

    baseline = tmp_path / "accepted.json"
    assert main(["diff", old, new, "--update-baseline", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["diff", old, new, "--format", "github", "--baseline", str(baseline)]) == 0
    captured = capsys.readouterr()
    assert all(line.startswith(("::warning ", "::notice ")) for line in captured.out.splitlines())
    assert "::warning " in captured.out and "accepted breaking change(s)" in captured.err

    assert main(["diff", old, old, "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::notice title=videos-contract diff::no changes")


def test_the_diff_and_the_audit_share_one_annotation_escaper() -> None:
    line = annotation("error", "diff: a, b", "where: 100%\r\nnext")
    assert line == "::error title=diff%3A a%2C b::where: 100%25%0D%0Anext"
    with pytest.raises(ValueError, match="one of error, warning, notice"):
        annotation("fatal", "t", "m")
