"""How a mock server behaves: keys, render time, failure and fault rates, limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_KEY", "MockConfig"]

# Matches the gateway's key pattern (`x-key-pattern` in openapi.yaml), so that clients which
# check the key's shape accept it; it opens nothing but a local mock.
DEFAULT_KEY = "sk-gateway-localmock"


@dataclass(frozen=True)
class MockConfig:
    """Everything a mock server is started with; every field has a usable default.

    `render_seconds` is how long a job takes from `queued` to a final status; `seed` makes ids,
    failure choices and faults repeat from run to run; `fail_rate` is the share of jobs that
    fail on their own (a prompt containing `[fail]` always fails); `fault_rate` the share of
    requests answered 500/503 before any work; `rate_limit` requests per second per key before
    429; `defects` names deliberately broken behaviours from `videos_contract.mock.defects`.
    """

    keys: tuple[str, ...] = (DEFAULT_KEY,)
    render_seconds: float = 1.0
    seed: int = 0
    fail_rate: float = 0.0
    fault_rate: float = 0.0
    rate_limit: int | None = None
    max_body_bytes: int = 50 * 1024 * 1024
    defects: tuple[str, ...] = ()
    spec_path: Path | None = None
    asset_ttl_seconds: float = 24 * 3600.0

    def __post_init__(self) -> None:
        if not self.keys or any(not key or key != key.strip() for key in self.keys):
            raise ValueError("keys must be non-empty strings without surrounding whitespace")
        if self.render_seconds < 0:
            raise ValueError("render_seconds must be >= 0")
        for name in ("fail_rate", "fault_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("rate_limit must be > 0 requests per second")
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be >= 1")
        if self.asset_ttl_seconds < 0:
            raise ValueError("asset_ttl_seconds must be >= 0")
