"""Serve a cassette (`mock --replay DIR`): recorded jobs with their ids, statuses and bytes.

The rules, and why (`docs/cassettes.md`, "Replaying"):

* A create is matched to a recorded create by its prompt (where the model's family puts it:
  HappyHorse's is `input.prompt`) and model (the model sent, or the spec's default when none
  is): the n-th replayed create with that pair gets the n-th recorded one. Fields that
  clients fill in differently (defaults sent or left out, boundary strings, file names) are
  not part of the key; the test's own order decides among equals. A remix is matched the
  same way by its source id and prompt.
* A job's answers are served in recorded order, one tape per kind of request: the k-th
  retrieve of a job gets the k-th recorded retrieve (the last one again once the tape runs
  out), likewise deletes and each content variant. The sequence a client sees is therefore
  exactly the recorded one, however fast or slow the machine running the tests. The pace is
  kept too: an answer is not sent before its recorded time since the job's create (divided
  by `speed`), and the recorded poll-after header is divided by `speed` as well.
* Lists are served as recorded for the same query, in order; a query never recorded gets a
  page derived from the jobs replayed so far, as each was last served.
* Anything else goes to the mock's normal handlers, or, with `strict`, is refused with an
  OpenAI-style error (code `not_recorded`) that names what was not recorded.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from videos_contract.cassette import Body, Cassette, RecordedExchange, read_cassette
from videos_contract.families import families
from videos_contract.http_rules import HOP_BY_HOP
from videos_contract.mock.bodies import limited_stream
from videos_contract.mock.errors import ApiError
from videos_contract.mock.handlers import Call
from videos_contract.mock.ranges import byte_range, range_applies
from videos_contract.mock.routing import Router
from videos_contract.protocol import protocol
from videos_contract.spec import Spec

__all__ = ["Replay"]

# Headers of a recorded answer that describe the recorded connection, not the answer: the
# hop-by-hop ones and these; the replaying server sets its own.
_NOT_REPLAYED = HOP_BY_HOP | {
    "content-length",
    "content-range",
    "date",
    "server",
    "set-cookie",
    "via",
}


class _Tape:
    """Recorded answers to one kind of request, served in order; the last one repeats."""

    def __init__(self) -> None:
        self.exchanges: list[RecordedExchange] = []
        self.served = 0

    def next(self) -> RecordedExchange:
        exchange = self.exchanges[min(self.served, len(self.exchanges) - 1)]
        self.served += 1
        return exchange


@dataclass
class _Job:
    created: RecordedExchange | None = None  # the recorded create (or remix) of the job
    replayed_at: float | None = None  # monotonic time its replayed create was answered
    retrieve: _Tape = field(default_factory=_Tape)
    delete: _Tape = field(default_factory=_Tape)
    content: dict[str, _Tape] = field(default_factory=dict)
    full: dict[str, RecordedExchange] = field(default_factory=dict)  # a whole 200 per variant
    last_seen: Any = None  # the Video object last served (for derived lists)


@dataclass
class _Create:
    key: tuple[str, ...]
    exchange: RecordedExchange
    used: bool = False


def _form_fields(content_type: str, data: bytes) -> dict[str, str]:
    """The text fields of a multipart body (files left out); {} when it does not parse."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + data
    )
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            fields.setdefault(name, payload.decode("utf-8", "replace"))
    return fields


def _body_fields(content_type: str, data: bytes) -> dict[str, Any]:
    """A create or remix body's fields, JSON or multipart; {} for anything else."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return _form_fields(content_type, data)
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _recorded_fields(exchange: RecordedExchange) -> dict[str, Any]:
    body = exchange.request_body
    if body is None:
        return {}
    if body.inline:
        return body.json if isinstance(body.json, dict) else {}
    content_type = next(
        (value for name, value in exchange.request_headers if name.lower() == "content-type"),
        body.content_type,
    )
    return _body_fields(content_type, body.read())


def _shown(text: object) -> str:
    value = str(text)
    return value if len(value) <= 60 else value[:57] + "..."


class Replay:
    """The replaying layer of one mock server; `answer` returns None to let the mock answer."""

    def __init__(
        self, cassette: Cassette, spec: Spec, router: Router, *, speed: float, strict: bool
    ) -> None:
        if not speed > 0:
            raise ValueError("replay speed must be > 0")
        self.cassette = cassette
        self.speed = speed
        self.strict = strict
        self._name = cassette.directory.name or str(cassette.directory)
        self._families = families(spec)
        self._default_model = str(self._families.default_family.field_default("model") or "")
        variant = spec.operation("downloadVideoContent").parameter("variant")["schema"]
        self._default_variant = str(variant.get("default", ""))
        self._poll_after = protocol(spec).poll_after_header.lower()
        self._list_name = protocol(spec).object_name("VideoList")
        self._jobs: dict[str, _Job] = {}
        self._creates: list[_Create] = []
        self._lists: dict[tuple[tuple[str, str], ...], _Tape] = {}
        self._order: list[str] = []  # jobs in the order they were replayed
        self._lock = asyncio.Lock()
        for exchange in cassette.exchanges:
            if exchange.complete and exchange.status is not None:
                self._file(exchange, router)

    @classmethod
    def load(
        cls,
        directory: Path,
        spec: Spec,
        router: Router,
        *,
        speed: float = 1.0,
        strict: bool = False,
    ) -> Replay:
        return cls(read_cassette(directory), spec, router, speed=speed, strict=strict)

    # -- filing the recording ----------------------------------------------------------------

    def _job(self, job_id: str) -> _Job:
        return self._jobs.setdefault(job_id, _Job())

    def _file(self, exchange: RecordedExchange, router: Router) -> None:
        try:
            # Recorded targets are as sent (percent-encoded); the mock routes decoded paths.
            operation, path = router.match(exchange.method, unquote(exchange.path))
        except ApiError:
            return  # not a request of the API: nothing to serve it for
        kind = operation.operation_id
        if kind == "createVideo":
            key = self._create_key(_recorded_fields(exchange))
            self._creates.append(_Create(key, exchange))
        elif kind == "remixVideo":
            fields = _recorded_fields(exchange)
            key = ("remix", path["video_id"], str(fields.get("prompt")))
            self._creates.append(_Create(key, exchange))
        elif kind == "listVideos":
            self._lists.setdefault(self._query_key(exchange.query), _Tape()).exchanges.append(
                exchange
            )
        else:
            job = self._job(path["video_id"])
            if kind == "retrieveVideo":
                job.retrieve.exchanges.append(exchange)
            elif kind == "deleteVideo":
                job.delete.exchanges.append(exchange)
            elif kind == "downloadVideoContent":
                variant = self._variant(exchange.query)
                job.content.setdefault(variant, _Tape()).exchanges.append(exchange)
                body = exchange.response_body
                if exchange.status == 200 and body is not None and body.complete:
                    job.full.setdefault(variant, exchange)
            return
        if exchange.job is not None and exchange.status == 200:
            self._job(exchange.job).created = exchange

    def _create_key(self, fields: dict[str, Any]) -> tuple[str, ...]:
        model = fields.get("model") or self._default_model
        # The prompt where the model's family puts it (HappyHorse: `input.prompt`).
        prompt = self._families.for_model(str(model)).prompt_of(fields)
        return ("create", str(model), str(prompt))

    def _variant(self, query: str) -> str:
        values = dict(parse_qsl(query, keep_blank_values=True))
        return values.get("variant", self._default_variant)

    @staticmethod
    def _query_key(query: str) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(parse_qsl(query, keep_blank_values=True)))

    # -- answering ---------------------------------------------------------------------------

    async def answer(
        self, request: Request, call: Call, limit: int, timeout: float
    ) -> Response | None:
        """The recorded answer to this request, None for the mock's own, or `ApiError`.

        `limit` and `timeout` bound the reading of a create's body (the mock's own limits).
        """
        operation_id = call.operation.operation_id
        if operation_id in ("createVideo", "remixVideo"):
            return await self._create(request, operation_id, call.path, limit, timeout)
        if operation_id == "listVideos":
            return self._list(request, call.params)
        job_id = call.path["video_id"]
        job = self._jobs.get(job_id)
        if job is None:
            return self._unrecorded(404, f"no video with id '{_shown(job_id)}'", "video_id")
        if operation_id == "retrieveVideo":
            tape = job.retrieve
            what = f"no retrieve of video '{_shown(job_id)}'"
        elif operation_id == "deleteVideo":
            tape = job.delete
            what = f"no delete of video '{_shown(job_id)}'"
        else:
            variant = str(call.params.get("variant", self._default_variant))
            tape = job.content.get(variant, _Tape())
            what = f"no download of the {_shown(variant)} of video '{_shown(job_id)}'"
        if not tape.exchanges:
            return self._unrecorded(404, what, "video_id")
        exchange = tape.next()
        await self._pace(job, exchange)
        if operation_id == "downloadVideoContent":
            return self._content(call, job, exchange, variant)
        response = self._recorded(exchange)
        if operation_id == "retrieveVideo" and exchange.response_body is not None:
            job.last_seen = exchange.response_body.json
        return response

    def _unrecorded(self, status: int, what: str, param: str | None) -> Response | None:
        if not self.strict:
            return None
        raise ApiError(
            status,
            f"Not recorded in the cassette '{self._name}': {what}. This mock replays in strict "
            "mode and serves only what the cassette holds.",
            param=param,
            code="not_recorded",
        )

    async def _pace(self, job: _Job, exchange: RecordedExchange) -> None:
        """Hold the answer until its recorded time since the job's create, over `speed`."""
        created = job.created
        if job.replayed_at is None or created is None or created.response_at is None:
            return
        offset = (exchange.response_at or exchange.started) - created.response_at
        due = job.replayed_at + max(offset, 0.0) / self.speed
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _create(
        self, request: Request, operation_id: str, path: dict[str, str], limit: int, timeout: float
    ) -> Response | None:
        data = b"".join([chunk async for chunk in limited_stream(request, limit, timeout)])
        request._body = data  # the mock's handler reads the same bytes if it answers instead
        fields = _body_fields(request.headers.get("content-type", ""), data)
        if operation_id == "createVideo":
            key = self._create_key(fields)
            what = f"no create with model '{_shown(key[1])}' and prompt '{_shown(key[2])}'"
        else:
            key = ("remix", path["video_id"], str(fields.get("prompt")))
            what = f"no remix of video '{_shown(key[1])}' with prompt '{_shown(key[2])}'"
        async with self._lock:
            found = next((c for c in self._creates if c.key == key and not c.used), None)
            if found is None:
                total = sum(1 for c in self._creates if c.key == key)
                left = f" ({total} recorded, all replayed already)" if total else ""
                return self._unrecorded(400, what + left, "prompt")
            found.used = True
        exchange = found.exchange
        response = self._recorded(exchange)
        if exchange.job is not None and exchange.status == 200:
            job = self._job(exchange.job)
            job.replayed_at = time.monotonic()
            job.last_seen = exchange.response_body.json if exchange.response_body else None
            if exchange.job not in self._order:
                self._order.append(exchange.job)
        return response

    def _list(self, request: Request, params: dict[str, Any]) -> Response | None:
        tape = self._lists.get(self._query_key(request.url.query))
        if tape is not None:
            return self._recorded(tape.next())
        if not self._order:
            query = _shown(request.url.query)
            return self._unrecorded(400, f"no list with the query '{query}'", None)
        return self._derived_list(params)

    def _derived_list(self, params: dict[str, Any]) -> Response:
        """A page of the jobs replayed so far, each as last served, in creation order."""
        seen = [self._jobs[job_id].last_seen for job_id in self._order]
        videos = [video for video in seen if isinstance(video, dict)]
        videos.sort(key=lambda video: video.get("created_at") or video.get("created") or 0)
        if params.get("order") != "asc":
            videos.reverse()
        after = params.get("after")
        if after is not None:
            ids = [video.get("id") for video in videos]
            if after not in ids:
                raise ApiError(
                    400,
                    f"Invalid 'after': no replayed video with id '{_shown(after)}' to page after.",
                    param="after",
                    code="unknown_cursor",
                )
            videos = videos[ids.index(after) + 1 :]
        limit = int(params["limit"])
        page = videos[:limit]
        return Response(
            json.dumps(
                {
                    "object": self._list_name,
                    "data": page,
                    "first_id": page[0]["id"] if page else None,
                    "last_id": page[-1]["id"] if page else None,
                    "has_more": len(videos) > limit,
                }
            ),
            media_type="application/json",
        )

    # -- building answers --------------------------------------------------------------------

    def _headers(self, exchange: RecordedExchange) -> dict[str, str]:
        headers: dict[str, str] = {}
        body = exchange.response_body
        plain = body is not None and body.inline  # inline JSON is stored decoded
        for name, value in exchange.response_headers:
            lowered = name.lower()
            if lowered in _NOT_REPLAYED or lowered.startswith("proxy-"):
                continue
            if plain and lowered == "content-encoding":
                continue
            if lowered == self._poll_after and value.strip().isdigit():
                value = str(int(int(value) / self.speed))
            headers[lowered] = value
        return headers

    def _recorded(self, exchange: RecordedExchange) -> Response:
        assert exchange.status is not None
        body = exchange.response_body
        headers = self._headers(exchange)
        if body is None:
            return Response(b"", status_code=exchange.status, headers=headers)
        if body.inline:
            return Response(body.read(), status_code=exchange.status, headers=headers)
        return _file_response(body, exchange.status, headers, 0, body.length)

    def _content(self, call: Call, job: _Job, exchange: RecordedExchange, variant: str) -> Response:
        """A recorded download; a whole recorded body also answers byte ranges."""
        whole = exchange if exchange.status == 200 else None
        if exchange.status == 206:
            whole = job.full.get(variant)
        body = whole.response_body if whole is not None else None
        if whole is None or body is None or body.inline or not body.complete:
            return self._recorded(exchange)
        headers = self._headers(whole)
        headers["accept-ranges"] = "bytes"
        wanted = call.params.get("Range")
        if not range_applies(call.params.get("If-Range"), headers):
            wanted = None  # against the recorded validators, as the upstream would judge it
        chosen = byte_range(wanted, body.length)
        if chosen is None:
            return _file_response(body, 200, headers, 0, body.length)
        first, last = chosen
        headers["content-range"] = f"bytes {first}-{last}/{body.length}"
        return _file_response(body, 206, headers, first, last + 1)


def _file_response(
    body: Body, status: int, headers: dict[str, str], start: int, end: int
) -> Response:
    headers = {**headers, "content-length": str(end - start)}

    def chunks() -> Iterator[bytes]:
        yield from body.chunks(start, end)

    return StreamingResponse(chunks(), status_code=status, headers=headers)
