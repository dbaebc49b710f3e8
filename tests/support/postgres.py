"""The machine's PostgreSQL server for the tests of the shared job store (the helper is the
benchmark's, `videos_contract.bench.localpg`)."""

from __future__ import annotations

from videos_contract.bench.localpg import LocalPostgres, Unavailable, local_postgres

__all__ = ["GROUP", "LocalPostgres", "Unavailable", "local_postgres"]

# Every test that uses the server runs in this xdist group: one worker, one after another, so
# that the test that restarts the server disturbs no other.
GROUP = "postgres"
