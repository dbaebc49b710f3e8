"""The mock's operations, one handler per `operationId`, and the jobs they create.

A handler gets the request and a `Call` (the operation, the caller's owner id, and the path
and query parameters already checked against the spec) and returns a response or raises an
`ApiError`. Jobs are created with seeded ids and fates, stored before the answer, and seen as
their clock says, unless a test holds them (`hold`).
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from videos_contract.families import families
from videos_contract.mock.bodies import media_type, read_json, read_multipart
from videos_contract.mock.config import MockConfig
from videos_contract.mock.errors import ApiError
from videos_contract.mock.media import RENDERED_MEDIA_TYPES, render_asset
from videos_contract.mock.plans import plan_render
from videos_contract.mock.ranges import byte_range, range_applies, validators
from videos_contract.mock.store import FAIL_MARKER, Job, JobStore, UnknownCursor
from videos_contract.mock.uploads import Uploads
from videos_contract.mock.validation import BodyRules
from videos_contract.protocol import protocol
from videos_contract.spec import Operation, Spec, SpecError

__all__ = ["Call", "Handler", "Handlers"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Call:
    """What a handler gets besides the request: the caller and the checked parameters."""

    operation: Operation
    owner: str
    path: dict[str, str]
    params: dict[str, Any]


Handler = Callable[[Request, Call], Awaitable[Response]]


class Handlers:
    """The operations of one mock server over its job store."""

    def __init__(
        self, config: MockConfig, spec: Spec, store: JobStore, names: Mapping[str, str]
    ) -> None:
        self.config = config
        self.spec = spec
        self.store = store
        self._names = names
        self._random = random.Random(f"jobs:{config.seed}")
        self._lock = threading.Lock()
        # Ids from a seeded generator repeat from run to run, which a store that outlives the
        # process (or is shared by several) must not see: there they come from the OS.
        self._random_ids = config.shared_store
        # The clock jobs move by: the store's when it has one (a database shared by several
        # hosts), else this host's wall clock.
        self.now: Callable[[], float] = getattr(store, "now", time.time)
        self._next_prune = 0.0
        # Jobs held `queued` (see `hold`): ids, and whether new jobs join them.
        self._held: set[str] = set()
        self._holding = False
        self.by_operation: dict[str, Handler] = {
            "createVideo": self._create_video,
            "listVideos": self._list_videos,
            "retrieveVideo": self._retrieve_video,
            "deleteVideo": self._delete_video,
            "downloadVideoContent": self._download_content,
            "remixVideo": self._remix_video,
        }
        self._families = families(spec)
        self._bodies: dict[tuple[str, str], BodyRules] = {}
        for operation in spec.operations():
            for kind in operation.request_media_types:
                rules = BodyRules.for_operation(operation, kind)
                # `x-rules-from`: a body form that obeys another schema's cross-field rules.
                source = rules.schema.get("x-rules-from")
                if isinstance(source, dict):
                    rules = rules.with_conditions(source)
                self._bodies[(operation.operation_id, kind)] = rules
        self._uploads = Uploads(spec)
        self._asset_types = self._check_asset_types()

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

    # -- holding jobs unfinished -------------------------------------------------------------

    def hold(self) -> None:
        """Jobs created from now on stay `queued`, whatever time passes, until `release`.

        For tests that need a job unfinished when their next request arrives: an explicit
        hold instead of a render time that a stalled machine can outrun. It holds the jobs
        of this process only (one in-process server, as tests run it).
        """
        with self._lock:
            self._holding = True

    def release(self) -> None:
        """Held jobs follow their clock again (completed at once if their render time is up);
        new jobs are no longer held."""
        with self._lock:
            self._holding = False
            self._held.clear()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """`hold` for the `with` block, `release` after it."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    # -- jobs --------------------------------------------------------------------------------

    def _status(self, job: Job, now: float) -> str:
        return "queued" if job.id in self._held else job.state(now).status

    def _video(
        self, job: Job, now: float | None = None, *, accepted: bool = False
    ) -> dict[str, Any]:
        moment = self.now() if now is None else now
        held = accepted or job.id in self._held
        style = self._families.for_model(job.model).response
        return job.to_api(moment, self._names["video"], accepted=held, style=style)

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
        now = self.now()
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
            with self._lock:
                if self._holding:
                    self._held.add(job.id)
            try:
                # Committed before the answer: an accepted job survives a crash of the server.
                await self.stored(self.store.add, job)
            except ValueError:
                continue  # the id is taken (a restarted seeded run): draw another
            await self._prune(now)
            return job
        raise RuntimeError("no free job id after 8 draws")

    async def stored(self, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
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
            await self.stored(prune, now)

    async def _job(self, call: Call) -> Job:
        video_id = call.path["video_id"]
        job = await self.stored(self.store.get, call.owner, video_id)
        if job is None:
            raise ApiError(
                404,
                f"No video found with id '{video_id[:80]}'.",
                param="video_id",
                code="video_not_found",
            )
        return job

    def _require_completed(self, job: Job, now: float) -> None:
        status = self._status(job, now)
        if status != "completed":
            raise ApiError(
                409,
                f"Video '{job.id}' is {status}, not completed; its content is not available.",
                param="video_id",
                code="video_not_ready",
            )

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

    # -- handlers ----------------------------------------------------------------------------

    async def _create_video(self, request: Request, call: Call) -> Response:
        kind, boundary = self._require_media_type(request, call.operation)
        rules = self._bodies[(call.operation.operation_id, kind)]
        limit = self.config.max_body_bytes
        sent: Any = None  # the JSON body as sent, before defaults were filled in
        if kind == "multipart/form-data":
            form = await read_multipart(
                request,
                limit,
                boundary,
                max_parts=self.config.max_parts,
                timeout=self.config.body_timeout_seconds,
            )
            try:
                instance, uploads = self._uploads.form_instance(form, rules)
                body = rules.check(self._with_model(instance))
                reference = None
                for name, part in uploads.items():
                    reference = await run_in_threadpool(
                        self._uploads.check, name, part, str(body["size"])
                    )
            finally:
                form.close()
        else:
            sent = self._with_model(
                await read_json(request, limit, self.config.body_timeout_seconds)
            )
            mismatch = self._families.shape_refusal(sent)
            if mismatch is not None:
                raise ApiError(400, mismatch[1], param=mismatch[0], code="invalid_value")
            body = rules.check(sent)
            reference = None
            self._require_listed(body.get("model"))
        if reference is None and isinstance(body.get("input_reference"), dict):
            reference = {"type": "object", **body["input_reference"]}
        family = self._families.for_model(body.get("model"))
        width, height, seconds = plan_render(
            family,
            body,
            self._families.default_family,
            sent if isinstance(sent, dict) else body,
        )
        job = await self._new_job(
            call.owner,
            prompt=str(family.prompt_of(body)),
            model=str(body.get("model") or family.field_default("model")),
            size=f"{width}x{height}",
            seconds=str(seconds),
            reference=reference,
        )
        return JSONResponse(self._video(job, accepted=True))

    def _with_model(self, body: Any) -> Any:
        """A create body that names its model, as the newest page requires.

        Without `model` the body takes the mock's `default_model` when one is set (the older
        pages' behaviour); otherwise it is refused with 400 and `param: model`.
        """
        if not isinstance(body, dict) or body.get("model") is not None:
            return body
        if self.config.default_model is not None:
            return {**body, "model": self.config.default_model}
        raise ApiError(
            400,
            "Missing required parameter: 'model'.",
            param="model",
            code="missing_required_parameter",
        )

    def _require_listed(self, model: Any) -> None:
        """A model the spec does not list is refused, unless the mock accepts unlisted ones."""
        if not isinstance(model, str) or self.config.accept_unlisted_models:
            return
        if not self._families.known(model):
            raise ApiError(
                400,
                f"Invalid 'model': '{model[:80]}' is not a model this server serves. Expected "
                f"one of {', '.join(self._families.models)}.",
                param="model",
                code="model_not_found",
            )

    async def _list_videos(self, request: Request, call: Call) -> Response:
        try:
            jobs, more = await self.stored(
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
                "after: never one of this key's videos, or forgotten since its assets expired. "
                "Start again from the first page.",
                param="after",
                code="unknown_cursor",
            ) from None
        now = self.now()
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

    async def _retrieve_video(self, request: Request, call: Call) -> Response:
        job = await self._job(call)
        return JSONResponse(
            self._video(job),
            headers={protocol(self.spec).poll_after_header: str(self.poll_after_ms())},
        )

    async def _delete_video(self, request: Request, call: Call) -> Response:
        job = await self._job(call)
        if not await self.stored(self.store.delete, call.owner, job.id):
            raise ApiError(
                404, f"No video found with id '{job.id}'.", param="video_id", code="video_not_found"
            )
        return JSONResponse({"id": job.id, "object": self._names["deleted"], "deleted": True})

    async def _download_content(self, request: Request, call: Call) -> Response:
        job = await self._job(call)
        variant = str(call.params["variant"])
        family = self._families.for_model(job.model)
        if variant not in family.variants:
            raise ApiError(
                400,
                f"Invalid 'variant': '{variant}' is not available for {family.title} jobs "
                f"({job.model}); they offer {', '.join(family.variants)}.",
                param="variant",
                code="unsupported_for_model",
            )
        now = self.now()
        self._require_completed(job, now)
        if job.expired(now):
            raise ApiError(
                410,
                f"The assets of video '{job.id}' have expired.",
                param="video_id",
                code="video_expired",
            )
        kind = self._asset_types[str(call.params["variant"])]
        data = await run_in_threadpool(render_asset, kind, job.size, job.seconds)
        completed_at = job.state(now).completed_at
        assert completed_at is not None  # a completed job has its time
        headers = {"Accept-Ranges": "bytes", **validators(data, completed_at)}
        wanted = call.params.get("Range")
        if not range_applies(call.params.get("If-Range"), headers):
            wanted = None  # the asset is not the one the client holds part of: all of it
        chosen = byte_range(wanted, len(data))
        if chosen is None:
            return Response(data, media_type=kind, headers=headers)
        first, last = chosen
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
        return Response(data[first : last + 1], status_code=206, media_type=kind, headers=headers)

    async def _remix_video(self, request: Request, call: Call) -> Response:
        kind, _ = self._require_media_type(request, call.operation)
        rules = self._bodies[(call.operation.operation_id, kind)]
        body = rules.check(
            await read_json(request, self.config.max_body_bytes, self.config.body_timeout_seconds)
        )
        source = await self._job(call)
        family = self._families.for_model(source.model)
        if not family.remix:
            raise ApiError(
                400,
                f"Invalid 'video_id': {family.title} jobs ({source.model}) cannot be remixed; "
                "remix is for "
                + ", ".join(f.title for f in self._families if f.remix)
                + " jobs only.",
                param="video_id",
                code="unsupported_for_model",
            )
        self._require_completed(source, self.now())
        job = await self._new_job(
            call.owner,
            prompt=str(body["prompt"]),
            model=source.model,
            size=source.size,
            seconds=source.seconds,
            remixed_from=source.id,
        )
        return JSONResponse(self._video(job, accepted=True))
