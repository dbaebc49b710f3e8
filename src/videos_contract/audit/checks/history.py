"""What the run's jobs showed over its course: times and progress, the whole list walked in
pages, and (last of all checks) a deletion."""

from __future__ import annotations

import itertools
import time
from typing import Any

from videos_contract.audit.checks.registry import check
from videos_contract.audit.context import CheckContext

__all__ = [
    "CLOCK_SKEW_SECONDS",
    "MAX_LIST_PAGES",
    "WALK_LIMIT",
    "deleted_video_is_gone",
    "list_pagination_has_no_duplicates_or_gaps",
    "time_and_progress_are_consistent",
]


# How far from the audit's clock a fresh job's `created_at` may be (clocks drift; milliseconds
# are a thousand times off).
CLOCK_SKEW_SECONDS = 15 * 60


# Largest walk of the list (pages); a server whose cursors never end is reported, not followed.
MAX_LIST_PAGES = 2000


# Page size of the walk: small, so that the audit's own jobs span several pages.
WALK_LIMIT = 3


_STATUS_RANK = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


@check("retrieveVideo")
def time_and_progress_are_consistent(ctx: CheckContext) -> None:
    """Unix-second times near the audit's clock, in order; progress and status never go back."""
    done = ctx.completed_video()
    for _ in range(3):  # a finished job must read finished every time
        reply = ctx.client.get(ctx.path("retrieveVideo", video_id=done["id"]))
        ctx.expect_status(reply, "retrieveVideo", 200, "retrieving a completed video again")
        ctx.record(ctx.expect_schema(reply, "Video", "retrieved completed video"), reply.exchange)
    rank = {ctx.status_name(name): value for name, value in _STATUS_RANK.items()}
    low, high = ctx.started - CLOCK_SKEW_SECONDS, time.time() + CLOCK_SKEW_SECONDS
    for video_id in ctx.created:
        states = ctx.observed.get(video_id, [])
        for before, after in itertools.pairwise(states):
            # The families other than Sora answer no progress: their status alone must not
            # go back.
            was, now = before.get("progress", 0), after.get("progress", 0)
            if rank[after["status"]] < rank[before["status"]] or (
                after["status"] == before["status"] and now < was
            ):
                ctx.fail(
                    f"job {video_id}: field status/progress over time",
                    "never going back",
                    f"{before['status']} {was}% then {after['status']} {now}%",
                    ctx.evidence.get(id(after)),
                )
        for video in states:
            _expect_times(ctx, video, low, high)


def _expect_times(ctx: CheckContext, video: dict[str, Any], low: float, high: float) -> None:
    what = f"job {video['id']} ({video['status']})"
    exchange = ctx.evidence.get(id(video))
    created = _created(video)
    if not low <= created <= high:
        ctx.fail(
            f"{what}: field created_at",
            f"Unix seconds near the audit's clock ({int(low)}..{int(high)})",
            f"{created}" + (" (milliseconds?)" if created > high * 100 else ""),
            exchange,
        )
    completed = video.get("completed_at")
    if completed is not None and completed < created:
        ctx.fail(
            f"{what}: field completed_at", f">= created_at ({created})", str(completed), exchange
        )
    if video["status"] == ctx.status_name("completed") and "progress" in video:
        # Sora-style jobs; the other families answer no progress or completion times.
        if video["progress"] != 100:
            ctx.fail(f"{what}: field progress", "100", str(video["progress"]), exchange)
        expires = video["expires_at"]
        if completed is None:
            ctx.fail(f"{what}: field completed_at", "a time", "null", exchange)
        if expires is not None and (expires <= completed or expires <= time.time()):
            ctx.fail(
                f"{what}: field expires_at",
                "after completed_at and in the future (a fresh job)",
                str(expires),
                exchange,
            )


def _page(ctx: CheckContext, **params: Any) -> tuple[Any, Any]:
    reply = ctx.client.get(ctx.path("listVideos"), params=params)
    ctx.expect_status(reply, "listVideos", 200, f"list with {params}")
    return ctx.expect_schema(reply, "VideoList", f"list page {params}"), reply


def _walk(ctx: CheckContext, order: str, limit: int) -> tuple[list[dict[str, Any]], Any]:
    """Every video of the list, page by page, and the first page's exchange (as evidence).

    Fails on anything that breaks the paging rules.
    """
    walked: list[dict[str, Any]] = []
    first: Any = None
    seen: set[str] = set()
    after: str | None = None
    for _ in range(MAX_LIST_PAGES):
        params: dict[str, Any] = {"limit": limit, "order": order}
        if after is not None:
            params["after"] = after
        page, reply = _page(ctx, **params)
        first = first or reply.exchange
        where = f"order={order} page after {after!r}"
        ids = [video["id"] for video in page["data"]]
        if len(ids) > limit:
            ctx.fail(
                f"{where}: field data", f"at most {limit} videos", str(len(ids)), reply.exchange
            )
        repeated = [i for i in ids if i in seen]
        if repeated or len(set(ids)) != len(ids):
            ctx.fail(
                f"{where}: field data",
                "only videos not on earlier pages",
                f"{repeated or ids} again",
                reply.exchange,
            )
        if ids and (page["first_id"], page["last_id"]) != (ids[0], ids[-1]):
            ctx.fail(
                f"{where}: fields first_id/last_id",
                f"{ids[0]!r}/{ids[-1]!r} (first and last of data)",
                f"{page['first_id']!r}/{page['last_id']!r}",
                reply.exchange,
            )
        seen.update(ids)
        walked += page["data"]
        if not page["has_more"]:
            return walked, first
        if not ids:
            ctx.fail(f"{where}: field has_more", "false on the last page", "true", reply.exchange)
        after = page["last_id"]
    ctx.fail(
        f"walking order={order} with limit={limit}",
        f"the end of the list within {MAX_LIST_PAGES} pages",
        "has_more still true (the cursor never ends)",
    )


def _created(video: dict[str, Any]) -> Any:
    """A job's creation time: `created_at` (Sora style) or `created` (the other families)."""
    return video["created_at"] if "created_at" in video else video["created"]


def _groups(videos: list[dict[str, Any]]) -> list[frozenset[str]]:
    """Runs of equal `created_at`: the list's order cannot separate jobs of the same second."""
    runs: list[tuple[Any, set[str]]] = []
    for video in videos:
        if runs and runs[-1][0] == _created(video):
            runs[-1][1].add(video["id"])
        else:
            runs.append((_created(video), {video["id"]}))
    return [frozenset(ids) for _, ids in runs]


@check("listVideos")
def list_pagination_has_no_duplicates_or_gaps(ctx: CheckContext) -> None:
    """Walking the whole list in small pages yields each job the audit made exactly once."""
    schema = ctx.spec.operation("listVideos").parameter("limit")["schema"]
    limit = min(max(WALK_LIMIT, schema["minimum"]), schema["maximum"])
    orders = ctx.spec.enum("ListOrder")
    desc, evidence = _walk(ctx, ctx.spec.default("ListOrder"), limit)
    mine = [i for i in ctx.created if i not in ctx.deleted]
    listed = [video["id"] for video in desc]
    missing = [i for i in mine if i not in listed]
    if missing:
        ctx.fail(
            f"walking the list in pages of {limit}",
            f"all {len(mine)} jobs the audit created, each once",
            f"{len(missing)} missing (e.g. {missing[:3]}) among {len(listed)} listed",
            evidence,
        )
    for order in orders:
        if order == ctx.spec.default("ListOrder"):
            continue
        other, evidence = _walk(ctx, order, limit)
        if _groups(other) != _groups(desc)[::-1]:
            other_ids = [video["id"] for video in other]
            gone = [i for i in listed if i not in other_ids]
            ctx.fail(
                f"walking the list with order={order}",
                f"the exact reverse of order={ctx.spec.default('ListOrder')} ({len(listed)} jobs)",
                f"{len(other_ids)} jobs"
                + (f", missing {gone[:3]}" if gone else " in another order"),
                evidence,
            )


@check("deleteVideo", billed=True)
def deleted_video_is_gone(ctx: CheckContext) -> None:
    victim = ctx.shared.get("remix")
    if victim is None:
        video = ctx.create_video()
        victim = ctx.wait_terminal(video["id"], "the video to delete")
    video_id = victim["id"]
    reply = ctx.client.delete(ctx.path("deleteVideo", video_id=video_id))
    if 200 <= reply.status < 300:
        ctx.deleted.add(video_id)
    ctx.expect_status(reply, "deleteVideo", 200, "delete of an existing video")
    body = ctx.expect_schema(reply, "DeletedVideo", "delete confirmation")
    if body["id"] != video_id:
        ctx.fail("delete confirmation: field id", repr(video_id), repr(body["id"]), reply.exchange)
    for op in ("retrieveVideo", "downloadVideoContent", "deleteVideo"):
        spec_op = ctx.spec.operation(op)
        with (
            ctx.case(),
            ctx.client.request(spec_op.method, ctx.path(op, video_id=video_id)) as reply,
        ):
            ctx.expect_error(reply, 404, op, f"{spec_op.method} {spec_op.path} after delete")
    listed, reply = _page(
        ctx, limit=ctx.spec.operation("listVideos").parameter("limit")["schema"]["maximum"]
    )
    if any(video["id"] == video_id for video in listed["data"]):
        ctx.fail(
            "list after delete: field data", f"no {video_id!r}", "the deleted video", reply.exchange
        )
