"""schemathesis against the mock: every check, every phase, zero failures.

The fast run here is part of `make test`; the exhaustive one is marked slow. Failures that
the hooks in `tests.support.contract` drop are limited to the kinds named in `ALLOWED_DROPS`.
"""

from __future__ import annotations

import pytest

from tests.support.contract import ContractRun, run_contract
from videos_contract.mock import MockConfig, create_app, running_mock

ALLOWED_DROPS = {
    "positive_data_acceptance: request as sent breaks the spec",
    "positive_data_acceptance: file part without a file name",
    "negative_data_rejection: violation lost in serialisation",
    "positive_data_acceptance: after names no video",
    "positive_data_acceptance: range beyond the asset",
    "positive_data_acceptance: a model the spec does not list",
    "positive_data_acceptance: an operation the job's family lacks",
}
# Checks that must have run at least once, or the run proves less than it claims.
MUST_RUN = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "unsupported_method",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
}
PHASES = ("examples", "coverage", "fuzzing", "stateful")


def _assert_clean(run: ContractRun) -> None:
    assert run.errors == []
    assert run.failures == [], "\n".join(run.failures)
    assert {phase: run.phases.get(phase) for phase in PHASES} == dict.fromkeys(PHASES, "SUCCESS")
    assert MUST_RUN <= set(run.checks_run), MUST_RUN - set(run.checks_run)
    assert set(run.dropped) <= ALLOWED_DROPS, run.dropped
    assert run.images_given > 0


def test_every_check_and_phase_pass_in_process() -> None:
    app = create_app(MockConfig(render_seconds=0.0, seed=1))
    run = run_contract(key=app.state.config.keys[0], app=app, seed=1, max_examples=10)
    _assert_clean(run)
    assert app.state.service.unexpected_errors == 0


def test_every_check_and_phase_pass_over_a_socket() -> None:
    with running_mock(MockConfig(render_seconds=0.0, seed=2)) as server:
        run = run_contract(key=server.key, base_url=server.url, seed=2, max_examples=5)
        _assert_clean(run)
        assert server.app.state.service.unexpected_errors == 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("render_seconds", [0.0, 0.2])
def test_exhaustive_runs_pass(seed: int, render_seconds: float) -> None:
    app = create_app(MockConfig(render_seconds=render_seconds, seed=seed))
    run = run_contract(key=app.state.config.keys[0], app=app, seed=seed, max_examples=100)
    _assert_clean(run)
    assert app.state.service.unexpected_errors == 0
