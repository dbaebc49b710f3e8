"""A created job: its first answer, its way to a terminal status, what it holds there."""

from __future__ import annotations

from videos_contract.audit.checks.registry import check
from videos_contract.audit.context import CheckContext, CheckFailed, CheckSkipped
from videos_contract.families import families

__all__ = ["created_job_reaches_terminal_status"]


@check("createVideo", billed=True)
def created_job_reaches_terminal_status(ctx: CheckContext) -> None:
    video = ctx.create_video()
    first = ctx.status_name("queued")
    sora_style = families(ctx.spec).for_model(str(video.get("model"))).default
    # The other families answer their own job shapes, which may start `in_progress`.
    if sora_style and video["status"] != first:
        ctx.fail("created video: field status", repr(first), repr(video["status"]))
    for name, schema in (("size", "VideoSize"), ("seconds", "VideoSeconds")):
        if name in video and video[name] != ctx.spec.default(schema):
            ctx.fail(
                f"created video: field {name} (request left it unset)",
                f"the default {ctx.spec.default(schema)!r}",
                repr(video[name]),
            )
    done = ctx.wait_terminal(video["id"], "the created video")
    if done["status"] == ctx.status_name("completed"):
        ctx.shared.setdefault("completed", done)
        if sora_style and done["completed_at"] is None:
            ctx.fail("completed video: field completed_at", "a time", "null")
        if done.get("error") is not None:
            ctx.fail("completed video: field error", "null", repr(done["error"]))
    elif sora_style and done["error"] is None:
        ctx.fail("failed video: field error", "an error object", "null")
    try:
        ctx.expect_success(done, "the created video")
    except (CheckFailed, CheckSkipped) as problem:
        # Later checks that need a completed video report this job, not a second billed one.
        ctx.shared.setdefault("completed", None)
        ctx.shared.setdefault("completed_problem", problem)
        ctx.shared.setdefault("completed_owner", ctx.current)
        raise
    if ctx.fallbacks:
        # A valid create was refused and a retry (the other form, another model) accepted:
        # one finding here; the checks that stood on the retried create went on.
        what, tried, exchange = ctx.fallbacks[0]
        if ctx.form_refused:
            ctx.shared["form_refused_by"] = ctx.current
        ctx.fail(what, "HTTP 200 (the contract documents this create)", tried, exchange)
