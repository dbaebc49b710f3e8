"""What a server must refuse, and how: a missing or wrong key, an unknown id, invalid and
near-miss creates (the form's and each family's), each with the documented error object."""

from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from videos_contract.audit.checks._fixtures import PROMPT, reference_data_url
from videos_contract.audit.checks.plan import audited_models
from videos_contract.audit.checks.registry import check
from videos_contract.audit.context import (
    CheckContext,
    CheckFailed,
    deviation_about,
    refuses_model,
)
from videos_contract.audit.marks import PLACEHOLDER_KEY
from videos_contract.audit.results import sent_model
from videos_contract.families import Family, families

if TYPE_CHECKING:  # the audit's HTTP client (httpx) is loaded by the engine that runs checks
    from videos_contract.audit.client import Reply

__all__ = [
    "error_answers_carry_the_documented_error_object",
    "family_near_misses",
    "invalid_create_is_rejected_with_param",
    "missing_or_wrong_key_is_refused",
    "near_miss_values_are_refused",
    "unknown_video_is_not_found",
]


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
    body: dict[str, Any] = {"prompt": PROMPT, "model": model}
    if family.reference_field in family.requires(model):
        size = family.frame(str(family.field_default(family.size_field)))
        frame = f"{size[0]}x{size[1]}" if size else "1280x720"
        body["input_reference"] = reference_data_url(frame)
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
            if refused and ctx.note_refusal(model, reply):
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
