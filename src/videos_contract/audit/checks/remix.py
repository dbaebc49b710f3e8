"""A remix: a new job that points to its source and inherits its model, size and length."""

from __future__ import annotations

from typing import Any

from videos_contract.audit.checks._media import expect_mp4
from videos_contract.audit.checks.registry import check
from videos_contract.audit.context import CheckContext
from videos_contract.families import families

__all__ = ["MIN_CREATES_FOR_OWN_SOURCE", "remix_points_to_source"]


# Creates the budget must still allow for the remix to make a source of its own (the source,
# the remix, and one left for the checks after it).
MIN_CREATES_FOR_OWN_SOURCE = 3


def _non_default_source(ctx: CheckContext) -> dict[str, Any]:
    """A completed job whose model (where another is offered), size and length are not the
    defaults, so that a remix that resets them shows. Its create echoes its model."""
    completed = ctx.completed_video()  # a failure to make any job is reported once, there
    family = families(ctx.spec).default_family
    if ctx.form_model() is None:
        ctx.not_offered(
            f"a remix answers a {family.title} job (`remixed_from_video_id`), and the server "
            f"offers no {family.title} model (--model)"
        )
    left = ctx.creates_left()
    if left is not None and left < MIN_CREATES_FOR_OWN_SOURCE:
        ctx.notes.append(
            "the remix's source is the shared job at the defaults (the --max-creates budget): "
            "a remix that resets size and length would not show"
        )
        return completed
    offered = [m for m in ctx.base_models() if m in family.models]
    default_model = ctx.spec.enum("VideoModel")[0]
    model = next((m for m in offered if m != default_model), offered[0] if offered else None)
    if model is None:
        return ctx.completed_video()
    cell: dict[str, str] = {"model": model}
    for name in (family.size_field, family.seconds_field):
        default = str(family.field_default(name))
        other = next((str(v) for v in family.allowed(model, name) if str(v) != default), None)
        if other is not None:
            cell[name] = other
    label = ", ".join(f"{k}={v}" for k, v in cell.items())
    video = ctx.create_video(cell, what=f"create of the remix's source ({label})")
    done = ctx.wait_terminal(video["id"], f"the remix's source ({label})")
    ctx.expect_success(done, f"the remix's source ({label})")
    return done


@check("remixVideo", billed=True)
def remix_points_to_source(ctx: CheckContext) -> None:
    """A remix of a source made with a non-default model, size and length inherits them."""
    source = _non_default_source(ctx)
    reply = ctx.client.post(
        ctx.path("remixVideo", video_id=source["id"]),
        json=ctx.example("remixVideo", "application/json"),
    )
    ctx.expect_status(reply, "remixVideo", 200, "remix of a completed video")
    remix = ctx.expect_schema(reply, "Video", "remix job")
    ctx.record(remix, new=True)
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
            ctx.last_read.get(done["id"]),
        )
    for name in ("model", "size", "seconds"):
        if done[name] != source[name]:
            ctx.fail(
                f"retrieved remix: field {name}",
                f"{source[name]!r} (inherited from the source)",
                repr(done[name]),
                ctx.last_read.get(done["id"]),
            )
    ctx.expect_success(done, "the remix")
    expect_mp4(ctx, done, "video of the completed remix")
