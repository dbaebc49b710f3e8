"""The composite action and the CI example: valid YAML, and every command they run exists.

The action's audit command is parsed by the real CLI parser with the inputs' defaults in
place of their variables; the example's pytest options are the plugin's own.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from typing import Any

import yaml

from videos_contract.cli import build_parser
from videos_contract.paths import GENERATED_DIR, PROJECT_ROOT

ACTION = PROJECT_ROOT / "action.yml"
EXAMPLE = PROJECT_ROOT / "examples" / "contract-ci.yml"


def _action() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return document


def _step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = _action()["runs"]["steps"]
    (step,) = [s for s in steps if s.get("name") == name]
    return step


def _expand(step: dict[str, Any], command: str) -> str:
    """The command with each env variable replaced by the default of the input it reads."""
    inputs = _action()["inputs"]
    for variable, value in step.get("env", {}).items():
        found = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        if found:
            command = command.replace(f'"${variable}"', inputs[found.group(1)]["default"] or "''")
            command = command.replace(f"${variable}", inputs[found.group(1)]["default"])
    return command


def test_the_action_is_a_composite_with_bash_steps() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash"
        # Inputs reach shell code only through env, never pasted into the script.
        assert "${{" not in step.get("run", "")


def test_the_audit_step_runs_arguments_the_cli_accepts() -> None:
    step = _step("Audit")
    (line,) = [x for x in step["run"].splitlines() if "videos-contract audit" in x]
    words = shlex.split(_expand(step, line))
    assert words[0] == "videos-contract"
    parsed = build_parser().parse_args(words[1:])
    assert parsed.command == "audit" and parsed.format == "github"
    assert str(parsed.config) == _action()["inputs"]["config"]["default"]
    assert str(parsed.report_dir) == _action()["inputs"]["report-dir"]["default"]
    assert "GITHUB_OUTPUT" in step["run"] and "set +e" in step["run"]


def test_the_reports_are_uploaded_always_and_the_verdict_comes_last() -> None:
    steps = _action()["runs"]["steps"]
    (upload,) = [s for s in steps if "upload-artifact" in s.get("uses", "")]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "${{ inputs.report-dir }}"
    assert steps[-1]["name"] == "Verdict" and "exit" in steps[-1]["run"]


def test_the_default_install_builds_this_checkout_and_its_client() -> None:
    run = _step("Install videos-contract")["run"]
    # The audit is an extra: the base install would refuse `videos-contract audit`.
    assert '"$ACTION_PATH/generated" "$ACTION_PATH[audit]"' in run
    assert (PROJECT_ROOT / "pyproject.toml").exists()
    assert (GENERATED_DIR / "pyproject.toml").exists()


def test_the_example_uses_only_inputs_the_action_has() -> None:
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    (use,) = [
        s for s in document["jobs"]["audit"]["steps"] if "videos-contract@" in s.get("uses", "")
    ]
    assert set(use["with"]) <= set(_action()["inputs"])
    assert "secrets.VIDEOS_API_KEY" in use["env"]["VIDEOS_API_KEY"]
    words = shlex.split(use["with"]["args"])
    parsed = build_parser().parse_args(["audit", *words])
    assert parsed.profile == "quick"


def test_the_examples_test_job_installs_the_mock_for_the_plugin() -> None:
    """The plugin's `videos_mock` (the tests against the mock) needs the `mock` extra."""
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    runs = [
        s["run"] for s in document["jobs"]["tests"]["steps"] if "pip install" in s.get("run", "")
    ]
    (install,) = runs
    assert '"videos-contract[mock] @ git+' in install


def test_the_examples_pytest_options_are_the_plugins() -> None:
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    runs = [s["run"] for s in document["jobs"]["tests"]["steps"] if "pytest" in s.get("run", "")]
    options = {o for run in runs for o in re.findall(r"--videos-[a-z-]+", run)}
    assert options
    shown = subprocess.run(
        [sys.executable, "-m", "pytest", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout
    for option in options:
        assert option in shown
