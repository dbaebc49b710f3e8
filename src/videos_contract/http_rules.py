"""HTTP rules every layer applies the same way: one answer to each question, standard library only.

- `retry_after_seconds`: a `Retry-After` value (RFC 9110 §10.2.3) in seconds, or None when it
  is absent or unusable (`nan`, `inf`, a negative number, a date without a zone).
- `HOP_BY_HOP` and `hop_by_hop`: the headers a relay never passes on (RFC 9110 §7.6.1, with
  the names the `Connection` header lists).
- `error_document` and `error_bytes`: the API's error shape, `{"error": {message, type,
  param, code}}`, for every answer one of our servers makes itself.
- `MAX_ANSWER_BODY`: how much of an answer that is not media is read before it is refused.
- `media_type` and `is_json`: the media type of a `Content-Type` value, and whether it is JSON
  (`application/json` or any `+json` type, RFC 6839).
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Iterable

__all__ = [
    "HOP_BY_HOP",
    "MAX_ANSWER_BODY",
    "error_bytes",
    "error_document",
    "hop_by_hop",
    "is_json",
    "media_type",
    "retry_after_seconds",
]

#: An answer that is not media (JSON, an error) is read up to this many bytes; the client,
#: the audit and the proxy refuse a larger one instead of holding it.
MAX_ANSWER_BODY = 8 * 1024 * 1024

#: Headers that describe one connection, never passed on by a relay (RFC 9110 §7.6.1; the
#: `proxy-*` pair and `keep-alive` as RFC 9110 and common practice treat them).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def hop_by_hop(headers: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The lower-case names not to pass on: `HOP_BY_HOP` and those `Connection` lists."""
    listed = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
        if token.strip()
    }
    return HOP_BY_HOP | listed


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` in seconds: a number of seconds, or an HTTP date (RFC 9110) counted from
    `now` (the wall clock by default; a date in the past means 0). None when unusable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None  # RFC 9110 dates are GMT; a date without a zone is not one
        moment = time.time() if now is None else now
        return max(0.0, when.timestamp() - moment)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def error_document(
    message: str, error_type: str, *, param: str | None = None, code: str | None = None
) -> dict[str, dict[str, str | None]]:
    """The API's error shape, as every answer our servers make themselves carries it."""
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def error_bytes(
    message: str, error_type: str, *, param: str | None = None, code: str | None = None
) -> bytes:
    """`error_document` as the JSON bytes of a body."""
    return json.dumps(error_document(message, error_type, param=param, code=code)).encode()


def media_type(content_type: str | None) -> str:
    """The media type of a `Content-Type` value, lower case, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json(content_type: str | None) -> bool:
    """Whether a `Content-Type` value names JSON: `application/json` or a `+json` type."""
    kind = media_type(content_type)
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )
