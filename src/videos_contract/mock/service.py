"""The mock's request handling: routing from the spec's paths, auth, faults and handlers.

Routes are built from `openapi.yaml` (one per path, one handler per `operationId`), so a
method the spec does not list on a path answers 405 with the spec's methods in `Allow`.
Every answer is a response, never an exception: refusals are `ApiError`s, and anything
unexpected is logged (without headers or bodies) and answered as a JSON 500.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import random
import re
import secrets
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from videos_contract.families import families
from videos_contract.mock.bodies import (
    MultipartForm,
    Part,
    media_type,
    read_json,
    read_multipart,
)
from videos_contract.mock.config import MockConfig
from videos_contract.mock.errors import ApiError, error_response, redact_keys
from videos_contract.mock.faults import DROP, SLOW, FaultInjector, RateLimiter, ResponseFaults
from videos_contract.mock.media import RENDERED_MEDIA_TYPES, render_asset
from videos_contract.mock.plans import plan_render
from videos_contract.mock.ranges import byte_range
from videos_contract.mock.store import FAIL_MARKER, Job, JobStore, UnknownCursor
from videos_contract.mock.validation import BodyRules, ParameterRules, coerce_text
from videos_contract.protocol import protocol
from videos_contract.spec import Operation, Spec, SpecError

_T = TypeVar("_T")

__all__ = ["MockService"]

logger = logging.getLogger("videos_contract.mock")

_BRACKET = re.compile(r"([^\[\]]+)\[([^\[\]]+)\]")

Handler = Callable[[Request, "_Call"], Awaitable[Response]]


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    template: str
    operations: dict[str, Operation]


@dataclass(frozen=True)
class _Call:
    """What a handler gets besides the request: the caller and the checked parameters."""

    operation: Operation
    owner: str
    path: dict[str, str]
    params: dict[str, Any]


def _route_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{([^{}]+)\}", template)
    regex = ""
    for index, part in enumerate(parts):
        regex += re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)"
    return re.compile(regex)


class MockService:
    """One mock server's state and behaviour; an ASGI app in its own right."""

    def __init__(self, config: MockConfig, spec: Spec, store: JobStore) -> None:
        self.config = config
        self.spec = spec
        self.store = store
        self.unexpected_errors = 0
        self._keys = tuple(key.encode("utf-8") for key in config.keys)
        self._random = random.Random(f"jobs:{config.seed}")
        self._lock = threading.Lock()
        self._faults = FaultInjector(config.fault_rate, config.seed)
        self._limiter = RateLimiter(config.rate_limit) if config.rate_limit else None
        self._response_faults = ResponseFaults(config.drop_rate, config.slow_rate, config.seed)
        # Ids from a seeded generator repeat from run to run, which a store that outlives the
        # process (or is shared by several) must not see: there they come from the OS.
        self._random_ids = config.store_path is not None
        self._next_prune = 0.0
        self._handlers: dict[str, Handler] = {
            "createVideo": self._create_video,
            "listVideos": self._list_videos,
            "retrieveVideo": self._retrieve_video,
            "deleteVideo": self._delete_video,
            "downloadVideoContent": self._download_content,
            "remixVideo": self._remix_video,
        }
        self._routes: list[_Route] = []
        self._params: dict[str, ParameterRules] = {}
        self._bodies: dict[tuple[str, str], BodyRules] = {}
        for template in spec.raw.get("paths", {}):
            operations: dict[str, Operation] = {}
            for operation in spec.operations():
                if operation.path != template:
                    continue
                if operation.operation_id not in self._handlers:
                    raise SpecError(f"the mock has no handler for {operation.operation_id}")
                operations[operation.method] = operation
                self._params[operation.operation_id] = ParameterRules.for_operation(operation)
                for kind in operation.request_media_types:
                    rules = BodyRules.for_operation(operation, kind)
                    # `x-rules-from`: a body form that obeys another schema's cross-field rules.
                    source = rules.schema.get("x-rules-from")
                    if isinstance(source, dict):
                        rules = rules.with_conditions(source)
                    self._bodies[(operation.operation_id, kind)] = rules
            self._routes.append(_Route(_route_pattern(template), template, operations))
        # Longest literal prefix first, so `/v1/videos/{id}/content` is not taken for `{id}`.
        self._routes.sort(key=lambda route: -len(route.template))
        self._upload_types = self._read_upload_types()
        self._families = families(spec)
        self._names = {
            "video": protocol(spec).object_name("Video"),
            "list": protocol(spec).object_name("VideoList"),
            "deleted": protocol(spec).object_name("DeletedVideo"),
        }
        self._asset_types = self._check_asset_types()

    # -- spec-derived facts ------------------------------------------------------------------

    def _read_upload_types(self) -> dict[str, tuple[str, ...]]:
        """Image media types each file field accepts, from the multipart `encoding`."""
        accepted: dict[str, tuple[str, ...]] = {}
        for operation in self.spec.operations():
            content = operation.request_media_types.get("multipart/form-data")
            if not content:
                continue
            for name, encoding in content.get("encoding", {}).items():
                types = [t.strip().lower() for t in str(encoding.get("contentType", "")).split(",")]
                accepted[name] = tuple(t for t in types if t.startswith("image/"))
        return accepted

    def _check_asset_types(self) -> dict[str, str]:
        """Variant -> media type, from the spec; each must be documented and renderable."""
        operation = self.spec.operation("downloadVideoContent")
        listed = set(operation.responses.get("200", {}).get("content", {}))
        schema = operation.parameter("variant")["schema"]
        media_types: dict[str, str] = dict(schema.get("x-media-types", {}))
        for variant in schema.get("enum", []):
            kind = media_types.get(variant)
            if kind not in listed or kind not in RENDERED_MEDIA_TYPES:
                raise SpecError(f"the mock cannot serve content variant {variant!r}")
        return media_types

    # -- ASGI entry --------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request)
        except ApiError as exc:
            # Messages quote ids, paths and fields; a key sent in one of them is masked.
            exc.message = redact_keys(exc.message, self.config.keys)
            response = error_response(exc)
        except ClientDisconnect:
            return  # the client left mid-body: nobody to answer, nothing went wrong here
        except RecursionError:
            # Input nested past what the parsers can descend: the request's fault, not ours.
            response = error_response(
                ApiError(400, "The request is nested too deeply to be read.", code="invalid_json")
            )
        except Exception as exc:
            # A bug of the mock: logged without headers, body or message (which might quote
            # the request), answered as JSON so that clients still get the error contract.
            self.unexpected_errors += 1
            logger.error(
                "unhandled %s in %s %s",
                type(exc).__name__,
                request.method,
                request.url.path,
                exc_info=exc,
            )
            response = error_response(
                ApiError(
                    500,
                    "The server had an error while processing your request.",
                    type="server_error",
                    code="internal_error",
                )
            )
        fault = self._response_faults.choose() if scope.get("type") == "http" else None
        if fault == SLOW:
            await asyncio.sleep(self.config.slow_seconds)
        elif fault == DROP and response.status_code < 400:
            await _send_cut(response, send)
            return
        await response(scope, receive, send)

    def _check_head(self, scope: Scope) -> None:
        """431 for a request head over `max_header_bytes`.

        The HTTP parser enforces the limit only while a head is incomplete, so a large head
        that arrives in one read gets here; this makes the limit exact.
        """
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        size += sum(len(name) + len(value) + 4 for name, value in scope.get("headers", ()))
        limit = self.config.max_header_bytes
        if size > limit:
            raise ApiError(
                431,
                f"The request head is larger than this server accepts ({limit} bytes).",
                code="request_header_too_large",
                headers={"Connection": "close"},
            )

    async def _dispatch(self, request: Request) -> Response:
        self._check_head(request.scope)
        path: str = request.scope["path"]  # not url.path, which drops control characters
        for route in self._routes:
            match = route.pattern.fullmatch(path)
            if match is not None:
                break
        else:
            raise ApiError(
                404,
                f"Invalid URL ({request.method} {path}).",
                code="unknown_url",
            )
        operation = route.operations.get(request.method.upper())
        if operation is None:
            allowed = ", ".join(route.operations)
            raise ApiError(
                405,
                f"Method {request.method} is not allowed on {route.template}; use {allowed}.",
                code="method_not_allowed",
                headers={"Allow": allowed},
            )
        self._faults.check()
        owner = self._authenticate(request)
        if self._limiter is not None:
            self._limiter.check(owner)
        query = {name: request.query_params.getlist(name) for name in request.query_params}
        params = self._params[operation.operation_id].check(query, request.headers)
        call = _Call(operation, owner, dict(match.groupdict()), params)
        return await self._handlers[operation.operation_id](request, call)

    def _authenticate(self, request: Request) -> str:
        """The caller's owner id (a digest of the key, never the key itself)."""
        header = request.headers.get("authorization")
        challenge = {"WWW-Authenticate": "Bearer"}
        if not header:
            raise ApiError(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                type="authentication_error",
                code="missing_api_key",
                headers=challenge,
            )
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401,
                "The Authorization header must be 'Bearer <key>'.",
                type="authentication_error",
                code="invalid_api_key",
                headers=challenge,
            )
        given = token.encode("utf-8")
        accepted = False
        for key in self._keys:
            # Every key is compared, in constant time, so timing tells nothing.
            accepted |= hmac.compare_digest(given, key)
        if not accepted:
            raise ApiError(
                401,
                "Incorrect API key provided.",
                type="authentication_error",
                code="invalid_api_key",
                headers=challenge,
            )
        return self.owner_id(token)

    # -- jobs --------------------------------------------------------------------------------

    def _video(
        self, job: Job, now: float | None = None, *, accepted: bool = False
    ) -> dict[str, Any]:
        moment = time.time() if now is None else now
        style = self._families.for_model(job.model).response
        return job.to_api(moment, self._names["video"], accepted=accepted, style=style)

    @staticmethod
    def owner_id(key: str) -> str:
        """The store's owner id for a key: a digest, so the store never holds keys."""
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    async def _new_job(
        self,
        owner: str,
        *,
        prompt: str,
        model: str,
        size: str,
        seconds: str,
        remixed_from: str | None = None,
        reference: dict[str, Any] | None = None,
    ) -> Job:
        first_id = self._new_id(model)
        with self._lock:
            fails = FAIL_MARKER in prompt or (
                self.config.fail_rate > 0 and self._random.random() < self.config.fail_rate
            )
            fail_at = round(self._random.uniform(0.2, 0.8), 2) if fails else None
        now = time.time()
        config = self.config
        # Kept while its assets live (or as long after a failure), then `prune_after_seconds`.
        ends = now + config.render_seconds * (1.0 if fail_at is None else fail_at)
        for attempt in range(8):
            job = Job(
                id=first_id if attempt == 0 else self._new_id(model),
                owner=owner,
                model=model,
                prompt=prompt,
                size=size,
                seconds=seconds,
                created_at=now,
                started=now,
                render_seconds=config.render_seconds,
                asset_ttl_seconds=config.asset_ttl_seconds,
                fail_at=fail_at,
                remixed_from_video_id=remixed_from,
                reference=reference,
                prune_at=ends + config.asset_ttl_seconds + config.prune_after_seconds,
            )
            try:
                # Committed before the answer: an accepted job survives a crash of the server.
                await self._stored(self.store.add, job)
            except ValueError:
                continue  # the id is taken (a restarted seeded run): draw another
            await self._prune(now)
            return job
        raise RuntimeError("no free job id after 8 draws")

    async def _stored(self, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Call the store in a worker thread when its calls block (SQLite), inline when they
        do not (memory): for a dict lookup the thread hop costs more than the call."""
        if getattr(self.store, "blocking", True):
            return await run_in_threadpool(call, *args, **kwargs)
        return call(*args, **kwargs)

    def _new_id(self, model: str | None = None) -> str:
        """A `video_...` id for Sora-style families; the gateway's style for the others: the
        URL-safe base64 of `{"model":...,"id":...}` (its documented ids read `eyJtb2RlbCI6...`)."""
        if self._random_ids:
            raw = f"video_{secrets.token_hex(24)}"
        else:
            with self._lock:
                raw = f"video_{self._random.getrandbits(192):048x}"
        if model is None or self._families.for_model(model).response == "sora":
            return raw
        text = json.dumps({"model": model, "id": raw}, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")

    async def _prune(self, now: float) -> None:
        """Forget jobs past their `prune_at`, at most once a second per process."""
        if now < self._next_prune:
            return
        self._next_prune = now + 1.0
        prune = getattr(self.store, "prune", None)
        if prune is not None:
            await self._stored(prune, now)

    async def _job(self, call: _Call) -> Job:
        video_id = call.path["video_id"]
        job = await self._stored(self.store.get, call.owner, video_id)
        if job is None:
            raise ApiError(
                404,
                f"No video found with id '{video_id[:80]}'.",
                param="video_id",
                code="video_not_found",
            )
        return job

    def poll_after_ms(self) -> int:
        """A tenth of the render time, within 100 ms .. 5 s."""
        return max(100, min(5000, int(self.config.render_seconds * 100)))

    # -- bodies ------------------------------------------------------------------------------

    def _require_media_type(self, request: Request, operation: Operation) -> tuple[str, str]:
        kind, options = media_type(request)
        accepted = list(operation.request_media_types)
        if kind not in accepted:
            shown = f"'{kind[:60]}'" if kind else "no Content-Type"
            raise ApiError(
                415,
                f"Unsupported body media type: {shown}. Send {' or '.join(accepted)}.",
                code="unsupported_media_type",
            )
        return kind, options.get("boundary", "")

    def _form_instance(
        self, form: MultipartForm, rules: BodyRules
    ) -> tuple[dict[str, Any], dict[str, Part]]:
        """Multipart parts as the object the body schema describes, and the file parts."""
        instance: dict[str, Any] = {}
        uploads: dict[str, Part] = {}
        file_fields = rules.file_fields()
        bracketed: set[str] = set()
        for part in form.parts:
            name = part.name
            if (name in instance and name not in bracketed) or name in uploads:
                raise _duplicate(name)
            bracket = _BRACKET.fullmatch(name)
            shape = rules.object_form(bracket.group(1)) if bracket else None
            if bracket and shape is not None:
                base, key = bracket.groups()
                if (base in instance and base not in bracketed) or base in uploads:
                    raise _duplicate(base)
                target = instance.setdefault(base, {})
                if key in target:
                    raise _duplicate(name)
                if part.is_file:
                    raise _not_text(name)
                bracketed.add(base)
                target[key] = coerce_text(part.text(), shape.get("properties", {}).get(key, {}))
                continue
            if name in bracketed:
                raise _duplicate(name)
            if name in file_fields:
                if part.is_file:
                    if not part.filename:
                        raise _no_filename(name)
                    instance[name] = ""  # stands for the upload while the schema is checked
                    uploads[name] = part
                else:
                    instance[name] = self._reference_object(name, part)
                continue
            prop = rules.properties.get(name)
            if part.is_file:
                if prop is not None:
                    raise _not_text(name)
                instance[name] = ""
                continue
            text = part.text()
            instance[name] = coerce_text(text, prop) if prop is not None else text
        return instance, uploads

    def _reference_object(self, name: str, part: Part) -> Any:
        """A JSON part in a file field: it must hold the reference object."""
        try:
            value = json.loads(part.text())
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            formats = ", ".join(t.split("/")[1].upper() for t in self._upload_types.get(name, ()))
            raise ApiError(
                400,
                f"Invalid '{name}': expected an image file part ({formats or 'an image'}, with "
                "a file name) or a reference object sent as a JSON part, such as "
                '{"image_url": "https://..."}; got plain text.',
                param=name,
                code="invalid_type",
            )
        return value

    def _check_upload(self, name: str, part: Part, size: str) -> dict[str, Any]:
        """Decode the uploaded image and hold it to the requested frame size."""
        accepted = self._upload_types.get(name, ())
        formats = ", ".join(t.split("/")[1].upper() for t in accepted) or "image"
        assert part.file is not None
        part.file.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(part.file) as image:
                    found = Image.MIME.get(image.format or "", "")
                    if accepted and found not in accepted:
                        raise ApiError(
                            400,
                            f"Invalid '{name}': the file is {image.format or 'not an image'}; "
                            f"expected {formats}.",
                            param=name,
                            code="invalid_image_format",
                        )
                    actual = f"{image.width}x{image.height}"
                    if actual != size:
                        raise ApiError(
                            400,
                            f"Invalid '{name}': the image is {actual} but the requested size "
                            f"is {size}; the reference image must match the video size.",
                            param=name,
                            code="invalid_image_size",
                        )
                    image.load()
        except ApiError:
            raise
        except Exception:
            raise ApiError(
                400,
                f"Invalid '{name}': the uploaded file is not a decodable {formats} image.",
                param=name,
                code="invalid_image",
            ) from None
        return {"type": "upload", "format": found, "bytes": part.size}

    # -- handlers ----------------------------------------------------------------------------

    async def _create_video(self, request: Request, call: _Call) -> Response:
        kind, boundary = self._require_media_type(request, call.operation)
        rules = self._bodies[(call.operation.operation_id, kind)]
        limit = self.config.max_body_bytes
        if kind == "multipart/form-data":
            form = await read_multipart(
                request,
                limit,
                boundary,
                max_parts=self.config.max_parts,
                timeout=self.config.body_timeout_seconds,
            )
            try:
                instance, uploads = self._form_instance(form, rules)
                body = rules.check(instance)
                reference = None
                for name, part in uploads.items():
                    reference = await run_in_threadpool(
                        self._check_upload, name, part, str(body["size"])
                    )
            finally:
                form.close()
        else:
            body = rules.check(await read_json(request, limit, self.config.body_timeout_seconds))
            reference = None
        if reference is None and isinstance(body.get("input_reference"), dict):
            reference = {"type": "object", **body["input_reference"]}
        family = self._families.for_model(body.get("model"))
        width, height, seconds = plan_render(family, body, self._families.default_family)
        job = await self._new_job(
            call.owner,
            prompt=str(body["prompt"]),
            model=str(body.get("model") or family.field_default("model")),
            size=f"{width}x{height}",
            seconds=str(seconds),
            reference=reference,
        )
        return JSONResponse(self._video(job, accepted=True))

    async def _list_videos(self, request: Request, call: _Call) -> Response:
        try:
            jobs, more = await self._stored(
                self.store.page,
                call.owner,
                after=call.params.get("after"),
                limit=int(call.params["limit"]),
                order="asc" if call.params["order"] == "asc" else "desc",
            )
        except UnknownCursor:
            raise ApiError(
                400,
                f"Invalid 'after': no video with id '{str(call.params['after'])[:80]}' to page "
                "after.",
                param="after",
                code="unknown_cursor",
            ) from None
        now = time.time()
        data = [self._video(job, now) for job in jobs]
        return JSONResponse(
            {
                "object": self._names["list"],
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": more,
            }
        )

    async def _retrieve_video(self, request: Request, call: _Call) -> Response:
        job = await self._job(call)
        return JSONResponse(
            self._video(job),
            headers={protocol(self.spec).poll_after_header: str(self.poll_after_ms())},
        )

    async def _delete_video(self, request: Request, call: _Call) -> Response:
        job = await self._job(call)
        if not await self._stored(self.store.delete, call.owner, job.id):
            raise ApiError(
                404, f"No video found with id '{job.id}'.", param="video_id", code="video_not_found"
            )
        return JSONResponse({"id": job.id, "object": self._names["deleted"], "deleted": True})

    async def _download_content(self, request: Request, call: _Call) -> Response:
        job = await self._job(call)
        now = time.time()
        _require_completed(job, now)
        if job.expired(now):
            raise ApiError(
                410,
                f"The assets of video '{job.id}' have expired.",
                param="video_id",
                code="video_expired",
            )
        kind = self._asset_types[str(call.params["variant"])]
        data = await run_in_threadpool(render_asset, kind, job.size, job.seconds)
        headers = {"Accept-Ranges": "bytes"}
        chosen = byte_range(call.params.get("Range"), len(data))
        if chosen is None:
            return Response(data, media_type=kind, headers=headers)
        first, last = chosen
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
        return Response(data[first : last + 1], status_code=206, media_type=kind, headers=headers)

    async def _remix_video(self, request: Request, call: _Call) -> Response:
        kind, _ = self._require_media_type(request, call.operation)
        rules = self._bodies[(call.operation.operation_id, kind)]
        body = rules.check(
            await read_json(request, self.config.max_body_bytes, self.config.body_timeout_seconds)
        )
        source = await self._job(call)
        _require_completed(source, time.time())
        job = await self._new_job(
            call.owner,
            prompt=str(body["prompt"]),
            model=source.model,
            size=source.size,
            seconds=source.seconds,
            remixed_from=source.id,
        )
        return JSONResponse(self._video(job, accepted=True))


async def _send_cut(response: Response, send: Send) -> None:
    """Send the headers and half the body, then stop: the server closes the connection."""
    body = bytes(response.body)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})


def _require_completed(job: Job, now: float) -> None:
    status = job.state(now).status
    if status != "completed":
        raise ApiError(
            409,
            f"Video '{job.id}' is {status}, not completed; its content is not available.",
            param="video_id",
            code="video_not_ready",
        )


def _duplicate(name: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{name}': the field is given more than once.",
        param=name,
        code="duplicate_parameter",
    )


def _no_filename(name: str) -> ApiError:
    """The spec asks for a file part with a file name, as real servers do."""
    return ApiError(
        400,
        f"Invalid '{name}': the file part has no file name. Send it as "
        f'Content-Disposition: form-data; name="{name}"; filename="reference.png".',
        param=name,
        code="missing_filename",
    )


def _not_text(name: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{name}': expected a text field, but got a file upload.",
        param=name,
        code="invalid_type",
    )
