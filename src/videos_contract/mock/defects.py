"""Deliberately broken variants of the mock, to prove the audit misses nothing.

Each defect is a named ASGI wrapper around the mock's app that breaks one rule of the contract
the way real servers have been seen to: a field of the wrong type, a status outside the enum,
a key check that lets anyone in... The audit's tests start the mock with one defect at a time
and expect a report naming the broken field or behaviour. Expected values come from the spec.

This module is the catalogue: each defect's rewrite and its entry in `_WRAPPERS` (name, one
line of what the broken server does, the wrapper). The ASGI machinery they are built with
(capturing an answer, rewriting Video objects and list pages, editing a request) is in
`mock/_capture.py`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from videos_contract.families import families
from videos_contract.mock._capture import (
    Captured,
    Rewrite,
    Wrapper,
    answers_json,
    call,
    edit_list,
    edit_videos,
    error_answer,
    is_operation,
    path_parts,
    query_of,
    read_request,
    reply,
    set_field,
    with_body,
    with_query,
    wrap,
)
from videos_contract.protocol import protocol
from videos_contract.spec import load_spec

__all__ = ["DEFECTS", "apply_defects"]


def _progress_as_text(video: dict[str, Any]) -> None:
    video["progress"] = str(video.get("progress"))


def _drop_created_at(video: dict[str, Any]) -> None:
    video.pop("created_at", None)


def _unknown_status(video: dict[str, Any]) -> None:
    if not protocol().is_terminal(video.get("status")):
        video["status"] = "pending"


async def _accept_invalid(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A create the mock refuses as invalid is run again with only a prompt and the first
    model the spec lists, and billed."""
    response = await call(app, scope, body)
    if not (is_operation(scope, "createVideo") and response.status == 400):
        return response
    headers = [
        (k, v) for k, v in scope["headers"] if k.lower() not in (b"content-type", b"content-length")
    ]
    model = families(load_spec()).models[0]
    retry = json.dumps({"prompt": "accepted although invalid", "model": model}).encode()
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(retry)).encode()),
    ]
    return await call(app, {**scope, "headers": headers}, retry)


async def _reject_valid_length(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Every Sora length but the default is refused, though the spec lists it.

    (A refused model would read as a model the server does not offer, which is allowed.)
    """
    if is_operation(scope, "createVideo"):
        default = load_spec().default("VideoSeconds")
        others = [s for s in load_spec().enum("VideoSeconds") if s != default]
        sent = [f'"seconds": "{s}"' for s in others] + [f'"seconds":"{s}"' for s in others]
        form = [f'name="seconds"\r\n\r\n{s}\r\n' for s in others]
        if any(text.encode() in body for text in sent + form):
            return error_answer(400, "Invalid 'seconds'.", "seconds", "invalid_value")
    return await call(app, scope, body)


async def _fail_on_largest_page(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A list request for the largest page the spec allows crashes the server."""
    if is_operation(scope, "listVideos"):
        largest = load_spec().operation("listVideos").parameter("limit")["schema"]["maximum"]
        if ("limit", str(largest)) in query_of(scope):
            return error_answer(500, "Internal error.", None, "server_error")
    return await call(app, scope, body)


async def _json_as_text(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    response = await call(app, scope, body)
    if answers_json(response):
        response.set_header(b"content-type", b"text/plain; charset=utf-8")
    return response


async def _no_auth_check(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Any key, or none, is taken for the mock's own key."""
    key = scope["app"].state.config.keys[0] if "app" in scope else None
    if key is None:
        return await call(app, scope, body)
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
    headers.append((b"authorization", f"Bearer {key}".encode()))
    return await call(app, {**scope, "headers": headers}, body)


async def _lose_created(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    if is_operation(scope, "retrieveVideo"):
        return error_answer(404, "No such video.", "video_id", "not_found")
    return await call(app, scope, body)


async def _delete_keeps(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """DELETE confirms without deleting (after the usual checks of key and id)."""
    if not is_operation(scope, "deleteVideo"):
        return await call(app, scope, body)
    probe = await call(app, {**scope, "method": "GET"}, b"")
    if probe.status != 200:
        return probe
    video_id = path_parts(scope)[-1]
    deleted = protocol().object_name("DeletedVideo")
    confirmation = {"id": video_id, "object": deleted, "deleted": True}
    return Captured(
        200, [(b"content-type", b"application/json")], json.dumps(confirmation).encode()
    )


async def _ignore_cursor(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """`after` is ignored, so every page starts from the first video again."""
    if is_operation(scope, "listVideos"):
        scope = with_query(scope, _without("after")(query_of(scope)))
    return await call(app, scope, body)


async def _corrupt_mp4(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """MP4 downloads keep their length and first bytes, but the rest is zeros."""
    response = await call(app, scope, body)
    if (response.header(b"content-type") or b"").startswith(b"video/mp4") and len(
        response.body
    ) > 32:
        response.body = response.body[:32] + bytes(len(response.body) - 32)
    return response


def _fail_every_job(video: dict[str, Any]) -> None:
    if video.get("status") == "completed":
        video["status"] = "failed"
        video["expires_at"] = None
        video["error"] = {"code": "generation_failed", "message": "The render failed."}


def _milliseconds(video: dict[str, Any]) -> None:
    for name in ("created_at", "completed_at", "expires_at"):
        if isinstance(video.get(name), int):
            video[name] = video[name] * 1000


def _truncate_mp4(app: ASGIApp) -> ASGIApp:
    """MP4 downloads declare their whole length but stop half-way."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        response = await call(app, scope, await read_request(receive))
        if not (response.header(b"content-type") or b"").startswith(b"video/mp4"):
            await reply(send, response)
            return
        response.set_header(b"content-length", str(len(response.body)).encode())
        await send(
            {"type": "http.response.start", "status": response.status, "headers": response.headers}
        )
        half = response.body[: len(response.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        # Returning with the body unfinished makes the server close the connection there.

    return wrapped


async def _ignore_size(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A create's `size` is ignored: every job renders (and reports) the default size."""
    if is_operation(scope, "createVideo"):
        default = load_spec().default("VideoSize")
        body = set_field(scope, body, "size", lambda _: default)
        scope = with_body(scope, body)
    return await call(app, scope, body)


async def _accept_near_miss(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A `seconds` value outside the enum is taken for the nearest one instead of refused."""
    if is_operation(scope, "createVideo"):
        allowed = [int(v) for v in load_spec().enum("VideoSeconds")]

        def nearest(text: str) -> str:
            if text in map(str, allowed) or not text.isdigit():
                return text
            return str(min(allowed, key=lambda v: abs(v - int(text))))

        body = set_field(scope, body, "seconds", nearest)
        scope = with_body(scope, body)
    return await call(app, scope, body)


async def _accept_family_miss(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A JSON create refused for a length or size its model does not take is run again with
    the family's default for that field, and billed (`sora-2` at a `sora-2-pro` size, wan2.6
    at 480P, Veo at 5 seconds...)."""
    response = await call(app, scope, body)
    ctype = dict(scope["headers"]).get(b"content-type", b"")
    if not (
        is_operation(scope, "createVideo")
        and response.status == 400
        and ctype.startswith(b"application/json")
    ):
        return response
    try:
        document = json.loads(body)
        param = json.loads(response.body)["error"]["param"]
    except (ValueError, KeyError, TypeError):
        return response
    if not isinstance(document, dict):
        return response
    family = families().for_model(document.get("model"))
    if (
        param not in (family.seconds_field, family.size_field)
        or family.get(document, param) is None
    ):
        return response
    document = family.put(document, param, family.field_default(param))
    retry = json.dumps(document).encode()
    return await call(app, with_body(scope, retry), retry)


def _refuse_veo(refused: Callable[[Any], bool], field: str, message: str) -> Rewrite:
    """JSON creates of a Veo model whose `field` value `refused` picks answer 400 naming it,
    as the gateway's adapter code reports for Veo (a string `seconds`, any reference)."""

    async def rewrite(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
        ctype = dict(scope["headers"]).get(b"content-type", b"")
        if is_operation(scope, "createVideo") and ctype.startswith(b"application/json"):
            try:
                document = json.loads(body)
            except ValueError:
                document = None
            veo = families().named("veo")
            if (
                isinstance(document, dict)
                and document.get("model") in veo.models
                and field in document
                and refused(document[field])
            ):
                return error_answer(400, message, field, "invalid_value")
        return await call(app, scope, body)

    return rewrite


# Bodies above this are refused with 413, though the spec allows prompts of 32,000 characters.
_PROMPT_CAP_BYTES = 4096


async def _cap_prompts(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    if is_operation(scope, "createVideo") and len(body) > _PROMPT_CAP_BYTES:
        return error_answer(413, "Request too large.", None, "request_too_large")
    return await call(app, scope, body)


async def _square_thumbnail(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Thumbnails are squeezed into a small square, whatever the video's frame size."""
    from PIL import Image  # only this defect decodes an image

    response = await call(app, scope, body)
    media_type = load_spec().schema("ContentVariant")["x-media-types"]["thumbnail"]
    if (response.header(b"content-type") or b"").startswith(media_type.encode()):
        with Image.open(io.BytesIO(response.body)) as image:
            buffer = io.BytesIO()
            image.resize((64, 64)).save(buffer, format=image.format or "WEBP")
        response.body = buffer.getvalue()
    return response


def _regress_status() -> Rewrite:
    """Every other read of a completed job reports it `in_progress` again."""
    reads: dict[str, int] = {}

    async def rewrite(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
        response = await call(app, scope, body)
        if is_operation(scope, "retrieveVideo") and answers_json(response):
            video = json.loads(response.body)
            if video.get("status") == "completed":
                reads[video["id"]] = reads.get(video["id"], 0) + 1
                if reads[video["id"]] % 2 == 0:
                    video.update(status="in_progress", progress=50, completed_at=None)
                    response.body = json.dumps(video).encode()
        return response

    return rewrite


def _same(query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return query


def _without(name: str) -> Callable[[list[tuple[str, str]]], list[tuple[str, str]]]:
    return lambda query: [(k, v) for k, v in query if k != name]


def _keep(scope: Scope, page: dict[str, Any]) -> None:
    return None


def _skip_first_after_cursor(scope: Scope, page: dict[str, Any]) -> None:
    if any(k == "after" for k, _ in query_of(scope)):
        page["data"] = page["data"][1:]


def _empty(scope: Scope, page: dict[str, Any]) -> None:
    page["data"], page["has_more"] = [], False


def _more_forever(scope: Scope, page: dict[str, Any]) -> None:
    page["has_more"] = True


def _drop_last_page(scope: Scope, page: dict[str, Any]) -> None:
    if not page["has_more"] and any(k == "after" for k, _ in query_of(scope)):
        page["data"] = []


async def _ignore_range(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """`Accept-Ranges: bytes` is advertised, but a Range header is ignored (200, whole body)."""
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
    return await call(app, {**scope, "headers": headers}, body)


async def _content_without_key(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Downloads are served to anyone: the key is checked on every operation but this one."""
    if is_operation(scope, "downloadVideoContent"):
        return await _no_auth_check(app, scope, body)
    return await call(app, scope, body)


async def _serve_unknown_variant(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A download's `variant` outside the enum is served as the default (the MP4)."""
    if is_operation(scope, "downloadVideoContent"):
        spec = load_spec()
        query = query_of(scope)
        if any(k == "variant" and v not in spec.enum("ContentVariant") for k, v in query):
            kept = [*_without("variant")(query), ("variant", spec.default("ContentVariant"))]
            scope = with_query(scope, kept)
    return await call(app, scope, body)


async def _rewrite_errors(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Every 4xx error object is rewritten as a gateway's own: type, code and message replaced
    (only `param` is passed on)."""
    response = await call(app, scope, body)
    if not (400 <= response.status < 500 and answers_json(response)):
        return response
    try:
        document = json.loads(response.body)
    except ValueError:
        return response
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict):
        error.update(
            message="Upstream request failed.", type="upstream_error", code="upstream_error"
        )
        response.body = json.dumps(document).encode()
    return response


async def _basic_as_bearer(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """`Authorization: Basic <key>` is taken as if it were `Bearer <key>`."""
    headers = [
        (
            k,
            b"Bearer " + v[len(b"Basic ") :]
            if k.lower() == b"authorization" and v.startswith(b"Basic ")
            else v,
        )
        for k, v in scope["headers"]
    ]
    return await call(app, {**scope, "headers": headers}, body)


# An upstream address of the kind a gateway leaks from its configuration.
_INTERNAL_UPSTREAM = b"http://127.0.0.1:9301/v1"


async def _leak_upstream(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """Every answer names the gateway's internal upstream in a header."""
    response = await call(app, scope, body)
    response.set_header(b"x-upstream-base", _INTERNAL_UPSTREAM)
    return response


def _remix_at_defaults(video: dict[str, Any]) -> None:
    if video.get("remixed_from_video_id"):
        spec = load_spec()
        video["size"] = spec.default("VideoSize")
        video["seconds"] = spec.default("VideoSeconds")


def _default_model(video: dict[str, Any]) -> None:
    spec = load_spec()
    if video.get("model") in spec.enum("VideoModel"):
        video["model"] = spec.enum("VideoModel")[0]


async def _follow_the_page(app: ASGIApp, scope: Scope, body: bytes) -> Captured:
    """A JSON create of a Sora model at a size only another Sora model takes is accepted, as
    the gateway's page allows (the contract deviates on purpose): rendered by the model that
    takes the size, answered with the model asked for."""
    if not is_operation(scope, "createVideo"):
        return await call(app, scope, body)
    try:
        document = json.loads(body)
    except ValueError:
        return await call(app, scope, body)
    sora = families(load_spec()).default_family
    if not isinstance(document, dict) or document.get("model") not in sora.models:
        return await call(app, scope, body)
    asked, size = document["model"], document.get(sora.size_field)
    if size in sora.allowed(asked, sora.size_field):
        return await call(app, scope, body)
    taker = next((m for m in sora.models if size in sora.allowed(m, sora.size_field)), None)
    if taker is None:
        return await call(app, scope, body)
    sent = json.dumps({**document, "model": taker}).encode()
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(sent)).encode()))
    response = await call(app, {**scope, "headers": headers}, sent)
    if response.status == 200 and answers_json(response):
        answer = json.loads(response.body)
        answer["model"] = asked
        response.body = json.dumps(answer).encode()
    return response


_WRAPPERS: dict[str, tuple[str, Wrapper]] = {
    "wrong-type": ("`progress` is sent as a string", wrap(edit_videos(_progress_as_text))),
    "missing-field": (
        "the required `created_at` is left out",
        wrap(edit_videos(_drop_created_at)),
    ),
    "status-outside-enum": (
        "unfinished jobs report status `pending`",
        wrap(edit_videos(_unknown_status)),
    ),
    "accepts-invalid": ("invalid creates are accepted and billed", wrap(_accept_invalid)),
    "rejects-valid": (
        "creates with a non-default Sora length are refused",
        wrap(_reject_valid_length),
    ),
    "server-error": (
        "a list page of the largest allowed size answers 500",
        wrap(_fail_on_largest_page),
    ),
    "wrong-content-type": ("JSON bodies are labelled text/plain", wrap(_json_as_text)),
    "no-auth": ("requests without a valid key are served", wrap(_no_auth_check)),
    "lost-video": ("created videos cannot be retrieved (404)", wrap(_lose_created)),
    "undeletable": ("deleting confirms but keeps the video", wrap(_delete_keeps)),
    "repeating-pages": ("`after` is ignored, so pages repeat", wrap(_ignore_cursor)),
    "corrupt-mp4": ("downloaded MP4s are corrupt", wrap(_corrupt_mp4)),
    "failed-jobs": ("every job ends `failed`", wrap(edit_videos(_fail_every_job))),
    "truncated-mp4": ("MP4 downloads stop half-way through their declared length", _truncate_mp4),
    "ignored-size": ("a create's `size` is ignored; jobs get the default", wrap(_ignore_size)),
    "wrong-thumbnail-size": ("thumbnails are a 64x64 square", wrap(_square_thumbnail)),
    "millisecond-timestamps": (
        "times are in milliseconds, not seconds",
        wrap(edit_videos(_milliseconds)),
    ),
    "regressing-status": (
        "every other read of a completed job says `in_progress`",
        wrap(_regress_status()),
    ),
    "skipping-pages": (
        "each page after a cursor leaves out its first video",
        wrap(edit_list(_skip_first_after_cursor, _same)),
    ),
    "ignored-limit": (
        "`limit` is ignored (pages of the default size)",
        wrap(edit_list(_keep, _without("limit"))),
    ),
    "ignored-order": (
        "`order` is ignored (always newest first)",
        wrap(edit_list(_keep, _without("order"))),
    ),
    "has-more-stuck": ("`has_more` is always true", wrap(edit_list(_more_forever, _same))),
    "empty-list": ("the list is always empty", wrap(edit_list(_empty, _same))),
    "drops-last-page": (
        "the last page of a walk comes back empty",
        wrap(edit_list(_drop_last_page, _same)),
    ),
    "prompt-cap": ("create bodies over 4 KB are refused with 413", wrap(_cap_prompts)),
    "near-miss-accepted": (
        "a `seconds` value outside the enum is rounded instead of refused",
        wrap(_accept_near_miss),
    ),
    "family-miss-accepted": (
        "a JSON create with a length or size its model does not take gets the family's default",
        wrap(_accept_family_miss),
    ),
    "veo-seconds-as-number": (
        "Veo refuses `seconds` as the page's string and takes it only as an integer",
        wrap(_refuse_veo(lambda v: isinstance(v, str), "seconds", "seconds must be a number")),
    ),
    "veo-seconds-refused": (
        "Veo refuses every `seconds`, as a string and as an integer",
        wrap(_refuse_veo(lambda v: True, "seconds", "Unsupported duration.")),
    ),
    "veo-image-refused": (
        "Veo refuses a first-frame image (`input_reference`), which the page documents",
        wrap(_refuse_veo(lambda v: True, "input_reference", "Reference images are not supported.")),
    ),
    "ranges-ignored": (
        "`Accept-Ranges: bytes` is advertised but Range is ignored",
        wrap(_ignore_range),
    ),
    "content-without-key": ("downloads are served without a key", wrap(_content_without_key)),
    "unknown-variant-served": (
        "a download's unknown `variant` is served the MP4",
        wrap(_serve_unknown_variant),
    ),
    "rewritten-errors": (
        "4xx error objects are rewritten (type, code, message; param kept)",
        wrap(_rewrite_errors),
    ),
    "basic-auth-accepted": ("the key is accepted as Basic credentials", wrap(_basic_as_bearer)),
    "leaks-upstream": (
        "every answer names an internal upstream URL in a header",
        wrap(_leak_upstream),
    ),
    "remix-resets": (
        "a remix reports the default size and length, not its source's",
        wrap(edit_videos(_remix_at_defaults)),
    ),
    "follows-the-page": (
        "Sora models take every size the gateway's page lists (the contract's deviation)",
        wrap(_follow_the_page),
    ),
    "reports-default-model": (
        "every Sora job reports the default model",
        wrap(edit_videos(_default_model)),
    ),
}

# name -> one line saying what the broken server does wrong.
DEFECTS: dict[str, str] = {name: summary for name, (summary, _) in _WRAPPERS.items()}


def apply_defects(app: ASGIApp, names: Sequence[str]) -> ASGIApp:
    """Wrap `app` so that it misbehaves as each named defect says."""
    unknown = [name for name in names if name not in DEFECTS]
    if unknown:
        raise ValueError(f"unknown defect(s): {', '.join(unknown)}")
    for name in names:
        app = _WRAPPERS[name][1](app)
    return app
