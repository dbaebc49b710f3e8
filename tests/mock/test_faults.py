"""Fault injection and rate limiting, off by default and repeatable under a seed."""

from __future__ import annotations

from collections import Counter

import pytest
from starlette.testclient import TestClient

from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app
from videos_contract.mock.errors import ApiError
from videos_contract.mock.faults import RateLimiter

MODEL = families().default_family.models[0]

AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


def _statuses(config: MockConfig, count: int = 40) -> tuple[list[int], int]:
    app = create_app(config)
    with TestClient(app, headers=AUTH) as client:
        statuses = []
        for _ in range(count):
            response = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."})
            statuses.append(response.status_code)
            if response.status_code >= 500:
                error = response.json()["error"]
                assert error["type"] == "server_error"
                if response.status_code == 503:
                    assert int(response.headers["retry-after"]) >= 0
        return statuses, len(app.state.store)


def test_faults_are_off_by_default() -> None:
    statuses, jobs = _statuses(MockConfig())
    assert set(statuses) == {200} and jobs == 40


def test_every_request_faults_at_rate_one_and_no_job_is_created() -> None:
    statuses, jobs = _statuses(MockConfig(fault_rate=1.0))
    assert set(statuses) == {500, 503}
    assert jobs == 0


def test_a_faulted_create_never_creates_a_job() -> None:
    statuses, jobs = _statuses(MockConfig(fault_rate=0.5, seed=3))
    counts = Counter(statuses)
    assert counts[200] == jobs
    assert counts[500] > 0 and counts[503] > 0 and counts[200] > 0


def test_faults_repeat_under_a_seed() -> None:
    first, _ = _statuses(MockConfig(fault_rate=0.3, seed=5))
    again, _ = _statuses(MockConfig(fault_rate=0.3, seed=5))
    other, _ = _statuses(MockConfig(fault_rate=0.3, seed=6))
    assert first == again
    assert first != other


def test_rate_limiter_window() -> None:
    now = [100.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("a")
    limiter.check("a")
    with pytest.raises(ApiError) as caught:
        limiter.check("a")
    assert caught.value.status == 429
    assert int(caught.value.headers["Retry-After"]) >= 1
    limiter.check("b")  # another key has its own budget
    now[0] += 1.0
    limiter.check("a")


def test_rate_limit_answers_429_with_retry_after() -> None:
    app = create_app(MockConfig(rate_limit=1))
    with TestClient(app, headers=AUTH) as client:
        responses = [client.get("/v1/videos") for _ in range(5)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert all(int(r.headers["retry-after"]) >= 1 for r in limited)
    assert all(r.json()["error"]["type"] == "rate_limit_error" for r in limited)
