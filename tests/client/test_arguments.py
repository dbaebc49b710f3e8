"""The helpers refuse a NaN or infinite number of seconds at once, before any request."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import httpx
import pytest
from aihubmix_videos import AuthenticatedClient

from videos_contract.client import async_download, async_wait, connect, download, wait

BAD = [math.nan, math.inf, -math.inf, -1.0]


def _client_that_must_not_be_used() -> httpx.MockTransport:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"a request was sent: {request.method} {request.url}")

    return httpx.MockTransport(refuse)


@pytest.fixture
def client() -> AuthenticatedClient:
    return connect("http://127.0.0.1:9", "k", transport=_client_that_must_not_be_used())


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("argument", ["timeout", "interval"])
def test_wait_refuses(client: AuthenticatedClient, argument: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"{argument} must be a finite number"):
        wait(client, "video_1", **{argument: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=argument):
        asyncio.run(async_wait(client, "video_1", **{argument: value}))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", BAD)
def test_download_refuses(client: AuthenticatedClient, value: float, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timeout must be a finite number"):
        download(client, "video_1", tmp_path / "x.mp4", timeout=value)
    with pytest.raises(ValueError, match="timeout"):
        asyncio.run(async_download(client, "video_1", tmp_path / "x.mp4", timeout=value))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", BAD)
def test_connect_refuses(value: float) -> None:
    with pytest.raises(ValueError, match="call_timeout must be a finite number"):
        connect("http://127.0.0.1:9", "k", call_timeout=value)
    with pytest.raises(ValueError, match=r"timeout\.read must be a finite number"):
        connect("http://127.0.0.1:9", "k", timeout=httpx.Timeout(5.0, read=value))


def test_none_still_means_no_limit(tmp_path: Path) -> None:
    connect("http://127.0.0.1:9", "k", call_timeout=None, timeout=httpx.Timeout(None))
