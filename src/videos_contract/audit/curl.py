"""A `curl` command that sends the same bytes again, with the key left to the environment.

The key is never in the command: it reads `$VIDEOS_API_KEY`, so the reproduction can be pasted
into a report or a ticket as is.
"""

from __future__ import annotations

import base64
import shlex

from videos_contract.audit.results import Exchange
from videos_contract.protocol import KEY_ENV

__all__ = ["KEY_VARIABLE", "to_curl"]

KEY_VARIABLE = KEY_ENV
_INLINE_BODY_LIMIT = 2000


def _quote(text: str) -> str:
    """Shell quoting that keeps exact bytes: ANSI-C `$'...'` when control characters occur."""
    if text.isprintable():
        return shlex.quote(text)
    escaped = []
    for char in text:
        if char in "\\'":
            escaped.append("\\" + char)
        elif char == "\r":
            escaped.append("\\r")
        elif char == "\n":
            escaped.append("\\n")
        elif not char.isprintable():
            escaped.append("".join(f"\\x{byte:02x}" for byte in char.encode()))
        else:
            escaped.append(char)
    return "$'" + "".join(escaped) + "'"


def to_curl(exchange: Exchange) -> str:
    """The reproduction of one exchange; binary or long bodies travel base64-encoded."""
    parts = ["curl", "-sS", "-X", exchange.method, shlex.quote(exchange.url)]
    for name, value in exchange.headers:
        if name.lower() == "authorization":
            if value.lower().startswith("bearer "):
                # Only the audit's own key is replaced; a deliberately wrong one is shown.
                shown = value.split(" ", 1)[1]
                if shown.startswith("sk-audit-") or shown == "***":
                    parts += ["-H", f'"Authorization: Bearer ${KEY_VARIABLE}"']
                    continue
            if value == "[Filtered]":  # the fuzzer's own masking of the placeholder
                parts += ["-H", f'"Authorization: Bearer ${KEY_VARIABLE}"']
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
            continue
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if not exchange.body:
        return " ".join(parts)
    try:
        text = exchange.body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(text) <= _INLINE_BODY_LIMIT:
        return " ".join([*parts, "--data-binary", _quote(text)])
    encoded = base64.b64encode(exchange.body).decode()
    return f"echo {encoded} | base64 -d | " + " ".join([*parts, "--data-binary", "@-"])
