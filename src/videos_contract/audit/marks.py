"""The names the audit's relay and its callers agree on: the placeholder key callers send and
the headers the relay adds to an answer; and the fuzzer's optional report files. Constants
only, so that what reads them (the checks, and so `audit --help`, which lists them) does not
load the relay with asyncio and h11, nor the fuzzer."""

from __future__ import annotations

__all__ = [
    "BUDGET_MARK",
    "EXTRA_REPORTS",
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

# Reports the fuzzer writes besides its NDJSON event stream (the one the audit reads), each
# only when asked for (`--fuzzer-report`): a standard audit's HAR and VCR files hold every
# exchange again (about 5 MB each) and cost schemathesis 0.8 s of a 6 s run. Format: file.
EXTRA_REPORTS: dict[str, str] = {
    "junit": "junit.xml",
    "har": "traffic.har",
    "vcr": "cassette.yaml",
}
