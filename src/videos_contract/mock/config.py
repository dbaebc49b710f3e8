"""How a mock server behaves: keys, render time, failure and fault rates, limits."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_KEY",
    "MockConfig",
    "config_from_env",
    "config_to_env",
    "is_postgres_url",
]

# Worker processes read their configuration from this variable (JSON), so that keys never
# travel on a command line.
CONFIG_ENV = "VIDEOS_MOCK_CONFIG"

# Matches the gateway's key pattern (`x-key-pattern` in openapi.yaml), so that clients which
# check the key's shape accept it; it opens nothing but a local mock.
DEFAULT_KEY = "sk-gateway-localmock"

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(text: str) -> bool:
    """Whether a store named on the command line is a PostgreSQL database (else a file)."""
    return text.lower().startswith(_POSTGRES_SCHEMES)


@dataclass(frozen=True)
class MockConfig:
    """Everything a mock server is started with; every field has a usable default.

    `render_seconds` is how long a job takes from `queued` to a final status; `seed` makes ids,
    failure choices and faults repeat from run to run; `fail_rate` is the share of jobs that
    fail on their own (a prompt containing `[fail]` always fails); `fault_rate` the share of
    requests answered 500/503 before any work; `rate_limit` requests per second per key before
    429; `defects` names deliberately broken behaviours from `videos_contract.mock.defects`.

    `store_path` keeps jobs in a SQLite file instead of memory (several processes may share
    it); `store_url` in a PostgreSQL database (`postgresql://...`) that mocks on several hosts
    share, each process with at most `store_pool_size` connections, a request waiting up to
    `store_wait_seconds` for one (the URL may hold a password, so it is left out of `repr`);
    `prune_after_seconds` is how long a job stays retrievable after its assets expire
    (or after it failed) before it is removed for good. Limits that protect the server:
    `max_parts` (multipart parts), `max_header_bytes` (one request's head),
    `body_timeout_seconds` (time to receive a whole body). Client-testing faults besides
    `fault_rate`: `drop_rate` (answers cut off mid-body) and `slow_rate` (answers held back
    `slow_seconds`). `replay_path` serves a cassette's recorded jobs first
    (`videos_contract.mock.replay`), `replay_speed` times faster than recorded; with
    `replay_strict` a request the cassette does not hold is refused instead of answered.

    `accept_unlisted_models` serves a model the spec does not list with the generic rules
    (`OtherVideoRequest`), for a model released after the contract; by default such a model
    is refused with 400 and `param: model`, as a server that does not serve it answers.

    `default_model` is the model a create without `model` takes, as the gateway's older pages
    said; by default (None) such a create is refused with 400 and `param: model`, as the
    newest page marks `model` required.
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
    store_path: Path | None = None
    store_url: str | None = field(default=None, repr=False)
    store_pool_size: int = 10
    store_wait_seconds: float = 10.0
    prune_after_seconds: float = 3600.0
    max_parts: int = 64
    max_header_bytes: int = 64 * 1024
    body_timeout_seconds: float = 30.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    replay_path: Path | None = None
    replay_speed: float = 1.0
    replay_strict: bool = False
    accept_unlisted_models: bool = False
    default_model: str | None = None

    def __post_init__(self) -> None:
        if not self.keys or any(not key or key != key.strip() for key in self.keys):
            raise ValueError("keys must be non-empty strings without surrounding whitespace")
        if self.render_seconds < 0:
            raise ValueError("render_seconds must be >= 0")
        for name in ("fail_rate", "fault_rate", "drop_rate", "slow_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("rate_limit must be > 0 requests per second")
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be >= 1")
        for name in ("asset_ttl_seconds", "prune_after_seconds", "slow_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.max_parts < 1:
            raise ValueError("max_parts must be >= 1")
        if self.max_header_bytes < 1024:
            raise ValueError("max_header_bytes must be >= 1024")
        if self.body_timeout_seconds <= 0:
            raise ValueError("body_timeout_seconds must be > 0")
        if self.store_url is not None:
            if self.store_path is not None:
                raise ValueError("store_path and store_url name two stores: give one")
            if not is_postgres_url(self.store_url):
                raise ValueError("store_url must be a postgresql:// URL")
        if self.store_pool_size < 1:
            raise ValueError("store_pool_size must be >= 1")
        if self.store_wait_seconds < 0:
            raise ValueError("store_wait_seconds must be >= 0")
        if self.default_model is not None and (
            not self.default_model or self.default_model != self.default_model.strip()
        ):
            raise ValueError("default_model must be a model name without surrounding whitespace")
        if not 0 < self.replay_speed < float("inf"):
            raise ValueError("replay_speed must be a finite number > 0")

    @property
    def shared_store(self) -> bool:
        """Whether jobs live in a store that other processes (or hosts) may share."""
        return self.store_path is not None or self.store_url is not None


def config_to_env(config: MockConfig) -> str:
    """The configuration as JSON, for `CONFIG_ENV` in worker processes."""
    data: dict[str, Any] = asdict(config)
    for name in ("spec_path", "store_path", "replay_path"):
        value = data[name]
        data[name] = None if value is None else str(value)
    return json.dumps(data)


def config_from_env(environ: dict[str, str] | None = None) -> MockConfig:
    """The configuration a parent process put in `CONFIG_ENV` (defaults when absent)."""
    raw = (os.environ if environ is None else environ).get(CONFIG_ENV)
    if not raw:
        return MockConfig()
    data = json.loads(raw)
    known = {field.name for field in fields(MockConfig)}
    values: dict[str, Any] = {name: value for name, value in data.items() if name in known}
    for name in ("keys", "defects"):
        if name in values:
            values[name] = tuple(values[name])
    for name in ("spec_path", "store_path", "replay_path"):
        if values.get(name) is not None:
            values[name] = Path(values[name])
    return MockConfig(**values)
