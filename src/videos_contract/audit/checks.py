"""Behaviour the schema cannot express, one named check per claim, registered in one place.

Every check has the same signature, `check(ctx) -> None`: it passes by returning and reports a
violation by `ctx.fail(...)`. Only the user's settings may leave it without a verdict
(`ctx.skip(...)`, or `ctx.left_out` for the parts a budget stopped); an optional capability
the server does not offer is `ctx.not_offered(...)`. Whatever the server does to stop a check
is a failure with its evidence. `CHECKS` keeps
them in the order they run; later checks reuse the jobs earlier ones created, and the check that
deletes a job runs last. Expected values (sizes, seconds, variants, statuses, limits) are read
from the spec, never written here.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from videos_contract.audit.answers import job_frame, job_seconds, length_breach, video_breach
from videos_contract.audit.context import (
    ALL_MODELS,
    CheckContext,
    CheckFailed,
    CheckNotOffered,
    CheckSkipped,
    deviation_about,
    model_matches,
    refuses_model,
)
from videos_contract.audit.proxy import (
    PLACEHOLDER_KEY,
    UPSTREAM_ENCODING_HEADER,
    UPSTREAM_LENGTH_HEADER,
)
from videos_contract.audit.results import sent_model
from videos_contract.families import Family, families
from videos_contract.probe import MediaError, probe_image, probe_video

if TYPE_CHECKING:  # the audit's HTTP client (httpx) is loaded by the engine that runs checks
    from videos_contract.audit.client import Reply

__all__ = ["ALL_MODELS", "CHECKS", "BehaviourCheck", "check"]

CheckFunction = Callable[[CheckContext], None]


@dataclass(frozen=True)
class BehaviourCheck:
    """A registered check: its name (the claim), the operation it is about, the function."""

    name: str
    operation: str
    function: CheckFunction
    billed: bool
    # The claim is about every operation (reported under `operation`): an operation the user
    # says is absent is left out of it, not the whole check.
    every_operation: bool = False


CHECKS: dict[str, BehaviourCheck] = {}

# How far from the audit's clock a fresh job's `created_at` may be (clocks drift; milliseconds
# are a thousand times off).
CLOCK_SKEW_SECONDS = 15 * 60
# Largest walk of the list (pages); a server whose cursors never end is reported, not followed.
MAX_LIST_PAGES = 2000
# Page size of the walk: small, so that the audit's own jobs span several pages.
WALK_LIMIT = 3
# How far an image's aspect ratio may stray from the video's (rounding of a scaled frame).
ASPECT_TOLERANCE = 0.03


def check(
    operation: str, *, billed: bool = False, every_operation: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its function name; `billed` when it may create a billed job,
    `every_operation` when its claim covers every operation (it is filed under `operation`)."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[function.__name__] = BehaviourCheck(
            function.__name__, operation, function, billed, every_operation
        )
        return function

    return register


def _unknown_id() -> str:
    return f"video_audit_unknown_{secrets.token_hex(8)}"


@check("listVideos", every_operation=True)
def missing_or_wrong_key_is_refused(ctx: CheckContext) -> None:
    """Every operation refuses a missing key, a wrong key and a malformed header with 401."""
    wrong = f"wrong-{secrets.token_hex(12)}"
    attempts: tuple[tuple[str, dict[str, Any]], ...] = (
        ("without a key", {"auth": False}),
        ("with a wrong key", {"key": wrong}),
        ("with a malformed Authorization header", {"auth": False, "headers": _MALFORMED_AUTH}),
        # The right key in another scheme: only the contract's scheme (Bearer) is accepted.
        ("with the key as Basic credentials", {"auth": False, "headers": _BASIC_KEY}),
    )
    failed: dict[str, list[tuple[str, CheckFailed]]] = {}
    try:
        for op in ctx.spec.operations():
            if op.operation_id in ctx.without:
                ctx.absent.append(
                    f"{op.operation_id} (the settings say the server does not offer it)"
                )
                continue
            if op.billed and ctx.creates_left() == 0:
                ctx.left_out.append(f"the key check of {op.operation_id}")
                continue
            path = ctx.path(op.operation_id, video_id=_unknown_id())
            body = _request_body(ctx, op.operation_id)
            for how, kwargs in attempts:
                try:
                    reply = ctx.client.request(op.method, path, **kwargs, **body)
                    ctx.expect_error(reply, 401, op.operation_id, f"{op.method} {op.path} {how}")
                except CheckFailed as failure:
                    failed.setdefault(how, []).append((f"{op.method} {op.path}", failure))
    finally:
        # One finding per way of sending a key, naming every operation it broke on (kept
        # when something else stops the check part-way).
        for found in failed.values():
            first = found[0][1]
            others = [label for label, _ in found[1:]]
            also = f" (also on {len(others)} more: {', '.join(others)})" if others else ""
            ctx.failures.append(
                CheckFailed(first.at_fault + also, first.expected, first.actual, first.exchange)
            )


# A header that names no Bearer token at all.
_MALFORMED_AUTH = {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}
# The audit's key (the relay puts it in place of the placeholder) in the Basic scheme.
_BASIC_KEY = {"Authorization": f"Basic {PLACEHOLDER_KEY}"}


def _request_body(ctx: CheckContext, operation_id: str) -> dict[str, Any]:
    """The spec's example body of an operation, as client keyword arguments (or none)."""
    media = ctx.spec.operation(operation_id).request_media_types
    if "multipart/form-data" in media:
        fields = ctx.example(operation_id, "multipart/form-data")
        if operation_id == "createVideo":
            fields = ctx.create_fields()
        return {"files": [(k, (None, str(v))) for k, v in fields.items()]}
    if "application/json" in media:
        return {"json": ctx.example(operation_id, "application/json")}
    return {}


@check("retrieveVideo")
def unknown_video_is_not_found(ctx: CheckContext) -> None:
    video_id = _unknown_id()
    for op in ("retrieveVideo", "downloadVideoContent", "deleteVideo"):
        if op in ctx.without:
            continue
        spec_op = ctx.spec.operation(op)
        with (
            ctx.case(),
            ctx.client.request(spec_op.method, ctx.path(op, video_id=video_id)) as reply,
        ):
            ctx.expect_error(reply, 404, op, f"{spec_op.method} {spec_op.path} of an unknown id")


@check("createVideo", billed=True)
def invalid_create_is_rejected_with_param(ctx: CheckContext) -> None:
    # Values outside each enum, derived from the enum so that none can collide with a member.
    for name in ("size", "seconds", "model"):
        schema = ctx.spec.schema("CreateVideoMultipartRequest")["properties"][name]
        bad = "-".join(schema["enum"]) + "-not-a-member"
        if not _form_judges(ctx, name):
            continue
        with ctx.case():
            reply = ctx.post_form({name: bad})
            _expect_refusal_of(ctx, reply, name, f"create with {name}={bad!r}")
    required = ctx.spec.schema("CreateVideoJsonRequest")["required"]
    reply = ctx.client.post(ctx.path("createVideo"), json={"model": ctx.create_fields()["model"]})
    body = ctx.expect_error(reply, 400, "createVideo", "create without a prompt")
    if body["error"].get("param") not in required:
        ctx.fail(
            "create without a prompt: field error.param",
            " or ".join(map(repr, required)),
            repr(body["error"].get("param")),
            reply.exchange,
        )


@check("createVideo", billed=True)
def error_answers_carry_the_documented_error_object(ctx: CheckContext) -> None:
    """Error answers carry the contract's error object, not a rewritten one.

    The request of the spec's documented 400 example (its `param` set to the value its message
    quotes) must be answered with that example's `type`, `param` and `code`, and a message
    that names the field or the value. A 401 and a 404 must carry every field of the error
    object (`message`, `type`, `param`, `code`), as the contract documents it.
    """
    fields = list(ctx.spec.schema("ErrorDetail")["properties"])
    for documented in _documented_errors(ctx):
        error = documented["error"]
        param = str(error["param"])
        quoted = [q for q in re.findall(r"'([^']+)'", str(error["message"])) if q != param]
        if not quoted:
            continue
        value = quoted[0]
        what = f"create with {param}={value!r} (the documented 400 example)"
        with ctx.case():
            reply = ctx.post_form({param: value})
            _record_if_created(ctx, reply)
            body = ctx.expect_error(reply, 400, "createVideo", what)
            got = body["error"]
            wrong = [n for n in ("type", "param", "code") if got.get(n) != error.get(n)]
            expected = [f"{n}={error.get(n)!r}" for n in wrong]
            actual = [f"{n}={got.get(n)!r}" for n in wrong]
            message = str(got.get("message") or "")
            if param not in message and value not in message:
                wrong.append("message")
                expected.append(f"a message naming {param!r} or {value!r}")
                actual.append(f"message={message[:160]!r}")
            if wrong:
                ctx.fail(
                    f"{what}: field(s) " + ", ".join(f"error.{n}" for n in wrong),
                    ", ".join(expected) + " (as the contract's example)",
                    ", ".join(actual),
                    reply.exchange,
                )
    answers: tuple[tuple[str, str, int, dict[str, Any]], ...] = (
        ("listVideos", "without a key", 401, {"auth": False}),
        ("retrieveVideo", "of an unknown id", 404, {}),
    )
    for operation, how, status, kwargs in answers:
        op = ctx.spec.operation(operation)
        with ctx.case():
            reply = ctx.client.request(
                op.method, ctx.path(operation, video_id=_unknown_id()), **kwargs
            )
            what = f"{op.method} {op.path} {how}"
            body = ctx.expect_error(reply, status, operation, what)
            missing = [name for name in fields if name not in body["error"]]
            if missing:
                ctx.fail(
                    f"{what}: error object",
                    f"the fields {', '.join(fields)} (null where none applies)",
                    f"no {', '.join(missing)}: {json.dumps(body['error'])[:200]}",
                    reply.exchange,
                )


def _documented_errors(ctx: CheckContext) -> list[dict[str, Any]]:
    """The error examples the spec documents for a create's 400 (BadRequest)."""
    response = ctx.spec.operation("createVideo").responses.get("400", {})
    found: list[dict[str, Any]] = []
    for example in (
        ctx.spec.resolve(response)
        .get("content", {})
        .get("application/json", {})
        .get("examples", {})
        .values()
    ):
        value = ctx.spec.resolve(example).get("value")
        if isinstance(value, dict) and isinstance(value.get("error"), dict):
            if value["error"].get("param"):
                found.append(value)
    return found


def _near_misses(ctx: CheckContext) -> list[tuple[str, str]]:
    """(field, value) one step outside the contract, derived from the spec's enums and limits."""
    seconds = [int(v) for v in ctx.spec.enum("VideoSeconds")]
    off_seconds = [*sorted({v + 1 for v in seconds} - set(seconds))[:1], max(seconds) + 4]
    sizes = ctx.spec.enum("VideoSize")
    width, _, height = sizes[0].partition("x")
    model = ctx.spec.enum("VideoModel")[0]
    off_model = model[:-1] + ("x" if model[-1] != "x" else "y")
    cap = ctx.spec.schema("VideoPrompt")["maxLength"]
    misses = [("seconds", str(v)) for v in off_seconds]
    misses += [("size", "640x480"), ("size", f"{width}x{int(height) + 1}")]
    misses += [("model", off_model), ("prompt", "a" * (cap + 1)), ("prompt", "")]
    return [(name, value) for name, value in misses if value not in _enum_of(ctx, name)]


def _enum_of(ctx: CheckContext, name: str) -> tuple[str, ...]:
    prop = ctx.spec.schema("CreateVideoMultipartRequest")["properties"][name]
    return tuple(prop.get("enum", ()))


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 24 else f"<{len(value)} characters>"


@check("createVideo", billed=True)
def near_miss_values_are_refused(ctx: CheckContext) -> None:
    """One step outside the contract: 400 naming the field. Just inside it: accepted."""
    if ctx.form_model() is None:
        # No model of the multipart form is offered: only the families' own near misses.
        _family_near_misses_are_refused(ctx)
        return
    for name, value in _near_misses(ctx):
        if not _form_judges(ctx, name):
            continue
        with ctx.case():
            reply = ctx.post_form({name: value})
            _record_if_created(ctx, reply)
            _expect_refusal_of(ctx, reply, name, f"create with {name}={_shown(value)}")
    _family_near_misses_are_refused(ctx)
    cap = ctx.spec.schema("VideoPrompt")["maxLength"]
    boundary = (
        (f"a prompt of exactly {cap} characters", "b" * cap),
        ("a non-ASCII prompt", "Ein Fuchs läuft über den Schnee — 雪の上の狐 🦊"),
    )
    for what, prompt in boundary:
        if ctx.creates_left() == 0:
            ctx.left_out.append(f"create with {what}")
            continue
        ctx.create_video({"prompt": prompt}, what=f"create with {what} (valid)")


def family_near_misses(family: Family, model: str) -> list[tuple[str, Any]]:
    """(field, value) one step outside what `model` takes, read from its family's schema.

    A length in a gap of the model's set (or just below it) and just above it; a size another
    model of the family takes but this one does not (`sora-2` with a `sora-2-pro` size, wan2.6
    with a 480P size, Veo 2 with `4k`); a pixel size one pixel off. The default family's own
    lengths and sizes are covered through its form above, so only its per-model rule is
    added. Each value is kept only if the family's schema refuses it.
    """
    if family.catch_all:
        return []
    misses: list[tuple[str, Any]] = []
    lengths = family.allowed(model, family.seconds_field)
    numbers = sorted({int(v) for v in lengths})
    if numbers and not family.default:
        as_text = any(isinstance(v, str) for v in lengths)
        gap = next((n for n in range(numbers[0], numbers[-1]) if n not in numbers), None)
        for n in (numbers[0] - 1 if gap is None else gap, numbers[-1] + 1):
            misses.append((family.seconds_field, str(n) if as_text else n))
    sizes = family.allowed(model, family.size_field)
    others = [v for v in family.candidates(family.size_field) if v not in sizes]
    if others:
        misses.append((family.size_field, others[0]))
    pixel = next((str(v) for v in sizes if str(v).partition("x")[2].isdigit()), None)
    if pixel and not family.default:
        width, _, height = pixel.partition("x")
        misses.append((family.size_field, f"{width}x{int(height) + 1}"))
    base = _family_body(family, model)
    return [(name, value) for name, value in misses if family.refuses({**base, name: value}, name)]


def _family_body(family: Family, model: str) -> dict[str, Any]:
    """A valid JSON create of `model` with only what its family requires."""
    body: dict[str, Any] = {"prompt": _SWEEP_PROMPT, "model": model}
    if family.reference_field in family.requires(model):
        size = family.frame(str(family.field_default(family.size_field)))
        png = _reference_png(f"{size[0]}x{size[1]}" if size else "1280x720")
        body["input_reference"] = "data:image/png;base64," + base64.b64encode(png).decode()
    return body


def _family_near_misses_are_refused(ctx: CheckContext) -> None:
    """Each audited model's near misses, as JSON creates: 400 naming the field."""
    catalogue = families(ctx.spec)
    for model in audited_models(ctx):
        family = catalogue.for_model(model)
        if not ctx.offers(model):
            ctx.absent.append(f"{model} ({family.title}): {ctx.refused_models[model]}")
            continue
        for name, value in family_near_misses(family, model):
            what = f"create {model} ({family.title}) with {name}={value!r}"
            if ctx.creates_left() == 0:
                ctx.left_out.append(what)
                continue
            reply = ctx.client.post(
                ctx.path("createVideo"),
                json=family.shaped({**_family_body(family, model), name: value}),
            )
            refused = not _record_if_created(ctx, reply) and name != "model"
            if refused and _refuses_model(ctx, reply, model):
                # The server does not serve this model at all: nothing to refuse per value.
                ctx.absent.append(f"{model} ({family.title}): {reply.status}")
                break
            deviation = deviation_about(family, name, value)
            job = reply.json() if not refused else None
            echoed = job.get(name.rpartition(".")[2]) if isinstance(job, dict) else None
            honoured = str(echoed) == str(value)
            if honoured and 200 <= reply.status < 300 and deviation:
                # The page allows it, the job has it, and the contract deviates on purpose:
                # the contract's bet, not the server's fault.
                ctx.warnings.append(
                    f"{what} was accepted, as the gateway's page allows; the contract deviates "
                    f"on purpose ({deviation}). The server follows the page here: revisit the "
                    "deviation"
                )
                continue
            with ctx.case():
                _expect_refusal_of(ctx, reply, name, what)


def _record_if_created(ctx: CheckContext, reply: Reply) -> bool:
    """A create the server accepted is a job (billed): recorded so that it is cleaned up."""
    if not 200 <= reply.status < 300:
        return False
    video = reply.json()
    if isinstance(video, dict) and isinstance(video.get("id"), str):
        ctx.record(video, new=True)
    return True


def _form_judges(ctx: CheckContext, name: str) -> bool:
    """Whether a case about form field `name` can be judged: a server that refuses the form
    itself is sent JSON instead, where an unlisted model is valid (the catch-all family), so a
    wrong `model` cannot be judged there. Such a case is noted, not run."""
    if ctx.form_refused and name == "model":
        ctx.notes.append(
            "an invalid `model` is not judged: the server refuses the multipart form, and as "
            "JSON an unlisted model is valid"
        )
        return False
    return True


def _sent_value(reply: Reply, name: str) -> str | None:
    """The value of field `name` the request of `reply` carried (a form or a JSON body)."""
    if name != "model" or reply.exchange is None:
        return None
    return sent_model(reply.exchange)


def _expect_refusal_of(ctx: CheckContext, reply: Reply, name: str, what: str) -> None:
    """`reply` must be a 400 whose `error.param` names the field `name`."""
    body = ctx.expect_error(reply, 400, "createVideo", what)
    if name == "model" and refuses_model(reply, _sent_value(reply, name)):
        return  # an unknown model named in the message (`param: null`) is refused as well
    if body["error"].get("param") != name:
        ctx.fail(
            f"{what}: field error.param",
            repr(name),
            repr(body["error"].get("param")),
            reply.exchange,
        )


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


def _download(ctx: CheckContext, video_id: str, variant: str, **kwargs: Any) -> Reply:
    """A content download; a media body is in a temporary file until the reply is closed."""
    params = {"variant": variant}
    return ctx.client.get(
        ctx.path("downloadVideoContent", video_id=video_id), params=params, **kwargs
    )


def _variant_media_type(ctx: CheckContext, variant: str) -> str:
    """The media type the spec gives a content variant (`x-media-types` of ContentVariant)."""
    media_type: str = ctx.spec.schema("ContentVariant")["x-media-types"][variant]
    return media_type


def _expect_asset(ctx: CheckContext, reply: Any, what: str, variant: str) -> str:
    # The relay's module loads httpx and Starlette; the registry of checks loads neither.

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


def _expect_mp4(
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
    with _download(ctx, video["id"], variant) as reply:
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
    ctype = _expect_asset(ctx, reply, what, variant)
    try:
        info = probe_video(reply.source)
    except MediaError as exc:
        ctx.fail(f"{what}: body", f"a decodable MP4 ({ctype})", str(exc), reply.exchange)
    length = float(seconds) if seconds is not None else job_seconds(video)
    breach = video_breach(info, frame or job_frame(video), length, what)
    if breach is not None:
        ctx.fail(breach.at_fault, breach.expected, breach.actual, reply.exchange)


@check("downloadVideoContent")
def content_is_real_mp4_matching_size_and_seconds(ctx: CheckContext) -> None:
    video = ctx.completed_video()
    variant = ctx.spec.default("ContentVariant")
    _expect_mp4(ctx, video, f"{variant} of a completed video")


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
    with _download(ctx, video["id"], variant) as reply:
        what = f"{variant} of a completed video"
        ctype = _expect_asset(ctx, reply, what, variant)
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
    with _download(ctx, video["id"], bogus) as reply:
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
    with _download(ctx, video["id"], variant) as plain:
        ctx.expect_status(plain, "downloadVideoContent", 200, f"{variant} of a completed video")
    size, first, digest = plain.size, plain.head, plain.sha256
    advertised = "bytes" in [
        unit.strip().lower() for unit in plain.response.headers.get("accept-ranges", "").split(",")
    ]
    if not size:
        ctx.skip("the asset is empty: it has no byte range to ask for")
    end = min(99, size - 1)
    with _download(ctx, video["id"], variant, headers={"Range": f"bytes=0-{end}"}) as reply:
        _expect_range(ctx, reply, advertised, end, size, first, digest)
    with _download(ctx, video["id"], variant, headers={"Range": f"bytes={size}-"}) as reply:
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
    _expect_mp4(ctx, done, "video of the completed remix")


def _model_matches(ctx: CheckContext, asked: str, reported: str) -> bool:
    return model_matches(ctx.spec, asked, reported)


# A family's lengths swept: every value when there are few, else the lowest, the default and
# the highest (Wan 2.6 takes 2 to 15 seconds: three cells instead of fourteen).
MAX_SWEPT_LENGTHS = 5


def _covering(axes: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """A covering set: every value of every axis at least once."""
    axes = {name: values for name, values in axes.items() if values}
    if not axes:
        return [{}]
    count = max(len(values) for values in axes.values())
    return [{name: values[i % len(values)] for name, values in axes.items()} for i in range(count)]


def _lengths(family: Family, model: str) -> list[Any]:
    values = [v for v in family.allowed(model, family.seconds_field) if int(v) > 0]
    if len(values) <= MAX_SWEPT_LENGTHS:
        return values
    default = family.field_default(family.seconds_field)
    picked = [values[0], default, values[-1]]
    return [v for i, v in enumerate(picked) if v in values and v not in picked[:i]]


def _sweep(ctx: CheckContext, model: str) -> list[dict[str, Any]]:
    """A covering set of creates for one model: each of its lengths and sizes at least once."""
    family = families(ctx.spec).for_model(model)
    if family.catch_all:
        return [{"model": model}]
    cells = _covering(
        {
            family.seconds_field: _lengths(family, model),
            family.size_field: list(family.allowed(model, family.size_field)),
        }
    )
    return [{"model": model, **cell} for cell in cells]


def audited_models(ctx: CheckContext) -> list[str]:
    """The models the sweep covers: `--model` as given, every listed one, or one per family."""
    catalogue = families(ctx.spec)
    if not ctx.models:
        return list(catalogue.representatives())
    if ALL_MODELS in ctx.models:
        return list(catalogue.models)
    return list(dict.fromkeys(ctx.models))


def _reference_png(size: str) -> bytes:
    from PIL import Image

    width, _, height = size.partition("x")
    buffer = io.BytesIO()
    Image.new("RGB", (int(width), int(height)), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _excerpt_of(reply: Any, limit: int = 200) -> str:
    """The start of an answer's body, for a finding."""
    try:
        text = str(reply.response.text)
    except (AttributeError, UnicodeDecodeError):
        return f"<{reply.size} bytes>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _refuses_model(ctx: CheckContext, reply: Any, model: str) -> bool:
    """Whether a refusal says `model` is unknown; remembered for every later check."""
    return ctx.note_refusal(model, reply) if refuses_model(reply, model) else False


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
        for cell in ({k: str(v) for k, v in cell.items()} for cell in _sweep(ctx, model))
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
            image = _reference_png(cell["size"])
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
        _expect_mp4(ctx, done, f"video of the job ({label})")
    return len(jobs)


def _expected_clip(family: Family, cell: dict[str, Any]) -> tuple[str | None, int | None]:
    """The frame (`WxH`) and whole seconds a cell's job must render, when the spec says."""
    frame = family.frame(str(cell[family.size_field])) if family.size_field in cell else None
    length = cell.get(family.seconds_field)
    seconds = int(length) if length is not None else None
    return (f"{frame[0]}x{frame[1]}" if frame else None), seconds


def _first_frame_cell(family: Family, model: str) -> dict[str, Any] | None:
    """A create with a first-frame image, when the family's rules make it a capability of
    its own for `model` (Veo 3.1: an image fixes the length): the model, a length the image
    allows and the default size. None when the image changes nothing or is not allowed."""
    if "input_reference" not in family.properties or "input_reference" in family.requires(model):
        return None
    url = "https://example.com/first-frame.png"
    with_image = family.allowed(model, family.seconds_field, input_reference=url)
    if not with_image or with_image == family.allowed(model, family.seconds_field):
        return None
    cell = {
        "model": model,
        family.seconds_field: with_image[0],
        family.size_field: family.field_default(family.size_field),
    }
    return None if family.refusals({**cell, "prompt": "x", "input_reference": url}) else cell


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
    cells = [(cell, False) for cell in _sweep(ctx, model)]
    first_frame = _first_frame_cell(family, model)
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
        body: dict[str, Any] = {"prompt": _SWEEP_PROMPT, **cell}
        ratio = family.ratio_field
        if family.has_field(ratio):
            # A fixed ratio, so that the frame is known (`adaptive` lets the model choose).
            body[ratio] = next(v for v in family.candidates(ratio) if ":" in str(v))
        if with_image or family.reference_field in family.requires(model):
            frame, _ = _expected_clip(family, cell)
            png = _reference_png(frame or ctx.spec.default("VideoSize"))
            body["input_reference"] = "data:image/png;base64," + base64.b64encode(png).decode()
        if as_number and str(body.get(length, "")).isdigit():
            body[length] = int(body[length])
        reply, video = ctx.create_json(family.shaped(body), f"created {family.title} video")
        if video is None and not jobs and _refuses_model(ctx, reply, model):
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
        frame, seconds = _expected_clip(family, cell)
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
        _expect_mp4(ctx, done, f"video of the job ({label})", frame=frame, seconds=seconds)
    return len(jobs)


_SWEEP_PROMPT = "A paper boat drifting down a rain-filled gutter."


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
