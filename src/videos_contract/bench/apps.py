"""Baseline ASGI apps that the mock is measured against, served by the same stack.

Each does the least a server can do for the same request: `bare_app` answers a retrieve with
a fixed Video body and a create by reading the body and answering the same body, with no
routing table, auth, validation or state; `stream_app` streams a large asset from memory
under the content path, which the mock cannot do (it serves small rendered media).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from videos_contract.protocol import protocol

__all__ = ["BENCH_VIDEO_ID", "CHUNK_BYTES", "bare_app", "job_app", "pattern_block", "stream_app"]

BENCH_VIDEO_ID = "video_bench"
# One chunk of a streamed body, as an httpx client reads it (64 KiB) times 16.
CHUNK_BYTES = 1024 * 1024


def pattern_block(size: int = CHUNK_BYTES) -> bytes:
    """A deterministic, non-constant block, so nothing on the path can shortcut zeros."""
    return bytes(range(256)) * (size // 256) + bytes(range(size % 256))


def bare_app(video: dict[str, object]) -> Starlette:
    """Retrieve and create endpoints that answer `video` with no work besides reading."""
    body = json.dumps(video).encode("utf-8")
    headers = {protocol().poll_after_header: "1000"}

    async def retrieve(request: Request) -> Response:
        return Response(body, media_type="application/json", headers=headers)

    async def create(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1/videos/{video_id}", retrieve, methods=["GET"]),
            Route("/v1/videos", create, methods=["POST"]),
        ]
    )


def stream_app(total_bytes: int) -> Starlette:
    """`GET /v1/videos/{id}/content` streams `total_bytes` with a `Content-Length`."""
    return Starlette(routes=[_content_route(total_bytes)])


def job_app(video: dict[str, object], total_bytes: int) -> Starlette:
    """A job whose video is `total_bytes` long: create and retrieve answer `video` (a completed
    job), its content streams as `stream_app` does. What `create --wait --output` needs of a
    server, for a video larger than the mock renders."""
    body = json.dumps(video).encode("utf-8")

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(
        routes=[
            _content_route(total_bytes),
            Route("/v1/videos/{video_id}", answer, methods=["GET"]),
            Route("/v1/videos", answer, methods=["POST"]),
        ]
    )


def _content_route(total_bytes: int) -> Route:
    block = pattern_block()

    async def chunks() -> AsyncIterator[bytes]:
        left = total_bytes
        while left > 0:
            piece = block if left >= len(block) else block[:left]
            left -= len(piece)
            yield piece

    async def content(request: Request) -> Response:
        return StreamingResponse(
            chunks(),
            media_type="video/mp4",
            headers={"Content-Length": str(total_bytes)},
        )

    return Route("/v1/videos/{video_id}/content", content, methods=["GET"])
