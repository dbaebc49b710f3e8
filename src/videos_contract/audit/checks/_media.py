"""Downloads of a job's assets and what each must be: media type, length, a decodable MP4
of the job's frame size and duration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from videos_contract.audit.answers import job_frame, job_seconds, length_breach, video_breach
from videos_contract.audit.context import CheckContext
from videos_contract.audit.marks import UPSTREAM_ENCODING_HEADER, UPSTREAM_LENGTH_HEADER
from videos_contract.probe import MediaError, probe_video

if TYPE_CHECKING:  # the audit's HTTP client (httpx) is loaded by the engine that runs checks
    from videos_contract.audit.client import Reply

__all__ = ["download", "expect_asset", "expect_mp4"]


def download(ctx: CheckContext, video_id: str, variant: str, **kwargs: Any) -> Reply:
    """A content download; a media body is in a temporary file until the reply is closed."""
    params = {"variant": variant}
    return ctx.client.get(
        ctx.path("downloadVideoContent", video_id=video_id), params=params, **kwargs
    )


def _variant_media_type(ctx: CheckContext, variant: str) -> str:
    """The media type the spec gives a content variant (`x-media-types` of ContentVariant)."""
    media_type: str = ctx.spec.schema("ContentVariant")["x-media-types"][variant]
    return media_type


def expect_asset(ctx: CheckContext, reply: Any, what: str, variant: str) -> str:
    """A downloaded asset's status, media type (the spec's for `variant`) and length; its
    media type."""
    ctx.expect_status(reply, "downloadVideoContent", 200, what)
    ctype: str = reply.response.headers.get("content-type", "").split(";")[0].strip()
    expected = _variant_media_type(ctx, variant)
    if ctype != expected:
        ctx.fail(f"{what}: header Content-Type", expected, repr(ctype), reply.exchange)
    # The relay rewrites Content-Length; it passes on the server's own value in this header.
    length = reply.response.headers.get(UPSTREAM_LENGTH_HEADER)
    encoded = reply.response.headers.get(UPSTREAM_ENCODING_HEADER)
    breach = None if encoded else length_breach(length, reply.size, what)
    if breach is not None:
        ctx.fail(breach.at_fault, breach.expected, breach.actual, reply.exchange)
    return ctype


def expect_mp4(
    ctx: CheckContext,
    video: dict[str, Any],
    what: str,
    *,
    frame: str | None = None,
    seconds: int | None = None,
) -> None:
    """Download a job's MP4; fail unless it decodes with the job's frame size and duration.

    The job's own `size`/`seconds` (Sora style) or `width`x`height`/`duration` (the other
    families) are the expectation unless `frame` and `seconds` say what was asked.
    """
    variant = ctx.spec.default("ContentVariant")
    with download(ctx, video["id"], variant) as reply:
        _expect_mp4_body(ctx, video, what, variant, reply, frame, seconds)


def _expect_mp4_body(
    ctx: CheckContext,
    video: dict[str, Any],
    what: str,
    variant: str,
    reply: Reply,
    frame: str | None,
    seconds: int | None,
) -> None:
    ctype = expect_asset(ctx, reply, what, variant)
    try:
        info = probe_video(reply.source)
    except MediaError as exc:
        ctx.fail(f"{what}: body", f"a decodable MP4 ({ctype})", str(exc), reply.exchange)
    length = float(seconds) if seconds is not None else job_seconds(video)
    breach = video_breach(info, frame or job_frame(video), length, what)
    if breach is not None:
        ctx.fail(breach.at_fault, breach.expected, breach.actual, reply.exchange)
