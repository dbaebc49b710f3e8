"""Fetch a documentation source by URL: bounded in size and time, redirects followed only as far
as is safe, and every failure one `FetchError` that says in a few words what went wrong.

The sources `docs-check` reads are pages on someone else's server: a documentation site, a
code host. What such a server sends is bounded here before anything reads it:

- only `http` and `https` addresses are fetched, and an address with a user name or password
  in it is refused (a settings file would otherwise hold a credential);
- the whole fetch, redirects included, has one deadline: every socket read waits at most until
  it (`videos_contract.sockets`), so a server that answers one byte a second is cut off too;
- at most `MAX_REDIRECTS` redirects are followed, each only to `http` or `https`, never from
  `https` down to `http`, and never from a public host to this machine or a private network
  named by address (`127.0.0.1`, `169.254.169.254`, `localhost`);
- the body is read up to a cap (`http_rules.MAX_ANSWER_BODY`, the cap on answers that are not
  media); a declared or actual size above it is refused without reading further. The cap
  counts decoded bytes, so a compressed body cannot expand past it;
- the body must be text in the charset the server names (UTF-8 when it names none), without
  NUL characters.

Text from the server (a reason phrase, a `Location`) is quoted in messages shortened, never
sanitised here: whoever prints a message puts it through `videos_contract.terminal`.
"""

from __future__ import annotations

import codecs
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from videos_contract.docs.kinds import DEFAULT_TIMEOUT
from videos_contract.http_rules import MAX_ANSWER_BODY, media_type
from videos_contract.sockets import reads_until, transport

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_PAGE_BYTES",
    "MAX_REDIRECTS",
    "REASONS",
    "FetchError",
    "Fetched",
    "check_address",
    "fetch",
]

MAX_PAGE_BYTES = MAX_ANSWER_BODY
MAX_REDIRECTS = 5
SCHEMES = ("http", "https")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Media types that are never a page, whatever their bytes decode to. Not among them:
# `application/octet-stream`, which plain servers give every file they do not know (`.mdx`,
# `.ts`); there the bytes decide.
_BINARY_PREFIXES = ("image/", "video/", "audio/", "font/")
_BINARY_TYPES = frozenset({"application/pdf", "application/zip", "application/gzip"})
_ACCEPT = "text/markdown, text/plain;q=0.9, text/html;q=0.8, */*;q=0.1"

# What failed, one word each: the per-source report and the JSON output carry it.
REASONS = (
    "address",  # not an http(s) URL, or one with a user name or password
    "dns",  # the host name does not resolve
    "connect",  # refused, unreachable, reset, or an answer that breaks HTTP
    "timeout",  # the deadline passed
    "status",  # an answer other than 2xx (404, 500, ...)
    "redirect",  # a redirect to somewhere unsafe, without a Location, or too many
    "too-big",  # the body is larger than the cap
    "not-text",  # binary, or not in the charset the server names
    "kind",  # fetched, but not the kind of source expected (set by `docs.sources`)
)


class FetchError(Exception):
    """A source that could not be fetched or read: `reason` (one of `REASONS`) and a message
    that names the address and what failed, on one line."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    """A fetched source: the address asked for, the one the text came from, and the text."""

    url: str
    final_url: str
    text: str
    media_type: str


def _shown(value: object, limit: int = 120) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_address(url: str) -> httpx.URL:
    """`url` as an `httpx.URL`, or `FetchError("address")`: only http(s) URLs with a host and
    without a user name or password are fetched."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError("address", f"{_shown(url)}: not a URL ({exc})") from None
    if parsed.scheme not in SCHEMES:
        scheme = f"{parsed.scheme}:" if parsed.scheme else "no scheme"
        raise FetchError(
            "address", f"{_shown(url)}: {scheme} refused; only http and https URLs are fetched"
        )
    if not parsed.host:
        raise FetchError("address", f"{_shown(url)}: the URL names no host")
    if parsed.userinfo:
        raise FetchError(
            "address",
            f"{parsed.scheme}://{parsed.host}/...: a user name or password in the URL is refused",
        )
    return parsed


def _redirect_target(at: httpx.URL, status: int, location: str | None) -> httpx.URL:
    if not location:
        raise FetchError("redirect", f"{at}: a {status} redirect without a Location header")
    # The scheme first: httpx cannot even parse some addresses (`javascript:alert(1)`).
    scheme = urlsplit(location).scheme.lower()
    try:
        target = at.join(location)
    except httpx.InvalidURL:
        target = None
    if (scheme and scheme not in SCHEMES) or (target is not None and target.scheme not in SCHEMES):
        raise FetchError(
            "redirect",
            f"{at}: a redirect to a {scheme or 'scheme-less'}: address refused "
            f"({_shown(location)!r}); only http and https are followed",
        )
    if target is None:
        raise FetchError("redirect", f"{at}: a redirect to {_shown(location)!r}, not a URL")
    if at.scheme == "https" and target.scheme == "http":
        raise FetchError(
            "redirect", f"{at}: a redirect from https down to http refused ({_shown(target)})"
        )
    if target.userinfo:
        raise FetchError("redirect", f"{at}: a redirect to an address with a password refused")
    if _internal(target.host) and not _internal(at.host):
        raise FetchError(
            "redirect",
            f"{at}: a redirect from a public host to an internal address refused "
            f"({_shown(target.host, 60)})",
        )
    return target


def _internal(host: str) -> bool:
    """Whether `host` names this machine or a private network by itself (`localhost`, a
    loopback, private, link-local or unspecified IP literal). A name that resolves to such an
    address is not caught here."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
    )


def _connect_reason(exc: BaseException) -> str:
    """`dns` when a name lookup failed somewhere in the chain of causes, else `connect`."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "dns"
        seen = seen.__cause__ or seen.__context__
    return "connect"


def _decode(at: httpx.URL, body: bytes, content_type: str | None) -> str:
    kind = media_type(content_type)
    if kind.startswith(_BINARY_PREFIXES) or kind in _BINARY_TYPES:
        raise FetchError("not-text", f"{at}: the answer is {_shown(kind, 60)}, not a page")
    charset = "utf-8"
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        codecs.lookup(charset)
    except LookupError:
        raise FetchError("not-text", f"{at}: unknown charset {_shown(charset, 40)!r}") from None
    try:
        text = body.decode(charset)
    except UnicodeDecodeError:
        raise FetchError("not-text", f"{at}: the answer is not {charset} text") from None
    if "\x00" in text:
        raise FetchError("not-text", f"{at}: the answer holds NUL characters, not a page")
    return text


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_PAGE_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """GET `url` and return its text, or raise `FetchError` saying what failed."""
    current = check_address(url)
    deadline = time.monotonic() + timeout
    limits = httpx.Timeout(timeout)

    def refuse_unsafe_redirects(answer: httpx.Response) -> None:
        # Before httpx builds the next request from the Location (which it does even when
        # not following it, and which fails on addresses it cannot parse).
        if answer.status_code in _REDIRECT_STATUSES:
            _redirect_target(answer.url, answer.status_code, answer.headers.get("location"))

    hooks = {"response": [refuse_unsafe_redirects]}
    with httpx.Client(
        transport=transport(), timeout=limits, follow_redirects=False, event_hooks=hooks
    ) as client:
        for _ in range(max_redirects + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise FetchError("timeout", f"{url}: no answer within {timeout:g} s")
            try:
                with (
                    reads_until(deadline),
                    client.stream(
                        "GET",
                        current,
                        headers={"Accept": _ACCEPT},
                        timeout=httpx.Timeout(left),
                    ) as answer,
                ):
                    if answer.status_code in _REDIRECT_STATUSES:
                        location = answer.headers.get("location")
                        current = _redirect_target(current, answer.status_code, location)
                        continue
                    if not 200 <= answer.status_code < 300:
                        phrase = _shown(answer.reason_phrase, 60)
                        raise FetchError(
                            "status", f"{current}: HTTP {answer.status_code} {phrase}".rstrip()
                        )
                    body = _read(current, answer, max_bytes, deadline, timeout)
                    text = _decode(current, body, answer.headers.get("content-type"))
                    kind = media_type(answer.headers.get("content-type"))
                    return Fetched(url, str(current), text, kind)
            except httpx.TimeoutException:
                raise FetchError("timeout", f"{current}: no answer within {timeout:g} s") from None
            except httpx.ConnectError as exc:
                reason = _connect_reason(exc)
                what = "the host name does not resolve" if reason == "dns" else "cannot connect"
                raise FetchError(reason, f"{current}: {what} ({_shown(exc, 80)})") from None
            except httpx.HTTPError as exc:
                raise FetchError(
                    "connect", f"{current}: the answer broke off or is not HTTP ({_shown(exc, 80)})"
                ) from None
    raise FetchError("redirect", f"{url}: more than {max_redirects} redirects")


def _read(
    at: httpx.URL, answer: httpx.Response, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    declared = answer.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            "too-big",
            f"{at}: the answer declares {int(declared):,} bytes; the cap is {max_bytes:,}",
        )
    body = bytearray()
    for chunk in answer.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(
                "too-big", f"{at}: the answer is larger than the cap of {max_bytes:,} bytes"
            )
        if time.monotonic() > deadline:
            raise FetchError("timeout", f"{at}: the answer did not end within {timeout:g} s")
    return bytes(body)
