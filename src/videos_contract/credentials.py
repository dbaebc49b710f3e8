"""Credentials: where an HTTP exchange carries one, how one is shown, how it is blanked.

The one place for these rules: the client's error messages, the audit's relay and reports,
the proxy's lines and reports and the cassette recorder all use it, so a value blanked in
one artefact is blanked in every other. Standard library only.

- `CREDENTIAL_HEADERS` and `CREDENTIAL_QUERY_PARAMETERS` name where credentials travel;
  `values_in_header` and `values_in_query` take the secret strings out of them (a bearer
  token, a Basic pair and its password, every cookie value, an `api-key` header's value).
- `masked_header`, `masked_headers` and `masked_target` write those places with `MASK`
  instead of the values (`Bearer ***` keeps its scheme readable); `bare_url` is a URL's
  origin and path alone (no user, password, query or fragment).
- `Secrets` holds every value seen and blanks them: in text (`secrets(text)`, each value
  becomes `MASK`), in bytes (`secrets.scrub(data)`, each byte of a value becomes `*`, so a
  body keeps its length; `scrub_text` the same in text, `scrub_file` in a file of any size)
  and in streams (`StreamScrubber`, a value cut between two chunks included). It has no cap:
  a long run with many keys blanks all of them. `kept_headers` and `kept_target` note the
  values a request carries and write its headers and target as a record may keep them.
- `mask_key(key)` is how a key may appear at all: its first characters when it is long enough
  for them to say nothing, else `MASK`.

A value shorter than `MIN_SCRUB_LENGTH` is blanked only where it stands alone, between
characters that cannot belong to a key: blanking every `k` of a one-letter key would turn
"broken" into "bro***en" and hide nothing. Where bytes have a structure an edit could break
(media, a cassette's journal), `short=False` leaves such values alone: a match there is
chance, and the same value is masked where it really travelled (headers, query).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

__all__ = [
    "CREDENTIAL_HEADERS",
    "CREDENTIAL_QUERY_PARAMETERS",
    "MASK",
    "MIN_SCRUB_LENGTH",
    "Secrets",
    "StreamScrubber",
    "bare_url",
    "mask_key",
    "masked_header",
    "masked_headers",
    "masked_target",
    "masked_url",
    "values_in_header",
    "values_in_query",
]

#: Headers whose whole value is a credential.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
#: Query parameters some clients put a key in.
CREDENTIAL_QUERY_PARAMETERS = frozenset({"api-key", "api_key", "apikey", "key", "access_token"})
#: What a blanked credential reads as, wherever it is written.
MASK = "***"
#: Values at least this long are blanked wherever they occur; shorter ones only where they
#: stand alone (see the module's text).
MIN_SCRUB_LENGTH = 6
#: A key shown by `mask_key` keeps this many leading characters, when it has at least
#: `_SHOWN_FROM` of them.
_SHOWN_PREFIX = 6
_SHOWN_FROM = 16
#: Characters a key can be made of: a short value next to one of them is part of a longer
#: word, not the value itself (`=` only after it: before it, `=` ends a name, as in `key=`).
_KEY_CHARACTERS = rb"A-Za-z0-9\-_.~+/"
_AUTHORIZATION = frozenset({"authorization", "proxy-authorization"})
# `scheme://user:password@`: the password part of a URL's user information.
_USERINFO_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*):[^@/?#]*@")
# `?name=value` or `&name=value` for a credential query parameter (or a password).
_QUERY_NAMES = "|".join(re.escape(n) for n in sorted(CREDENTIAL_QUERY_PARAMETERS | {"password"}))
_QUERY_CREDENTIAL = re.compile(rf"([?&](?:{_QUERY_NAMES})=)[^&#]*", re.IGNORECASE)


def _basic_values(token: str) -> list[str]:
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return []
    user, _, password = decoded.partition(":")
    return [decoded, password] if password else [decoded, user]


def values_in_header(name: str, value: str) -> list[str]:
    """The secret strings inside one header's value (none for a header that carries none)."""
    lowered = name.lower()
    if lowered not in CREDENTIAL_HEADERS:
        return []
    value = value.strip()
    values = [value]
    if lowered in {"cookie", "set-cookie"}:
        # A Cookie header holds pairs; a Set-Cookie's first pair is the cookie, the rest are
        # its attributes.
        pairs = value.split(";") if lowered == "cookie" else value.split(";", 1)[:1]
        for pair in pairs:
            if "=" in pair:
                values.append(pair.split("=", 1)[1].strip().strip('"'))
        return [v for v in values if v]
    scheme, _, token = value.partition(" ")
    token = token.strip()
    if token:
        values.append(token)
        if scheme.lower() == "basic":
            values.extend(_basic_values(token))
    return [v for v in values if v]


def values_in_query(target: str) -> list[str]:
    """The values of the credential query parameters of a request target."""
    _, question, query = target.partition("?")
    if not question:
        return []
    return [
        value
        for name, value in parse_qsl(query.partition("#")[0], keep_blank_values=True)
        if name.lower() in CREDENTIAL_QUERY_PARAMETERS and value
    ]


def masked_header(name: str, value: str) -> str:
    """The value as it may be written: `MASK` for a credential header (an authorization keeps
    its scheme: `Bearer ***`), the value itself for any other header."""
    lowered = name.lower()
    if lowered not in CREDENTIAL_HEADERS:
        return value
    if lowered in _AUTHORIZATION:
        scheme, _, token = value.strip().partition(" ")
        if token.strip():
            return f"{scheme} {MASK}"
    return MASK


def masked_headers(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The headers with every credential header's value masked."""
    return tuple((name, masked_header(name, value)) for name, value in headers)


def masked_target(target: str) -> str:
    """A request target with each credential query parameter's value written as `MASK`."""
    path, question, query = target.partition("?")
    if not question:
        return target
    query, hash_mark, fragment = query.partition("#")
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in CREDENTIAL_QUERY_PARAMETERS for name, _ in pairs):
        return target
    masked = "&".join(
        f"{quote(name, safe='')}="
        + (MASK if name.lower() in CREDENTIAL_QUERY_PARAMETERS else quote(value, safe=""))
        for name, value in pairs
    )
    return f"{path}?{masked}{hash_mark}{fragment}"


def masked_url(text: str) -> str:
    """A URL (or what was given as one) with the password of its user part and the values of
    its credential query parameters written as `MASK`; the rest as it was."""
    text = _USERINFO_PASSWORD.sub(lambda found: f"{found.group(1)}:{MASK}@", text)
    return _QUERY_CREDENTIAL.sub(lambda found: f"{found.group(1)}{MASK}", text)


def bare_url(url: str) -> str:
    """The origin and path of `url` without user, password, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def mask_key(key: str) -> str:
    """How a key may be shown: `sk-gat…` when it is long enough for six characters to say
    nothing of it, else `MASK`."""
    return f"{key[:_SHOWN_PREFIX]}…" if len(key) >= _SHOWN_FROM else MASK


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


class Secrets:
    """Every credential value seen so far, and the one way to blank them.

    Calling it on a text returns the text with each value replaced by `MASK`. Safe to feed
    and use from several threads; `generation` counts the values blanked wherever they
    occur (those of `MIN_SCRUB_LENGTH` or more), so a writer knows when to scrub again.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._long: list[bytes] = []  # longest first, so a value inside another goes last
        self._short: re.Pattern[bytes] | None = None
        self._short_values: list[bytes] = []
        self._known: set[str] = set()
        self.generation = 0
        for value in values:
            self.add(value)

    def __contains__(self, value: object) -> bool:
        return value in self._known

    def __len__(self) -> int:
        return len(self._known)

    def add(self, value: str) -> None:
        """Remember one value (empty values and repeats are ignored)."""
        if not value or value in self._known:
            return
        raw = _encoded(value)
        with self._lock:
            if value in self._known:
                return
            self._known.add(value)
            if len(raw) >= MIN_SCRUB_LENGTH:
                self._long = sorted([*self._long, raw], key=len, reverse=True)
                self.generation += 1
            else:
                self._short_values = sorted([*self._short_values, raw], key=len, reverse=True)
                alternatives = b"|".join(re.escape(v) for v in self._short_values)
                alone = rb"(?<![%s])(?:%s)(?![%s])"
                self._short = re.compile(
                    alone % (_KEY_CHARACTERS, alternatives, _KEY_CHARACTERS + b"=")
                )

    def add_header(self, name: str, value: str) -> None:
        """Remember the values a header carries (nothing for a header that carries none)."""
        for secret in values_in_header(name, value):
            self.add(secret)

    def add_target(self, target: str) -> None:
        """Remember the credential query values of a request target."""
        for secret in values_in_query(target):
            self.add(secret)

    def values(self) -> list[str]:
        """Every value remembered, sorted."""
        with self._lock:
            return sorted(self._known)

    @property
    def longest(self) -> int:
        """The length in bytes of the longest value blanked everywhere (0 for none)."""
        long = self._long
        return len(long[0]) if long else 0

    def scrub(self, data: bytes, *, short: bool = True) -> bytes:
        """`data` with each byte of each value replaced by `*` (its length unchanged)."""
        for value in self._long:
            if value in data:
                data = data.replace(value, b"*" * len(value))
        pattern = self._short
        if pattern is not None and short:
            data = pattern.sub(lambda found: b"*" * len(found.group()), data)
        return data

    def scrub_text(self, text: str, *, short: bool = True) -> str:
        """`text` with each character of each value replaced by `*`, as `scrub` does bytes."""
        return _decoded(self.scrub(_encoded(text), short=short))

    def kept_headers(
        self, headers: Sequence[tuple[str, str]], *, short: bool = True
    ) -> list[tuple[str, str]]:
        """Note the values `headers` carry, then write them as a record may keep them: a
        credential header masked (`masked_header`), any other value scrubbed."""
        for name, value in headers:
            self.add_header(name, value)
        return [
            (
                name,
                masked_header(name, value)
                if name.lower() in CREDENTIAL_HEADERS
                else self.scrub_text(value, short=short),
            )
            for name, value in headers
        ]

    def kept_target(self, target: str, *, short: bool = True) -> str:
        """Note a request target's credential query values, then write it masked and
        scrubbed, as a record may keep it."""
        self.add_target(target)
        return self.scrub_text(masked_target(target), short=short)

    def scrub_file(self, path: Path, *, short: bool = True) -> str:
        """Blank the values in a file of any content and size, in place, streamed (each byte
        of a value becomes `*`, so its length stays); the sha256 of what it now holds."""
        scrubber = StreamScrubber(self, short=short)
        digest = hashlib.sha256()
        temporary = path.with_name(path.name + ".tmp")
        with open(path, "rb") as source, open(temporary, "wb") as target:
            while chunk := source.read(1 << 20):
                out = scrubber.feed(chunk)
                digest.update(out)
                target.write(out)
            out = scrubber.flush()
            digest.update(out)
            target.write(out)
        os.replace(temporary, path)
        return digest.hexdigest()

    def __call__(self, text: str) -> str:
        """`text` with each value replaced by `MASK`."""
        if not self._known:
            return text
        for value in self._long:
            plain = _decoded(value)
            if plain in text:
                text = text.replace(plain, MASK)
        short = self._short
        if short is not None:
            text = _decoded(short.sub(MASK.encode(), _encoded(text)))
        return text

    def file(self, path: Path) -> None:
        """Blank the values in a text file, in place (a file that is no text is left alone)."""
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            return
        cleaned = self(text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")


class StreamScrubber:
    """Blanks `secrets` in a stream of chunks, a value cut between two chunks included.

    It holds back the last bytes of each chunk that could begin a value until the next chunk
    or `flush`.
    """

    def __init__(self, secrets: Secrets, *, short: bool = True) -> None:
        self._secrets = secrets
        self._short = short
        self._held = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._secrets.scrub(self._held + chunk, short=self._short)
        # A value may begin in the last `longest - 1` bytes: they wait, already scrubbed, for
        # the bytes that complete it (a short value's neighbour included).
        keep = max(self._secrets.longest - 1, MIN_SCRUB_LENGTH) if len(self._secrets) else 0
        if keep == 0:
            self._held = b""
            return data
        self._held = data[-keep:]
        return data[:-keep]

    def flush(self) -> bytes:
        data, self._held = self._held, b""
        return self._secrets.scrub(data, short=self._short)
