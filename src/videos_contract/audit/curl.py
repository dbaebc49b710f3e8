"""A `curl` command that sends the same request again, with the key left to the environment.

The key is never in the command: it reads `$VIDEOS_API_KEY`, so the reproduction can be pasted
into a report or a ticket as is. A well-formed multipart body is shown as readable `-F` fields
(file parts are written to a file first); any other body is sent as the exact bytes.
"""

from __future__ import annotations

import base64
import re
import shlex
from dataclasses import dataclass

from videos_contract.audit.results import Exchange
from videos_contract.credentials import MASK
from videos_contract.protocol import KEY_ENV

__all__ = ["KEY_VARIABLE", "to_curl"]

KEY_VARIABLE = KEY_ENV
_INLINE_BODY_LIMIT = 2000
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
# Names `-F` can carry without quoting rules of its own (it splits on `;` and `=`).
_FORM_SAFE = re.compile(r"[A-Za-z0-9_.\[\]-]+")
_FILENAME_SAFE = re.compile(r"[A-Za-z0-9_. -]+")
_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", re.IGNORECASE)


@dataclass(frozen=True)
class _Part:
    name: str
    value: bytes
    filename: str | None
    media_type: str | None


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


def _serialise(parts: list[_Part], boundary: bytes) -> bytes:
    out = b""
    for part in parts:
        disposition = f'form-data; name="{part.name}"'
        if part.filename is not None:
            disposition += f'; filename="{part.filename}"'
        out += b"--" + boundary + b"\r\nContent-Disposition: " + disposition.encode() + b"\r\n"
        if part.media_type is not None:
            out += b"Content-Type: " + part.media_type.encode() + b"\r\n"
        out += b"\r\n" + part.value + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def _form_parts(exchange: Exchange) -> list[_Part] | None:
    """The fields of a multipart body that `-F` can send again, or None.

    The body is split on its boundary and rebuilt from the parts found; only when the rebuilt
    bytes equal the sent ones (so nothing unusual hides in the framing) and every name, file
    name and media type is plain are the fields shown as `-F`.
    """
    ctype = next((v for k, v in exchange.headers if k.lower() == "content-type"), "")
    if not ctype.lower().startswith("multipart/form-data"):
        return None
    found = _BOUNDARY.search(ctype)
    if found is None:
        return None
    boundary = found.group(1).encode("latin-1")
    delimiter = b"--" + boundary
    chunks = exchange.body.split(delimiter)
    if len(chunks) < 3 or chunks[0] or chunks[-1] not in (b"--\r\n", b"--"):
        return None
    parts: list[_Part] = []
    for chunk in chunks[1:-1]:
        head, sep, rest = chunk.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"\r\n") or not rest.endswith(b"\r\n"):
            return None
        fields: dict[str, str] = {}
        for line in head[2:].split(b"\r\n"):
            key, colon, value = line.decode("latin-1").partition(":")
            fields[key.strip().lower()] = value.strip() if colon else ""
        if set(fields) - {"content-disposition", "content-type"}:
            return None
        match = re.fullmatch(
            r'form-data; name="([^"]*)"(?:; filename="([^"]*)")?', fields["content-disposition"]
        ) if "content-disposition" in fields else None  # fmt: skip
        if match is None or not _FORM_SAFE.fullmatch(match.group(1)):
            return None
        filename, media = match.group(2), fields.get("content-type")
        if filename is not None and not _FILENAME_SAFE.fullmatch(filename):
            return None
        if media is not None and not _MEDIA_TYPE.fullmatch(media):
            return None
        parts.append(_Part(match.group(1), rest[:-2], filename, media))
    if not parts or _serialise(parts, boundary) != exchange.body.rstrip(b"\r\n") + b"\r\n":
        return None
    return parts


def _form_arguments(parts: list[_Part]) -> tuple[list[str], list[str]]:
    """The `-F` arguments, and the commands that first write the parts that are files."""
    prelude: list[str] = []
    arguments: list[str] = []
    for index, part in enumerate(parts, start=1):
        text: str | None
        try:
            text = part.value.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if part.filename is None and part.media_type is None and text is not None:
            arguments += ["--form-string", _quote(f"{part.name}={text}")]
            continue
        local = f"part-{index}"
        if text is not None and text.isprintable() and len(text) <= _INLINE_BODY_LIMIT:
            prelude.append(f"printf %s {_quote(text)} > {local}")
        else:
            encoded = base64.b64encode(part.value).decode()
            prelude.append(f"echo {encoded} | base64 -d > {local}")
        spec = f"{part.name}={'@' if part.filename is not None else '<'}{local}"
        if part.media_type is not None:
            spec += f";type={part.media_type}"
        if part.filename is not None:
            spec += f";filename={part.filename}"
        arguments += ["-F", shlex.quote(spec)]
    return prelude, arguments


def to_curl(exchange: Exchange) -> str:
    """The reproduction of one exchange: readable `-F` fields for a plain multipart body,
    the exact bytes otherwise (binary or long bodies base64-encoded)."""
    form = _form_parts(exchange) if exchange.body else None
    parts = ["curl", "-sS", "-X", exchange.method, shlex.quote(exchange.url)]
    for name, value in exchange.headers:
        if form is not None and name.lower() in ("content-type", "content-length"):
            continue  # curl writes its own boundary and length for -F
        if name.lower() == "authorization":
            if value.lower().startswith("bearer "):
                # Only the audit's own key is replaced; a deliberately wrong one is shown.
                shown = value.split(" ", 1)[1]
                if shown.startswith("sk-audit-") or shown == MASK:
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
    if form is not None:
        prelude, arguments = _form_arguments(form)
        return " && ".join([*prelude, " ".join([*parts, *arguments])])
    try:
        text = exchange.body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(text) <= _INLINE_BODY_LIMIT:
        return " ".join([*parts, "--data-binary", _quote(text)])
    encoded = base64.b64encode(exchange.body).decode()
    return f"echo {encoded} | base64 -d | " + " ".join([*parts, "--data-binary", "@-"])
