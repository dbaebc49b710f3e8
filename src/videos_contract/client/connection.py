"""Build a generated `AuthenticatedClient` from a URL and key, with the retry transport.

The URL and key come from the arguments or from `VIDEOS_API_URL` / `VIDEOS_API_KEY`, so that
the same code and tests run against the mock or a real gateway.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import httpx
from aihubmix_videos import AuthenticatedClient

from videos_contract.client.errors import ConfigError
from videos_contract.client.retry import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_MAX_BODY,
    RetryPolicy,
    RetryTransport,
)
from videos_contract.protocol import KEY_ENV, URL_ENV

__all__ = ["DEFAULT_TIMEOUT", "KEY_ENV", "URL_ENV", "connect", "normalise_base_url"]

# Renders take minutes but each request is short; a download chunk may be slow to arrive.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def normalise_base_url(url: str) -> str:
    """The server root: the generated paths already start with `/v1`, so a trailing `/v1`
    (as OpenAI SDK users write base URLs) is dropped."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url


def connect(
    url: str | None = None,
    key: str | None = None,
    *,
    policy: RetryPolicy | None = None,
    timeout: httpx.Timeout | None = None,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
    max_body: int | None = DEFAULT_MAX_BODY,
) -> AuthenticatedClient:
    """A client for `url` (or `$VIDEOS_API_URL`) authenticated with `key` (or `$VIDEOS_API_KEY`).

    `call_timeout` is the overall deadline of each call that sets none itself (seconds,
    retries included; None: only the per-operation `timeout`s); `max_body` the most bytes of
    an answer read into memory (JSON, error bodies). `transport` / `async_transport` replace
    the network underneath the retry layer (tests).
    """
    url = url or os.environ.get(URL_ENV)
    key = key or os.environ.get(KEY_ENV)
    if not url:
        raise ConfigError(f"no server URL: pass one or set {URL_ENV}")
    if not key:
        raise ConfigError(f"no API key: pass one or set {KEY_ENV}")
    retrying = RetryTransport(
        policy,
        transport=transport,
        async_transport=async_transport,
        call_timeout=call_timeout,
        max_body=max_body,
    )
    return AuthenticatedClient(
        base_url=normalise_base_url(url),
        token=key,
        timeout=timeout or DEFAULT_TIMEOUT,
        raise_on_unexpected_status=False,
        httpx_args={"transport": retrying},
    )
