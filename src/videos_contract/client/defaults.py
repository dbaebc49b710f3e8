"""The client's default limits, in a module of plain numbers: a command line can show them in
its help without loading httpx and the generated client."""

from __future__ import annotations

from videos_contract.http_rules import MAX_ANSWER_BODY
from videos_contract.protocol import KEY_ENV, URL_ENV

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_INTERVAL",
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_TIMEOUT",
    "KEY_ENV",
    "URL_ENV",
]

# The overall deadline of a call that names none: a retrieve, list or delete answers in well
# under a second; this leaves room for retries and a slow network, never for a trickle.
DEFAULT_CALL_TIMEOUT = 120.0
# The largest JSON answer read: a Video is about 1 kB and a full list page (100 videos) about
# 100 kB, so 8 MiB is far above any real answer and far below what would hurt.
DEFAULT_MAX_BODY = MAX_ANSWER_BODY
# `wait`: seconds between polls when the server advises none, and how long to wait at most.
DEFAULT_INTERVAL = 2.0
DEFAULT_TIMEOUT = 600.0
# An hour: a long clip over a slow link, never a server trickling for ever.
DEFAULT_DOWNLOAD_TIMEOUT = 3600.0
# Far above any clip the API makes (a 12 s 1792x1024 MP4 is tens of MB), far below a full disk.
DEFAULT_MAX_DOWNLOAD_BYTES = 8 * 1024**3
