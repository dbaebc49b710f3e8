"""The names the audit's relay and its callers agree on: the placeholder key callers send and
the headers the relay adds to an answer. Constants only, so that what reads them (the checks,
and so `audit --help`, which lists them) does not load the relay with asyncio and h11."""

from __future__ import annotations

__all__ = [
    "BUDGET_MARK",
    "PLACEHOLDER_KEY",
    "REFUSED_MARK",
    "UPSTREAM_ENCODING_HEADER",
    "UPSTREAM_ERROR_MARK",
    "UPSTREAM_LENGTH_HEADER",
]

# What callers put in `Authorization: Bearer ...`; not a secret, never sent upstream.
PLACEHOLDER_KEY = "sk-audit-placeholder"
# Marks an answer the relay made itself, so that the engine never mistakes it for the server's.
BUDGET_MARK = "x-videos-contract-skipped"
UPSTREAM_ERROR_MARK = "x-videos-contract-upstream-error"
# Marks an answer the relay refused to pass on (its value says why); its body says what came.
REFUSED_MARK = "x-videos-contract-refused"
# The server's own Content-Length and Content-Encoding, before the relay rewrote them.
UPSTREAM_LENGTH_HEADER = "x-videos-contract-upstream-content-length"
UPSTREAM_ENCODING_HEADER = "x-videos-contract-upstream-content-encoding"
