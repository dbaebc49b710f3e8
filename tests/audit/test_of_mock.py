"""The project's own mock passes the audit with no violation, in every profile.

These run the real thing: the mock on a socket, the relay, schemathesis as a child process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from videos_contract.audit import PROFILES, AuditConfig, run_audit
from videos_contract.audit.results import Outcome


def _audit(profile: str, tmp_path: Path) -> None:
    result = run_audit(AuditConfig(profile=PROFILES[profile], artefacts_dir=tmp_path / "st"))
    failures = [f"{v.operation}/{v.check}: {v.at_fault}: {v.actual}" for v in result.violations]
    assert failures == []
    assert result.exit_code == 0
    behaviour = [o for o in result.outcomes if o.source == "behaviour"]
    left_out = PROFILES[profile].leaves_out
    assert behaviour and all(
        o.outcome is Outcome.PASSED or (o.check in left_out and o.outcome is Outcome.NOT_RUN)
        for o in behaviour
    ), [(o.check, o.reason) for o in behaviour if o.outcome is not Outcome.PASSED]
    assert any(o.source == "schemathesis" and o.passed for o in result.outcomes)
    assert (tmp_path / "st" / "events.ndjson").stat().st_size > 0


def test_quick_profile_passes(tmp_path: Path) -> None:
    _audit("quick", tmp_path)


# `make test` runs the standard audit of the mock through the README's `make audit`
# (tests/test_readme.py), with the same assertions; here it runs with the slow tests.
@pytest.mark.slow
def test_standard_profile_passes(tmp_path: Path) -> None:
    _audit("standard", tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the deep profile fuzzes for ten minutes by design
def test_deep_profile_passes(tmp_path: Path) -> None:
    _audit("deep", tmp_path)
