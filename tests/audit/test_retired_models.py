"""A server that still serves a model past its sourced retirement date is reported as
information, never as a violation: serving it is the server's choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import MockConfig, running_mock

CATALOGUE = families()
# Models with a retirement date in the spec, and one without.
RETIRED = [m for m in CATALOGUE.models if CATALOGUE.retired_on(m) is not None]
CURRENT = next(m for m in CATALOGUE.representatives() if CATALOGUE.retired_on(m) is None)


def _audit(model: str, report_dir: Path) -> tuple[int, dict[str, object]]:
    with running_mock(MockConfig(render_seconds=0.2)) as server:
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--no-fuzz", "--check", "created_job_reaches_terminal_status",
             "--model", model, "--report-dir", str(report_dir)]
        )  # fmt: skip
    summary: dict[str, object] = json.loads((report_dir / "summary.json").read_text())
    return code, summary


def test_the_spec_carries_retirement_dates() -> None:
    assert RETIRED, "no model of the spec has a retirement date"
    assert all(CATALOGUE.retired(m, "9999-12-31") for m in RETIRED)


@pytest.mark.parametrize("model", [RETIRED[0]])
def test_a_retired_model_still_served_is_information(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mock serves every listed model, retired ones included (the audit runs after the
    date the spec gives, so the model is past it)."""
    code, summary = _audit(model, tmp_path)
    assert code == 0 and summary["verdict"] == "conformant", summary
    notes = summary["notes"]
    assert isinstance(notes, list)
    wanted = f"information: the server still serves {model}, retired on "
    assert [n for n in notes if n.startswith(wanted)], notes
    assert str(CATALOGUE.retired_on(model)) in capsys.readouterr().out


def test_a_current_model_gets_no_such_note(tmp_path: Path) -> None:
    code, summary = _audit(CURRENT, tmp_path)
    assert code == 0, summary
    notes = summary["notes"]
    assert isinstance(notes, list)
    assert not [n for n in notes if "still serves" in n], notes
