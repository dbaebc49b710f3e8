"""The bounds of one proxy and where its reports go: what `proxy --help` shows as defaults,
kept apart from the ASGI app so that showing them does not load the relay (asyncio, h11)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from videos_contract.audit.answers import DEFAULT_MAX_BODY, DEFAULT_REQUEST_TIMEOUT

__all__ = ["DEFAULT_MAX_REQUEST_BODY", "DEFAULT_MAX_SPOOL", "DEFAULT_REPORT_DIR", "ProxyLimits"]

# Request bodies are forwarded as they come; this much is kept to check (a create with a
# reference image is a few MiB).
DEFAULT_MAX_REQUEST_BODY = 32 * 1024 * 1024
# An asset up to this size is spooled to disk and decoded; a larger one still streams through.
DEFAULT_MAX_SPOOL = 4 * 1024 * 1024 * 1024
DEFAULT_REPORT_DIR = Path("reports") / "proxy"


@dataclass(frozen=True)
class ProxyLimits:
    """The bounds of one proxy (see `videos_contract.proxy.app`'s docstring)."""

    max_body: int = DEFAULT_MAX_BODY
    max_spool: int = DEFAULT_MAX_SPOOL
    max_request_body: int = DEFAULT_MAX_REQUEST_BODY
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    connect_timeout: float = 10.0
