"""Behaviour the schema cannot express, one named check per claim, registered in one place.

Every check has the same signature, `check(ctx) -> None`: it passes by returning, reports a
violation by `ctx.fail(...)` and gives up without a verdict by `ctx.skip(...)`. `CHECKS` keeps
them in the order they run; later checks reuse the jobs earlier ones created, and the check that
deletes a job runs last. Expected values (sizes, seconds, variants, statuses, limits) are read
from the spec, never written here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from videos_contract.audit.context import CheckContext
from videos_contract.probe import MediaError, probe_image, probe_video

__all__ = ["CHECKS", "BehaviourCheck", "check"]

CheckFunction = Callable[[CheckContext], None]


@dataclass(frozen=True)
class BehaviourCheck:
    """A registered check: its name (the claim), the operation it is about, the function."""

    name: str
    operation: str
    function: CheckFunction
    billed: bool


CHECKS: dict[str, BehaviourCheck] = {}

# How far a clip's decoded duration may stray from the job's `seconds`: encoders round the
# last frame, and the audit must not report a correct server.
DURATION_TOLERANCE = 0.5


def check(operation: str, *, billed: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its function name; `billed` when it may create a billed job."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[function.__name__] = BehaviourCheck(function.__name__, operation, function, billed)
        return function

    return register


def _unknown_id() -> str:
    return f"video_audit_unknown_{secrets.token_hex(8)}"


@check("listVideos")
def missing_or_wrong_key_is_refused(ctx: CheckContext) -> None:
    path = ctx.path("listVideos")
    reply = ctx.client.get(path, auth=False)
    ctx.expect_error(reply, 401, "listVideos", "listing without a key")
    reply = ctx.client.get(path, key=f"wrong-{secrets.token_hex(12)}")
    ctx.expect_error(reply, 401, "listVideos", "listing with a wrong key")


@check("retrieveVideo")
def unknown_video_is_not_found(ctx: CheckContext) -> None:
    video_id = _unknown_id()
    for op in ("retrieveVideo", "downloadVideoContent", "deleteVideo"):
        spec_op = ctx.spec.operation(op)
        reply = ctx.client.request(spec_op.method, ctx.path(op, video_id=video_id))
        ctx.expect_error(reply, 404, op, f"{spec_op.method} {spec_op.path} of an unknown id")


@check("createVideo", billed=True)
def invalid_create_is_rejected_with_param(ctx: CheckContext) -> None:
    fields = ctx.example("createVideo", "multipart/form-data")
    # Values outside each enum, derived from the enum so that none can collide with a member.
    for name in ("size", "seconds", "model"):
        schema = ctx.spec.schema("CreateVideoMultipartRequest")["properties"][name]
        bad = "-".join(schema["enum"]) + "-not-a-member"
        parts = [(k, (None, str(v))) for k, v in {**fields, name: bad}.items()]
        reply = ctx.client.post(ctx.path("createVideo"), files=parts)
        body = ctx.expect_error(reply, 400, "createVideo", f"create with {name}={bad!r}")
        if body["error"].get("param") != name:
            ctx.fail(
                f"create with {name}={bad!r}: field error.param",
                repr(name),
                repr(body["error"].get("param")),
                reply.exchange,
            )
    required = ctx.spec.schema("CreateVideoJsonRequest")["required"]
    reply = ctx.client.post(ctx.path("createVideo"), json={"model": ctx.spec.default("VideoModel")})
    body = ctx.expect_error(reply, 400, "createVideo", "create without a prompt")
    if body["error"].get("param") not in required:
        ctx.fail(
            "create without a prompt: field error.param",
            " or ".join(map(repr, required)),
            repr(body["error"].get("param")),
            reply.exchange,
        )


@check("createVideo", billed=True)
def created_job_reaches_terminal_status(ctx: CheckContext) -> None:
    video = ctx.create_video()
    first = ctx.status_name("queued")
    if video["status"] != first:
        ctx.fail("created video: field status", repr(first), repr(video["status"]))
    for name, schema in (("size", "VideoSize"), ("seconds", "VideoSeconds")):
        if video[name] != ctx.spec.default(schema):
            ctx.fail(
                f"created video: field {name} (request left it unset)",
                f"the default {ctx.spec.default(schema)!r}",
                repr(video[name]),
            )
    done = ctx.wait_terminal(video["id"], "the created video")
    if done["status"] == ctx.status_name("completed"):
        ctx.shared.setdefault("completed", done)
        if done["completed_at"] is None:
            ctx.fail("completed video: field completed_at", "a time", "null")
        if done["error"] is not None:
            ctx.fail("completed video: field error", "null", repr(done["error"]))
    elif done["error"] is None:
        ctx.fail("failed video: field error", "an error object", "null")


def _download(ctx: CheckContext, video_id: str, variant: str, **kwargs: Any) -> Any:
    params = {"variant": variant}
    return ctx.client.get(
        ctx.path("downloadVideoContent", video_id=video_id), params=params, **kwargs
    )


def _variant_media_type(ctx: CheckContext, variant: str) -> str:
    """The media type the spec gives a content variant (`x-media-types` of ContentVariant)."""
    media_type: str = ctx.spec.schema("ContentVariant")["x-media-types"][variant]
    return media_type


def _expect_asset(ctx: CheckContext, reply: Any, what: str, variant: str) -> str:
    ctx.expect_status(reply, "downloadVideoContent", 200, what)
    ctype: str = reply.response.headers.get("content-type", "").split(";")[0].strip()
    expected = _variant_media_type(ctx, variant)
    if ctype != expected:
        ctx.fail(f"{what}: header Content-Type", expected, repr(ctype), reply.exchange)
    length = reply.response.headers.get("content-length")
    if length is not None and int(length) != len(reply.response.content):
        ctx.fail(
            f"{what}: header Content-Length",
            f"the body's size ({len(reply.response.content)})",
            length,
            reply.exchange,
        )
    return ctype


@check("downloadVideoContent")
def content_is_real_mp4_matching_size_and_seconds(ctx: CheckContext) -> None:
    video = ctx.completed_video()
    variant = ctx.spec.default("ContentVariant")
    reply = _download(ctx, video["id"], variant)
    what = f"{variant} of a completed video"
    ctype = _expect_asset(ctx, reply, what, variant)
    try:
        info = probe_video(reply.response.content)
    except MediaError as exc:
        ctx.fail(f"{what}: body", f"a decodable MP4 ({ctype})", str(exc), reply.exchange)
    if info.size != video["size"]:
        ctx.fail(
            f"{what}: frame size", f"{video['size']} (the job's size)", info.size, reply.exchange
        )
    seconds = float(video["seconds"])
    if abs(info.duration - seconds) > DURATION_TOLERANCE:
        ctx.fail(
            f"{what}: duration",
            f"{seconds:g} s (the job's seconds, ±{DURATION_TOLERANCE} s)",
            f"{info.duration:g} s",
            reply.exchange,
        )
    ctx.shared["video_bytes"] = reply.response.content


@check("downloadVideoContent")
def thumbnail_and_spritesheet_are_real_images(ctx: CheckContext) -> None:
    video = ctx.completed_video()
    default = ctx.spec.default("ContentVariant")
    for variant in ctx.spec.enum("ContentVariant"):
        if variant == default:
            continue
        reply = _download(ctx, video["id"], variant)
        what = f"{variant} of a completed video"
        ctype = _expect_asset(ctx, reply, what, variant)
        try:
            info = probe_image(reply.response.content)
        except MediaError as exc:
            ctx.fail(f"{what}: body", f"a decodable image ({ctype})", str(exc), reply.exchange)
        if ctype != f"image/{info.format}":
            ctx.fail(
                f"{what}: body",
                f"an image of type {ctype}",
                f"a {info.format} image",
                reply.exchange,
            )


@check("downloadVideoContent")
def content_supports_byte_ranges(ctx: CheckContext) -> None:
    video = ctx.completed_video()
    variant = ctx.spec.default("ContentVariant")
    whole = ctx.shared.get("video_bytes")
    if whole is None:
        whole = _download(ctx, video["id"], variant).response.content
    if not whole:
        ctx.skip("the asset is empty: it has no byte range to ask for")
    end = min(99, len(whole) - 1)
    reply = _download(ctx, video["id"], variant, headers={"Range": f"bytes=0-{end}"})
    what = f"bytes=0-{end} of a completed video"
    ctx.expect_status(reply, "downloadVideoContent", 206, what)
    expected_range = f"bytes 0-{end}/{len(whole)}"
    if reply.response.headers.get("content-range") != expected_range:
        ctx.fail(
            f"{what}: header Content-Range",
            expected_range,
            repr(reply.response.headers.get("content-range")),
            reply.exchange,
        )
    if reply.response.content != whole[: end + 1]:
        ctx.fail(
            f"{what}: body",
            f"the first {end + 1} bytes of the asset",
            "other bytes",
            reply.exchange,
        )
    reply = _download(ctx, video["id"], variant, headers={"Range": f"bytes={len(whole)}-"})
    ctx.expect_status(reply, "downloadVideoContent", 416, f"bytes={len(whole)}- (past the end)")


@check("remixVideo", billed=True)
def remix_points_to_source(ctx: CheckContext) -> None:
    source = ctx.completed_video()
    reply = ctx.client.post(
        ctx.path("remixVideo", video_id=source["id"]),
        json=ctx.example("remixVideo", "application/json"),
    )
    ctx.expect_status(reply, "remixVideo", 200, "remix of a completed video")
    remix = ctx.expect_schema(reply, "Video", "remix job")
    if remix["remixed_from_video_id"] != source["id"]:
        ctx.fail(
            "remix job: field remixed_from_video_id",
            repr(source["id"]),
            repr(remix["remixed_from_video_id"]),
            reply.exchange,
        )
    if remix["id"] == source["id"]:
        ctx.fail("remix job: field id", "a new id", "the source's id", reply.exchange)
    done = ctx.wait_terminal(remix["id"], "the remix")
    ctx.shared["remix"] = done
    if done["remixed_from_video_id"] != source["id"]:
        ctx.fail(
            "retrieved remix: field remixed_from_video_id",
            repr(source["id"]),
            repr(done["remixed_from_video_id"]),
        )


def _page(ctx: CheckContext, **params: Any) -> tuple[Any, Any]:
    reply = ctx.client.get(ctx.path("listVideos"), params=params)
    ctx.expect_status(reply, "listVideos", 200, f"list with {params}")
    return ctx.expect_schema(reply, "VideoList", f"list page {params}"), reply


@check("listVideos")
def list_pagination_has_no_duplicates_or_gaps(ctx: CheckContext) -> None:
    limit = ctx.spec.operation("listVideos").parameter("limit")["schema"]
    whole, reply = _page(ctx, limit=limit["maximum"])
    ids = [video["id"] for video in whole["data"]]
    if len(ids) < 2:
        ctx.skip("fewer than two videos exist; pagination cannot be walked")
    if len(set(ids)) != len(ids):
        ctx.fail(
            "one list page: field data", "distinct ids", f"repeated ids in {ids}", reply.exchange
        )
    if (whole["first_id"], whole["last_id"]) != (ids[0], ids[-1]):
        ctx.fail(
            "list page: fields first_id/last_id",
            f"{ids[0]!r}/{ids[-1]!r} (first and last of data)",
            f"{whole['first_id']!r}/{whole['last_id']!r}",
            reply.exchange,
        )
    walked: list[str] = []
    after: str | None = None
    for _ in range(len(ids)):
        params: dict[str, Any] = {"limit": limit["minimum"]}
        if after is not None:
            params["after"] = after
        page, reply = _page(ctx, **params)
        page_ids = [video["id"] for video in page["data"]]
        repeated = [i for i in page_ids if i in walked]
        if repeated:
            ctx.fail(
                f"page after {after!r}: field data",
                "only videos not on earlier pages",
                f"{repeated} again",
                reply.exchange,
            )
        walked += page_ids
        if not page["has_more"] or not page_ids:
            break
        after = page["last_id"]
    expected = ids[: len(walked)] if whole["has_more"] else ids
    if walked != expected:
        missing = [i for i in expected if i not in walked]
        ctx.fail(
            f"walking pages of {limit['minimum']}",
            f"the same ids, in order, as one page of {limit['maximum']}",
            f"missing {missing}" if missing else f"order {walked}",
            reply.exchange,
        )


@check("deleteVideo", billed=True)
def deleted_video_is_gone(ctx: CheckContext) -> None:
    victim = ctx.shared.get("remix")
    if victim is None:
        video = ctx.create_video()
        victim = ctx.wait_terminal(video["id"], "the video to delete")
    video_id = victim["id"]
    reply = ctx.client.delete(ctx.path("deleteVideo", video_id=video_id))
    ctx.expect_status(reply, "deleteVideo", 200, "delete of an existing video")
    body = ctx.expect_schema(reply, "DeletedVideo", "delete confirmation")
    if body["id"] != video_id:
        ctx.fail("delete confirmation: field id", repr(video_id), repr(body["id"]), reply.exchange)
    for op in ("retrieveVideo", "downloadVideoContent", "deleteVideo"):
        spec_op = ctx.spec.operation(op)
        reply = ctx.client.request(spec_op.method, ctx.path(op, video_id=video_id))
        ctx.expect_error(reply, 404, op, f"{spec_op.method} {spec_op.path} after delete")
    listed, reply = _page(
        ctx, limit=ctx.spec.operation("listVideos").parameter("limit")["schema"]["maximum"]
    )
    if any(video["id"] == video_id for video in listed["data"]):
        ctx.fail(
            "list after delete: field data", f"no {video_id!r}", "the deleted video", reply.exchange
        )
