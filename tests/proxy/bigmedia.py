"""An upstream that serves one completed job whose MP4 is as large as asked: a real clip
followed by a `free` box of padding (MP4 readers skip it), streamed, never held."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from videos_contract.mock.media import render_asset
from videos_contract.spec import load_spec

__all__ = ["TOTAL_HEADER", "big_media_app"]

_CHUNK = 1024 * 1024


def _video() -> dict[str, Any]:
    video: dict[str, Any] = dict(
        load_spec().raw["components"]["examples"]["CompletedVideo"]["value"]
    )
    return video


TOTAL_HEADER = "x-test-total"


def big_media_app() -> tuple[Starlette, dict[str, Any]]:
    """The app and its one job; its MP4 is as many bytes as the request's `TOTAL_HEADER`."""
    video = _video()
    clip = render_asset("video/mp4", video["size"], video["seconds"])

    async def retrieve(request: Request) -> Response:
        return JSONResponse(video)

    async def body(padding: int) -> AsyncIterator[bytes]:
        yield clip + struct.pack(">I4s", padding, b"free")
        zeros = bytes(_CHUNK)
        left = padding - 8
        while left > 0:
            piece = zeros[: min(_CHUNK, left)]
            left -= len(piece)
            yield piece

    async def content(request: Request) -> Response:
        total = int(request.headers.get(TOTAL_HEADER, "0"))
        padding = max(8, total - len(clip))
        return StreamingResponse(
            body(padding),
            media_type="video/mp4",
            headers={"content-length": str(len(clip) + padding)},
        )

    app = Starlette(
        routes=[
            Route("/v1/videos/{video_id}", retrieve),
            Route("/v1/videos/{video_id}/content", content),
        ]
    )
    return app, video
