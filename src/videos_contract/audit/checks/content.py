"""A completed job's content: the MP4, the image variants, an unknown variant, byte ranges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from videos_contract.audit.answers import job_frame
from videos_contract.audit.checks._media import download, expect_asset, expect_mp4
from videos_contract.audit.checks.registry import check
from videos_contract.audit.context import CheckContext
from videos_contract.families import families
from videos_contract.probe import MediaError, probe_image

if TYPE_CHECKING:  # the audit's HTTP client (httpx) is loaded by the engine that runs checks
    from videos_contract.audit.client import Reply

__all__ = [
    "content_is_real_mp4_matching_size_and_seconds",
    "content_supports_byte_ranges",
    "thumbnail_and_spritesheet_are_real_images",
    "unknown_variant_is_refused",
]


# How far an image's aspect ratio may stray from the video's (rounding of a scaled frame).
ASPECT_TOLERANCE = 0.03


@check("downloadVideoContent")
def content_is_real_mp4_matching_size_and_seconds(ctx: CheckContext) -> None:
    video = ctx.completed_video()
    variant = ctx.spec.default("ContentVariant")
    expect_mp4(ctx, video, f"{variant} of a completed video")


def _aspect(width: int, height: int) -> float:
    return width / height


def _is_grid_of(width: int, height: int, aspect: float) -> bool:
    """Whether a `width` x `height` image splits into equal cells of the given aspect ratio."""
    for columns in range(1, min(width, 64) + 1):
        if width % columns:
            continue
        for rows in range(1, min(height, 64) + 1):
            if height % rows == 0:
                cell = _aspect(width // columns, height // rows)
                if abs(cell - aspect) / aspect <= ASPECT_TOLERANCE:
                    return True
    return False


@check("downloadVideoContent")
def thumbnail_and_spritesheet_are_real_images(ctx: CheckContext) -> None:
    """Each image variant decodes, has its media type, and agrees with the video's frame size."""
    catalogue = families(ctx.spec)
    if ctx.form_model() is None:
        # The image variants are the default family's only (x-video-families `variants`).
        form = catalogue.default_family
        ctx.not_offered(
            f"the image variants answer a {form.title} job, and the server offers no "
            f"{form.title} model (--model)"
        )
    video = ctx.completed_video()
    default = ctx.spec.default("ContentVariant")
    # The contract offers image variants per family (`x-video-families`: `variants`); a job of
    # a family without them may be refused them, so only the family's own are asked for.
    family = catalogue.for_model(str(video.get("model")))
    offered = [v for v in ctx.spec.enum("ContentVariant") if v != default and v in family.variants]
    if not offered:
        takers = ", ".join(f.title for f in catalogue if len(f.variants) > 1) or "no family"
        ctx.not_offered(
            f"{family.title} jobs ({video.get('model')}) take no image variant in the contract "
            f"(only {takers} jobs do)"
        )
    vw, _, vh = job_frame(video).partition("x")
    aspect = _aspect(int(vw), int(vh))
    for variant in offered:
        with ctx.case():
            _expect_image_variant(ctx, video, variant, aspect)


def _expect_image_variant(
    ctx: CheckContext, video: dict[str, Any], variant: str, aspect: float
) -> None:
    """One image variant of a completed video: its media type, a decodable image, its size."""
    with download(ctx, video["id"], variant) as reply:
        what = f"{variant} of a completed video"
        ctype = expect_asset(ctx, reply, what, variant)
        try:
            info = probe_image(reply.source)
        except MediaError as exc:
            ctx.fail(f"{what}: body", f"a decodable image ({ctype})", str(exc), reply.exchange)
    if ctype != f"image/{info.format}":
        ctx.fail(
            f"{what}: body",
            f"an image of type {ctype}",
            f"a {info.format} image",
            reply.exchange,
        )
    if variant == "thumbnail":
        same = abs(_aspect(info.width, info.height) - aspect) / aspect <= ASPECT_TOLERANCE
        if not same:
            ctx.fail(
                f"{what}: dimensions",
                f"{job_frame(video)} or its aspect ratio (the video's)",
                info.size,
                reply.exchange,
            )
    elif not _is_grid_of(info.width, info.height, aspect):
        ctx.fail(
            f"{what}: dimensions",
            f"a grid of frames whose cell has the video's aspect ratio ({job_frame(video)})",
            info.size,
            reply.exchange,
        )


@check("downloadVideoContent")
def unknown_variant_is_refused(ctx: CheckContext) -> None:
    """A `variant` outside the spec's enum is refused with 400 naming `variant`, not served."""
    video = ctx.completed_video()
    bogus = "-".join(ctx.spec.enum("ContentVariant")) + "-not-a-member"
    with download(ctx, video["id"], bogus) as reply:
        what = f"variant={bogus!r} of a completed video"
        body = ctx.expect_error(reply, 400, "downloadVideoContent", what)
    if body["error"].get("param") != "variant":
        ctx.fail(
            f"{what}: field error.param",
            "'variant'",
            repr(body["error"].get("param")),
            reply.exchange,
        )


@check("downloadVideoContent")
def content_supports_byte_ranges(ctx: CheckContext) -> None:
    """Byte ranges are optional unless advertised with `Accept-Ranges: bytes`.

    Not advertised and a `Range` answered with the whole body (200): not offered, which RFC
    9110 allows. Advertised and ignored, or any wrong 206 or 416: a violation.
    """
    video = ctx.completed_video()
    variant = ctx.spec.default("ContentVariant")
    # Only what the comparisons need is kept of the whole asset: its size, first bytes, digest.
    with download(ctx, video["id"], variant) as plain:
        ctx.expect_status(plain, "downloadVideoContent", 200, f"{variant} of a completed video")
    size, first, digest = plain.size, plain.head, plain.sha256
    advertised = "bytes" in [
        unit.strip().lower() for unit in plain.response.headers.get("accept-ranges", "").split(",")
    ]
    if not size:
        ctx.skip("the asset is empty: it has no byte range to ask for")
    end = min(99, size - 1)
    with download(ctx, video["id"], variant, headers={"Range": f"bytes=0-{end}"}) as reply:
        _expect_range(ctx, reply, advertised, end, size, first, digest)
    with download(ctx, video["id"], variant, headers={"Range": f"bytes={size}-"}) as reply:
        ctx.expect_status(reply, "downloadVideoContent", 416, f"bytes={size}- (past the end)")


def _expect_range(
    ctx: CheckContext,
    reply: Reply,
    advertised: bool,
    end: int,
    size: int,
    first: bytes,
    digest: str,
) -> None:
    """The answer to `Range: bytes=0-{end}` of an asset of `size` bytes."""
    what = f"bytes=0-{end} of a completed video"
    if reply.status == 200 and not advertised:
        if (reply.size, reply.sha256) != (size, digest):
            ctx.fail(
                f"{what}: body (answered 200)", "the whole asset", "other bytes", reply.exchange
            )
        ctx.not_offered("no `Accept-Ranges: bytes`, and a Range request got the whole body (200)")
    ctx.expect_status(reply, "downloadVideoContent", 206, what)
    expected_range = f"bytes 0-{end}/{size}"
    if reply.response.headers.get("content-range") != expected_range:
        ctx.fail(
            f"{what}: header Content-Range",
            expected_range,
            repr(reply.response.headers.get("content-range")),
            reply.exchange,
        )
    if reply.size != end + 1 or reply.head[: end + 1] != first[: end + 1]:
        ctx.fail(
            f"{what}: body",
            f"the first {end + 1} bytes of the asset",
            "other bytes",
            reply.exchange,
        )
