"""The create budget and the token bucket, without any server."""

from __future__ import annotations

import threading

import pytest

from videos_contract.audit.gate import CreateBudget, TokenBucket


def test_zero_cap_sends_nothing() -> None:
    budget = CreateBudget(0)
    assert not budget.reserve()
    assert (budget.sent, budget.accepted, budget.skipped) == (0, 0, 1)


def test_refused_requests_give_their_slot_back() -> None:
    budget = CreateBudget(1)
    assert budget.reserve()
    budget.settle(400)
    assert budget.reserve()
    budget.settle(200)
    assert not budget.reserve()
    assert (budget.sent, budget.accepted, budget.skipped) == (2, 1, 1)
    assert budget.exhausted


def test_in_flight_requests_hold_their_slot() -> None:
    budget = CreateBudget(1)
    assert budget.reserve()
    assert not budget.reserve(), "a second billed request may not go out while one is pending"


def test_concurrent_reservations_never_exceed_the_cap() -> None:
    budget = CreateBudget(3)
    accepted = []

    def worker() -> None:
        for _ in range(20):
            if budget.reserve():
                budget.settle(200)
                accepted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(accepted) == budget.accepted == 3


def test_unlimited_budget_counts_everything() -> None:
    budget = CreateBudget(None)
    for status in (200, 201, 400, 500):
        assert budget.reserve()
        budget.settle(status)
    assert (budget.sent, budget.accepted) == (4, 2)


def test_negative_cap_is_refused() -> None:
    with pytest.raises(ValueError):
        CreateBudget(-1)


def test_token_bucket_spaces_requests() -> None:
    now = [100.0]
    bucket = TokenBucket(rate=10.0, clock=lambda: now[0])
    assert bucket.reserve() == 0.0
    waits = [bucket.reserve() for _ in range(3)]
    assert waits == pytest.approx([0.1, 0.2, 0.3])
    now[0] += 0.25  # time that passes refills the bucket at its rate
    assert bucket.reserve() == pytest.approx(0.3 - 0.25 + 0.1)


def test_unthrottled_bucket_never_waits() -> None:
    bucket = TokenBucket(None)
    assert all(bucket.reserve() == 0.0 for _ in range(100))
