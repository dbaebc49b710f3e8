"""What every request of an audit passes through: the create budget and the rate limit.

The budget guards money: each request to a billed operation (`x-billed: true`) must reserve a
slot before it is sent, and keeps it only if the server accepts it (2xx). Reserving before
sending means that, even with concurrent requests, the number of accepted billed jobs can never
exceed the cap. With a cap of 0 no billed request is sent at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CreateBudget", "TokenBucket"]


@dataclass
class _Counts:
    sent: int = 0
    accepted: int = 0
    skipped: int = 0
    in_flight: int = 0


class CreateBudget:
    """At most `cap` accepted billed requests; `None` means no cap."""

    def __init__(self, cap: int | None) -> None:
        if cap is not None and cap < 0:
            raise ValueError("the create cap cannot be negative")
        self.cap = cap
        self._lock = threading.Lock()
        self._counts = _Counts()

    def reserve(self) -> bool:
        """Take a slot before sending a billed request; False means: do not send it."""
        with self._lock:
            if self.cap is not None and self._counts.accepted + self._counts.in_flight >= self.cap:
                self._counts.skipped += 1
                return False
            self._counts.in_flight += 1
            self._counts.sent += 1
            return True

    def settle(self, status: int | None) -> None:
        """Keep the slot when the server accepted the request (2xx), give it back otherwise."""
        with self._lock:
            self._counts.in_flight -= 1
            if status is not None and 200 <= status < 300:
                self._counts.accepted += 1

    @property
    def sent(self) -> int:
        return self._counts.sent

    @property
    def accepted(self) -> int:
        return self._counts.accepted

    @property
    def skipped(self) -> int:
        return self._counts.skipped

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self.cap is not None and self._counts.accepted >= self.cap


class TokenBucket:
    """`rate` requests per second on average, bursts of at most `burst`; None: unthrottled."""

    def __init__(
        self, rate: float | None, burst: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("the rate limit must be positive")
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._clock = clock
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return how many seconds the caller must wait before sending."""
        if self.rate is None:
            return 0.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate
