"""The sweep: each audited model's lengths and sizes are echoed by its jobs and are what
their MP4s hold (the default family through its form, the others as JSON)."""

from __future__ import annotations

from typing import Any

from videos_contract.audit.checks._fixtures import PROMPT, reference_data_url, reference_png
from videos_contract.audit.checks._media import expect_mp4
from videos_contract.audit.checks.plan import (
    audited_models,
    expected_clip,
    first_frame_cell,
    sweep_cells,
)
from videos_contract.audit.checks.registry import check
from videos_contract.audit.context import CheckContext, CheckNotOffered, model_matches
from videos_contract.families import Family, families

__all__ = ["parameters_are_honoured"]


def _model_matches(ctx: CheckContext, asked: str, reported: str) -> bool:
    return model_matches(ctx.spec, asked, reported)


def _excerpt_of(reply: Any, limit: int = 200) -> str:
    """The start of an answer's body, for a finding."""
    try:
        text = str(reply.response.text)
    except (AttributeError, UnicodeDecodeError):
        return f"<{reply.size} bytes>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


@check("createVideo", billed=True)
def parameters_are_honoured(ctx: CheckContext) -> None:
    """Each audited model's lengths and sizes are echoed by the job and are what its MP4 holds.

    One model per family by default (`--model`, `--models all` choose others). A model the
    server refuses as unknown is reported as not offered, not as a violation.
    """
    catalogue = families(ctx.spec)
    swept = 0
    for model in audited_models(ctx):
        family = catalogue.for_model(model)
        if not ctx.offers(model):
            ctx.absent.append(f"{model} ({family.title}): {ctx.refused_models[model]}")
            continue
        if family.default:
            swept += _sweep_form(ctx, model)
        else:
            swept += _sweep_json(ctx, family, model)
    if swept == 0 and ctx.absent and not ctx.left_out:
        ctx.not_offered("no audited model is offered: " + "; ".join(ctx.absent))
    if swept == 0:
        ctx.skip("--max-creates budget spent before any cell of the sweep")


def _sweep_form(ctx: CheckContext, model: str) -> int:
    """The default family (Sora) through its multipart form, as before the other families."""
    cells: list[tuple[str, dict[str, str], bool]] = [
        (", ".join(f"{k}={v}" for k, v in cell.items()), cell, False)
        for cell in ({k: str(v) for k, v in cell.items()} for cell in sweep_cells(ctx, model))
    ]
    default_size = ctx.spec.default("VideoSize")
    cells.append(
        (
            f"model={model}, size={default_size} with a reference image",
            {"model": model, "size": default_size},
            True,
        )
    )
    jobs: list[tuple[str, dict[str, str], dict[str, Any]]] = []
    for label, cell, with_image in cells:
        if ctx.creates_left() == 0:
            ctx.left_out.append(f"create with {label}")
            continue
        field = ctx.spec.schema("CreateVideoMultipartRequest")["properties"]
        files = None
        if with_image and "input_reference" in field:
            image = reference_png(cell["size"])
            files = [("input_reference", ("reference.png", image, "image/png"))]
        try:
            video = ctx.create_video(cell, files, what=f"create with {label} (valid)")
        except CheckNotOffered:
            ctx.absent.append(f"{model}: {ctx.refused_models.get(model, 'refused')}")
            return len(jobs)
        jobs.append((label, cell, video))
    for label, cell, video in jobs:
        for name, asked in cell.items():
            reported = str(video[name])
            ok = _model_matches(ctx, asked, reported) if name == "model" else reported == asked
            if not ok:
                ctx.fail(
                    f"job created with {label}: field {name}",
                    repr(asked),
                    repr(reported),
                    ctx.evidence.get(id(video)),
                )
    for label, cell, video in jobs:
        done = ctx.wait_terminal(video["id"], f"the job created with {label}")
        ctx.expect_success(done, f"the job created with {label}")
        for name, asked in cell.items():
            if name != "model" and str(done[name]) != asked:
                ctx.fail(
                    f"finished job ({label}): field {name}",
                    repr(asked),
                    repr(done[name]),
                    ctx.evidence.get(id(video)),
                )
        expect_mp4(ctx, done, f"video of the job ({label})")
    return len(jobs)


def _error_param(reply: Any) -> Any:
    try:
        return (reply.json().get("error") or {}).get("param")
    except (ValueError, AttributeError):
        return None


def _sweep_json(ctx: CheckContext, family: Family, model: str) -> int:
    """Any other family through its JSON body; echoes checked in the gateway's fields.

    A length the server refuses in the page's string form is sent again as an integer (the
    gateway's adapter code says Veo needs a number): accepted, the rest of the sweep uses the
    integer and the outcome says so; refused too, a documented capability is refused. So is
    a first-frame image the page documents for the model (Veo 3.1).
    """
    jobs: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    cells = [(cell, False) for cell in sweep_cells(ctx, model)]
    first_frame = first_frame_cell(family, model)
    if first_frame is not None:
        cells.append((first_frame, True))
    as_number = False
    length = family.seconds_field
    prop = family.field_schema(length)
    numeric = any(branch.get("type") == "integer" for branch in [prop, *prop.get("oneOf", [])])
    for cell, with_image in cells:
        label = ", ".join(f"{k}={v}" for k, v in cell.items())
        label += " with a first-frame image" if with_image else ""
        if ctx.creates_left() == 0:
            ctx.left_out.append(f"create with {label}")
            continue
        body: dict[str, Any] = {"prompt": PROMPT, **cell}
        ratio = family.ratio_field
        if family.has_field(ratio):
            # A fixed ratio, so that the frame is known (`adaptive` lets the model choose).
            body[ratio] = next(v for v in family.candidates(ratio) if ":" in str(v))
        if with_image or family.reference_field in family.requires(model):
            frame, _ = expected_clip(family, cell)
            body["input_reference"] = reference_data_url(frame or ctx.spec.default("VideoSize"))
        if as_number and str(body.get(length, "")).isdigit():
            body[length] = int(body[length])
        reply, video = ctx.create_json(family.shaped(body), f"created {family.title} video")
        if video is None and not jobs and ctx.note_refusal(model, reply):
            ctx.absent.append(f"{model} ({family.title}): {reply.status}")
            return 0
        if video is None and with_image and 400 <= reply.status < 500:
            ctx.fail(
                f"documented capability refused: {family.title} image-to-video "
                f"(`input_reference`, {model}, {length}={cell[length]})",
                "HTTP 200 (the page documents a first-frame image for this model)",
                f"HTTP {reply.status}: {_excerpt_of(reply)}",
                reply.exchange,
            )
        text = body.get(length)
        if (
            video is None
            and numeric
            and not as_number
            and reply.status == 400
            and _error_param(reply) in (length, "duration")
            and isinstance(text, str)
            and text.isdigit()
        ):
            first = reply
            reply, video = ctx.create_json(
                family.shaped({**body, length: int(text)}), f"created {family.title} video"
            )
            if video is None:
                ctx.fail(
                    f"documented capability refused: {family.title} `{length}` ({model})",
                    f"HTTP 200 for the page's string form {text!r} or the integer {int(text)}",
                    f"string: HTTP {first.status}; integer: HTTP {reply.status}: "
                    f"{_excerpt_of(reply)}",
                    reply.exchange,
                )
            as_number = True
            ctx.notes.append(
                f"{model} ({family.title}): `{length}` accepted only as an integer "
                f"(the page's string form {text!r} answered HTTP {first.status})"
            )
        if video is None:
            ctx.expect_status(reply, "createVideo", 200, f"create with {label} (valid)")
            continue
        jobs.append((label, cell, video))
    for label, cell, video in jobs:
        if not _model_matches(ctx, model, str(video.get("model"))):
            ctx.fail(
                f"job created with {label}: field model",
                repr(model),
                repr(video["model"]),
                ctx.evidence.get(id(video)),
            )
        done = ctx.wait_terminal(video["id"], f"the job created with {label}")
        ctx.expect_success(done, f"the job created with {label}")
        frame, seconds = expected_clip(family, cell)
        if "width" in done and frame and f"{done['width']}x{done['height']}" != frame:
            ctx.fail(
                f"finished job ({label}): fields width, height",
                frame,
                f"{done['width']}x{done['height']}",
                ctx.evidence.get(id(video)),
            )
        if "duration" in done and seconds is not None and done["duration"] != seconds:
            ctx.fail(
                f"finished job ({label}): field duration",
                str(seconds),
                str(done["duration"]),
                ctx.evidence.get(id(video)),
            )
        expect_mp4(ctx, done, f"video of the job ({label})", frame=frame, seconds=seconds)
    return len(jobs)
