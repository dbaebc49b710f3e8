"""Faults for testing clients: random 500/503 answers, answers cut off mid-body or held back,
and a per-key rate limit.

All are off by default. Fault choices come from a seeded generator, so a run with the same
seed and the same sequence of requests faults the same requests.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable

from videos_contract.mock.errors import ApiError

__all__ = ["DROP", "SLOW", "FaultInjector", "RateLimiter", "ResponseFaults"]

DROP = "drop"
SLOW = "slow"


class FaultInjector:
    """Answers a share of requests with 500 or 503 before any work is done."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self._random = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.rate <= 0:
            return
        with self._lock:
            hit = self._random.random() < self.rate
            unavailable = self._random.random() < 0.5
        if not hit:
            return
        if unavailable:
            raise ApiError(
                503,
                "The server is overloaded (injected fault); retry shortly.",
                type="server_error",
                code="service_unavailable",
                headers={"Retry-After": "1"},
            )
        raise ApiError(
            500,
            "The server had an error while processing your request (injected fault).",
            type="server_error",
            code="internal_error",
        )


class ResponseFaults:
    """Chooses answers to cut off mid-body (`drop_rate`) or to hold back (`slow_rate`).

    A dropped answer sends its headers (with the full `Content-Length`) and half its body,
    then the connection closes: what a client sees when a proxy or the network fails. A slow
    answer waits `slow_seconds` before its headers, long enough to pass a client's timeout.
    """

    def __init__(self, drop_rate: float, slow_rate: float, seed: int) -> None:
        self.drop_rate = drop_rate
        self.slow_rate = slow_rate
        self._random = random.Random(f"responses:{seed}")
        self._lock = threading.Lock()

    def choose(self) -> str | None:
        if self.drop_rate <= 0 and self.slow_rate <= 0:
            return None
        with self._lock:
            draw = self._random.random()
        if draw < self.drop_rate:
            return DROP
        if draw < self.drop_rate + self.slow_rate:
            return SLOW
        return None


class RateLimiter:
    """At most `per_second` requests per key in any sliding one-second window."""

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = per_second
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key_id: str) -> None:
        now = self._clock()
        with self._lock:
            window = self._seen.setdefault(key_id, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.capacity:
                wait = max(1, math.ceil(1.0 - (now - window[0])))
                raise ApiError(
                    429,
                    f"Rate limit reached: {self.capacity} requests per second per key.",
                    type="rate_limit_error",
                    code="rate_limit_exceeded",
                    headers={"Retry-After": str(wait)},
                )
            window.append(now)
