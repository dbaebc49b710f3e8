"""schemathesis fuzzing of every operation (every check, every phase) with zero server errors,
counted at the server: a short run in `make test`, at least 10,000 requests in `make test-all`.

Runs alternate between the in-memory store and the SQLite store, so that both back the same
contract. The hooks of `tests.support.contract` keep the verdicts honest (see there).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.support.contract import run_contract
from tests.support.hardening import Counting
from videos_contract.mock import MockConfig, create_app
from videos_contract.spec import load_spec

ALLOWED_DROPS = {
    "positive_data_acceptance: request as sent breaks the spec",
    "positive_data_acceptance: file part without a file name",
    "negative_data_rejection: violation lost in serialisation",
    "positive_data_acceptance: after names no video",
    "positive_data_acceptance: range beyond the asset",
    # Every create names a model (the spec requires it), so the fuzzer's jobs are of every
    # family and of models the spec does not list: a remix or an image variant of a family
    # that lacks it, and an unlisted model, are refused as the contract says.
    "positive_data_acceptance: an operation the job's family lacks",
    "positive_data_acceptance: a model the spec does not list",
}
FUZZ_REQUESTS = 10_000


def _operations(requests: Counter[tuple[str, str]]) -> Counter[str]:
    """Requests per operationId of the spec (requests to no operation are not counted)."""
    patterns = [
        (op.operation_id, op.method, re.compile(re.sub(r"\{[^}]+\}", "[^/]+", op.path)))
        for op in load_spec().operations()
    ]
    counts: Counter[str] = Counter()
    for (method, path), count in requests.items():
        for operation_id, wanted, pattern in patterns:
            if method == wanted and pattern.fullmatch(path):
                counts[operation_id] += count
    return counts


def _fuzz(seed: int, max_examples: int, store: Path | None) -> tuple[Counting, int]:
    config = MockConfig(render_seconds=0.0 if seed % 2 else 0.2, seed=seed, store_path=store)
    app = create_app(config)
    counting = Counting(app)
    try:
        run = run_contract(key=config.keys[0], app=counting, seed=seed, max_examples=max_examples)
    finally:
        if store is not None:
            app.state.store.close()
    assert run.errors == []
    assert run.failures == [], "\n".join(run.failures)
    assert set(run.dropped) <= ALLOWED_DROPS, run.dropped
    assert not [status for status in counting.statuses if status >= 500], counting.statuses
    assert app.state.service.unexpected_errors == 0
    return counting, sum(counting.requests.values())


def test_a_short_fuzzing_run_on_the_sqlite_store_has_no_server_error(tmp_path: Path) -> None:
    counting, sent = _fuzz(31, 5, tmp_path / "jobs.db")
    assert sent > 100
    operations = _operations(counting.requests)
    assert set(operations) == {op.operation_id for op in load_spec().operations()}, operations


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_10000_fuzzed_requests_have_no_server_error(tmp_path: Path) -> None:
    total: Counter[tuple[str, str]] = Counter()
    statuses: Counter[int] = Counter()
    seed = 100
    while sum(total.values()) < FUZZ_REQUESTS:
        assert seed < 140, "the runs send fewer requests than expected"
        store = tmp_path / f"jobs-{seed}.db" if seed % 2 == 0 else None
        counting, _ = _fuzz(seed, 150, store)
        total += counting.requests
        statuses += counting.statuses
        seed += 1
    operations = _operations(total)
    assert set(operations) == {op.operation_id for op in load_spec().operations()}
    assert min(operations.values()) >= 100, operations
    print(f"fuzzed requests: {sum(total.values())} in {seed - 100} runs; statuses {dict(statuses)}")
    print(f"per operation: {dict(operations)}")
