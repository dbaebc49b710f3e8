"""The sample CI workflow is valid YAML and calls a command that exists, with options that do."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml

from videos_contract.cli import build_parser
from videos_contract.paths import PROJECT_ROOT

WORKFLOW = PROJECT_ROOT / "examples" / "audit-workflow.yml"


def _steps() -> list[dict[str, Any]]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    assert "jobs" in document and (True in document or "on" in document)
    steps: list[dict[str, Any]] = document["jobs"]["audit"]["steps"]
    return steps


def _audit_step() -> dict[str, Any]:
    matching = [step for step in _steps() if "videos-contract audit" in step.get("run", "")]
    assert len(matching) == 1
    return matching[0]


@pytest.mark.parametrize("profile", ["standard", "deep"])
def test_workflow_runs_the_audit_with_arguments_the_cli_accepts(profile: str) -> None:
    step = _audit_step()
    assert f"'{profile}'" in step["env"]["PROFILE"], "the expression can yield this profile"
    words = shlex.split(step["run"].replace("$PROFILE", profile))
    assert words[0] == ".venv/bin/videos-contract"
    assert (PROJECT_ROOT / ".venv" / "bin" / "videos-contract").exists()
    parsed = build_parser().parse_args(words[1:])
    assert (parsed.command, parsed.profile, parsed.max_creates) == ("audit", profile, 5)


def test_workflow_builds_the_environment_with_a_make_target_that_exists() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = [s["run"].split()[1] for s in _steps() if s.get("run", "").startswith("make ")]
    assert targets
    for target in targets:
        assert f"\n{target}:" in makefile


def test_workflow_publishes_the_junit_report_the_audit_writes() -> None:
    publish = [s for s in _steps() if "junit" in s.get("uses", "")]
    assert publish and publish[0]["with"]["report_paths"] == "reports/junit.xml"
    assert publish[0].get("if") == "always()"


def test_key_comes_from_a_secret_in_the_environment() -> None:
    step = _audit_step()
    assert "secrets.VIDEOS_API_KEY" in step["env"]["VIDEOS_API_KEY"]
    assert "--key" not in step["run"]
