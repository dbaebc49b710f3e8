"""The checks the proxy runs on each exchange, with the audit's rules (`audit.wire` for what a
request breaks, `audit.answers` for what an answer breaks).

The proxy chooses no request, so it checks what goes by: the request as the client sent it,
the answer's status, media type, headers and JSON body, and a downloaded asset against the
job it belongs to, as the proxy last saw that job (a create, a retrieve, a list page). An
asset of a job the proxy never saw is still decoded; its frame size and length are then not
compared, and a note says so.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlsplit

from videos_contract.audit.answers import (
    AnswerRules,
    Breach,
    job_frame,
    job_seconds,
    length_breach,
    video_breach,
)
from videos_contract.audit.operations import OperationIndex, RouteMatch
from videos_contract.audit.results import Exchange
from videos_contract.audit.wire import request_fields, wire_problems
from videos_contract.families import Family, families
from videos_contract.probe import MediaError, probe_image, probe_video
from videos_contract.protocol import protocol
from videos_contract.proxy.findings import Findings
from videos_contract.spec import Operation, Spec

__all__ = [
    "CHECK_NAMES",
    "Seen",
    "TrafficChecker",
]

# Jobs remembered (the last state seen of each), to judge the assets downloaded later.
_JOBS_KEPT = 4096
# Verdicts remembered, keyed by the exact bytes judged (a poll repeats itself), and the
# bytes of bodies the remembered judgements of whole exchanges may stand for at most.
_VERDICTS_KEPT = 4096
_JUDGEMENTS_BYTES = 16 * 1024 * 1024
# Paths whose operation is remembered (a client probing random paths empties it).
_ROUTES_KEPT = 4096
_T = TypeVar("_T")

# The operation under which requests that match no operation of the spec are reported.
OUTSIDE = "(outside the spec)"
REQUEST = "request_matches_spec"
INVALID_ACCEPTED = "invalid_request_is_refused"
STATUS = "status_is_documented"
MEDIA_TYPE = "content_type_is_documented"
HEADERS = "response_headers_match_spec"
BODY = "response_body_matches_schema"
LENGTH = "content_length_matches_body"
VIDEO = "content_is_real_mp4_matching_size_and_seconds"
IMAGE = "thumbnail_and_spritesheet_are_real_images"
UPSTREAM = "upstream_answers"
SERVER_ERROR = "not_a_server_error"
ECHO = "job_echoes_its_parameters"
# Every check the proxy can report, each named as the claim it stands for.
CHECK_NAMES = (
    REQUEST,
    INVALID_ACCEPTED,
    STATUS,
    MEDIA_TYPE,
    HEADERS,
    BODY,
    LENGTH,
    VIDEO,
    IMAGE,
    UPSTREAM,
    SERVER_ERROR,
    ECHO,
)
# The fields of a create that a job echoes as they were asked (Sora's and the other
# families' forms).
_ECHOED = ("size", "seconds", "width", "height", "duration")


@dataclass
class Seen:
    """One exchange as it went through the proxy (credentials already masked)."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    # None when the body was larger than the proxy keeps for checking.
    body: bytes | None
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass(frozen=True)
class _Outcome:
    """One verdict on an exchange: a pass (`breach` None), a violation, or a note (`check`
    empty)."""

    operation: str
    check: str
    breach: Breach | None = None
    exchange: Exchange | None = None
    note: str = ""


@dataclass
class _Judgement:
    """The verdicts on one exchange and the jobs it showed, before they reach the tally (an
    identical exchange later gets the same judgement again, unjudged)."""

    outcomes: list[_Outcome] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    passes: tuple[tuple[str, str], ...] | None = None
    others: tuple[_Outcome, ...] = ()

    def note(self, text: str) -> None:
        self.outcomes.append(_Outcome("", "", note=text))

    def settled(self) -> _Judgement:
        """Ready to be applied again and again: the passes apart from the rest."""
        self.passes = tuple((o.operation, o.check) for o in self.outcomes if _passed(o))
        self.others = tuple(o for o in self.outcomes if not _passed(o))
        return self


def _passed(outcome: _Outcome) -> bool:
    return bool(outcome.check) and outcome.breach is None


class TrafficChecker:
    """Judges exchanges against one spec and tallies the verdicts in `findings`."""

    def __init__(self, spec: Spec, findings: Findings, upstream: str) -> None:
        self.spec = spec
        self.findings = findings
        self.upstream = upstream.rstrip("/")
        self.index = OperationIndex(spec)
        self.rules = AnswerRules(spec)
        self._video_object = protocol(spec).object_name("Video")
        self._media_types: dict[str, str] = dict(
            spec.schema("ContentVariant").get("x-media-types", {})
        )
        self._default_variant = str(spec.default("ContentVariant"))
        # The answer headers any check reads: an answer differing only in others (Date, a
        # request id) is judged as the same answer.
        self._judged_headers = frozenset(
            {"content-type", "content-length", "content-encoding"}
            | {
                str(name).lower()
                for op in spec.operations()
                for response in op.responses.values()
                if isinstance(response, dict)
                for name in (response.get("headers") or {})
            }
        )
        self._jobs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._verdicts: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._judgements: OrderedDict[tuple[Any, ...], _Judgement] = OrderedDict()
        self._judgements_size = 0
        self._operations: dict[tuple[str, str], RouteMatch | None] = {}
        self._lock = threading.Lock()

    # -- helpers ------------------------------------------------------------------------
    def _remembered(self, key: tuple[Any, ...], judge: Callable[[], _T]) -> _T:
        """The verdict on a part of an exchange identical to one judged before, or a new one."""
        with self._lock:
            if key in self._verdicts:
                self._verdicts.move_to_end(key)
                return cast(_T, self._verdicts[key])
        verdict = judge()
        with self._lock:
            self._verdicts[key] = verdict
            while len(self._verdicts) > _VERDICTS_KEPT:
                self._verdicts.popitem(last=False)
        return verdict

    def _route(self, seen: Seen) -> RouteMatch | None:
        key = (seen.method, seen.path)
        with self._lock:
            if key in self._operations:
                return self._operations[key]
        found = self.index.match(seen.method, seen.path)
        with self._lock:
            if len(self._operations) >= _ROUTES_KEPT:
                self._operations.clear()
            self._operations[key] = found
        return found

    def label(self, seen: Seen) -> str:
        """The operationId; one name for every request outside the spec (so that a client
        probing random paths cannot grow the tally without bound)."""
        op = self.operation(seen)
        return op.operation_id if op is not None else OUTSIDE

    def operation(self, seen: Seen) -> Operation | None:
        found = self._route(seen)
        return found.operation if found is not None else None

    def exchange(self, seen: Seen) -> Exchange:
        """The request as a reproduction (`curl`) shows it; the key read from the environment."""
        return Exchange(
            method=seen.method,
            url=self.upstream + seen.target,
            headers=tuple((k, v) for k, v in seen.headers if not _incidental(k)),
            body=seen.body or b"",
            status=seen.status,
        )

    def _verdict(self, out: _Judgement, seen: Seen, check: str, breaches: Sequence[Breach]) -> None:
        operation = self.label(seen)
        if not breaches:
            out.outcomes.append(_Outcome(operation, check))
            return
        exchange = self.exchange(seen)
        out.outcomes.extend(_Outcome(operation, check, breach, exchange) for breach in breaches)

    def _apply(self, judgement: _Judgement) -> None:
        """Add a judgement's verdicts to the tally and remember the jobs it showed."""
        if judgement.passes is None:
            judgement.settled()
        assert judgement.passes is not None
        findings = self.findings
        findings.passed_all(judgement.passes)
        for outcome in judgement.others:
            if not outcome.check:
                findings.note(outcome.note)
            elif outcome.breach is not None:
                breach = outcome.breach
                findings.failed(
                    outcome.operation,
                    outcome.check,
                    breach.at_fault,
                    breach.expected,
                    breach.actual,
                    outcome.exchange,
                )
        if judgement.jobs:
            self._remember(judgement.jobs)

    def _what(self, seen: Seen) -> str:
        return f"{seen.method} {seen.path}"

    # -- whole exchanges ----------------------------------------------------------------
    def whole(self, seen: Seen, body: bytes) -> None:
        """Judge an exchange whose answer (not a streamed asset) was read whole: the
        upstream answered, the request, the answer.

        A poll sends the same request again and again and often gets the same answer: an
        exchange identical to one judged before (in everything a check reads) gets that
        judgement again without being judged, which is most of the proxy's time per poll.
        """
        self._count_billed(seen)
        key = self._key(seen, body)
        with self._lock:
            known = self._judgements.get(key)
            if known is not None:
                self._judgements.move_to_end(key)
        if known is None:
            known = _Judgement(size=len(body) + len(seen.body or b""))
            self._upstream_answered(known, seen)
            valid = self._request(known, seen)
            self._answer(known, seen, body, valid)
            with self._lock:
                self._judgements[key] = known
                self._judgements_size += known.size
                while (
                    len(self._judgements) > _VERDICTS_KEPT
                    or self._judgements_size > _JUDGEMENTS_BYTES
                ):
                    _, dropped = self._judgements.popitem(last=False)
                    self._judgements_size -= dropped.size
        self._apply(known)

    def _key(self, seen: Seen, body: bytes) -> tuple[Any, ...]:
        judged = self._judged_headers
        return (
            seen.method,
            seen.target,
            seen.headers,
            # The bodies themselves (their hash is kept by the bytes; a hit compares them):
            # the judgements' bytes are counted against `_JUDGEMENTS_BYTES`.
            seen.body,
            seen.status,
            tuple(item for item in seen.response_headers if item[0].lower() in judged),
            body,
        )

    def streamed(self, seen: Seen) -> None:
        """Judge an exchange whose answer is a streamed asset, up to its body (`asset`)."""
        self._count_billed(seen)
        out = _Judgement()
        self._upstream_answered(out, seen)
        valid = self._request(out, seen)
        self._answer(out, seen, None, valid)
        self._apply(out)

    # -- the request --------------------------------------------------------------------
    def _request(self, out: _Judgement, seen: Seen) -> bool:
        """Check the request as sent; False when it breaks the spec."""
        what = self._what(seen)
        if seen.body is None:
            out.note(f"{what}: request body larger than the proxy keeps; not checked")
            return True
        key = ("request", seen.method, seen.target, seen.headers, _digest(seen.body))
        problems = self._remembered(key, lambda: wire_problems(self.index, self.exchange(seen)))
        if problems is None:
            expected = "an operation of the spec"
            self._verdict(
                out, seen, REQUEST, [Breach(f"{what}: request", expected, "no such operation")]
            )
            return False
        breaches = [
            Breach(
                f"{what}: {p.location} {p.name}".rstrip(),
                "a request the spec allows",
                p.message,
            )
            for p in problems
        ]
        self._verdict(out, seen, REQUEST, breaches)
        return not breaches

    # -- the answer ---------------------------------------------------------------------
    def answer(self, seen: Seen, body: bytes | None, valid_request: bool) -> None:
        """Check a whole answer that is not a streamed asset (its `body` read in full)."""
        out = _Judgement()
        self._answer(out, seen, body, valid_request)
        self._apply(out)

    def _answer(self, out: _Judgement, seen: Seen, body: bytes | None, valid_request: bool) -> None:
        op = self.operation(seen)
        if op is None or seen.status is None:
            return
        what = self._what(seen)
        status = seen.status
        if not valid_request and 200 <= status < 300:
            self._verdict(
                out,
                seen,
                INVALID_ACCEPTED,
                [
                    Breach(
                        f"{what}: status",
                        "a 4xx refusal of a request the spec forbids",
                        str(status),
                    )
                ],
            )
        self._common(out, seen, op, what)
        if body is None or seen.method == "HEAD":
            return
        declared = seen.header("content-length")
        if declared is not None and declared.strip().isdigit():
            self._verdict(out, seen, LENGTH, _list(length_breach(declared, len(body), what)))
        encoding = (seen.header("content-encoding") or "identity").strip().lower()
        if encoding != "identity":
            out.note(f"{what}: body in Content-Encoding {encoding!r}; not checked")
            return
        ctype = (seen.header("content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return
        try:
            document = json.loads(body)
        except ValueError:
            self._verdict(
                out,
                seen,
                BODY,
                [Breach(f"{what}: body", "JSON (as its Content-Type says)", "not JSON")],
            )
            return
        key = ("body", what, status, _digest(body))
        breach = self._remembered(key, lambda: self.rules.json_breach(op, status, document, what))
        self._verdict(out, seen, BODY, _list(breach))
        if 200 <= status < 300:
            out.jobs.extend(self._videos(document))
            if op.billed and isinstance(document, dict) and seen.body:
                self._echo(out, seen, document, what)

    def _echo(self, out: _Judgement, seen: Seen, job: dict[str, Any], what: str) -> None:
        """A new job carries the size and length its create asked for."""
        asked = request_fields(self.exchange(seen)) or {}
        breaches = [
            Breach(
                f"{what}: field {name}", f"{asked[name]!r} (as the request asked)", repr(job[name])
            )
            for name in _ECHOED
            if name in asked and name in job and str(asked[name]) != str(job[name])
        ]
        # A family whose body nests them (HappyHorse's `parameters.duration`): the job echoes
        # them by their own name.
        family = families().for_model(asked.get("model") if isinstance(asked, dict) else None)
        for path in (family.seconds_field, family.size_field):
            name = path.rpartition(".")[2]
            value = Family.get(asked, path) if "." in path else None
            if value is not None and name in _ECHOED and name in job:
                if str(value) != str(job[name]):
                    expected = f"{value!r} (as the request's {path} asked)"
                    breaches.append(Breach(f"{what}: field {name}", expected, repr(job[name])))
        self._verdict(out, seen, ECHO, breaches)

    def _common(self, out: _Judgement, seen: Seen, op: Operation, what: str) -> None:
        status = seen.status or 0
        server_error = (
            Breach(f"{what}: status", "an answer that is not a server error", f"HTTP {status}")
            if status >= 500
            else None
        )
        self._verdict(out, seen, SERVER_ERROR, _list(server_error))
        self._verdict(out, seen, STATUS, _list(self.rules.status_breach(op, status, what)))
        ctype = seen.header("content-type")
        if seen.method != "HEAD":
            self._verdict(
                out, seen, MEDIA_TYPE, _list(self.rules.media_type_breach(op, status, ctype, what))
            )
        self._verdict(
            out, seen, HEADERS, self.rules.header_breaches(op, status, seen.response_headers, what)
        )

    def _videos(self, document: Any) -> list[dict[str, Any]]:
        """The jobs a JSON answer shows (a job, or a list page of them)."""
        items = document.get("data") if isinstance(document, dict) else None
        videos = items if isinstance(items, list) else [document]
        return [
            video
            for video in videos
            if isinstance(video, dict)
            and video.get("object") == self._video_object
            and isinstance(video.get("id"), str)
        ]

    def _remember(self, videos: list[dict[str, Any]]) -> None:
        with self._lock:
            for video in videos:
                self._jobs[video["id"]] = video
                self._jobs.move_to_end(video["id"])
            while len(self._jobs) > _JOBS_KEPT:
                self._jobs.popitem(last=False)

    def job(self, video_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._jobs.get(video_id)

    # -- streamed assets ----------------------------------------------------------------
    def asset(self, seen: Seen, spool: Path | None, size: int) -> None:
        """Check a streamed asset once its last byte went by (blocking: decodes the file).

        `spool` holds its bytes, or is None when the asset was larger than the proxy spools.
        """
        out = _Judgement()
        self._asset(out, seen, spool, size)
        self._apply(out)

    def _asset(self, out: _Judgement, seen: Seen, spool: Path | None, size: int) -> None:
        op = self.operation(seen)
        what = self._what(seen)
        if op is None or seen.status != 200 or seen.method == "HEAD":
            return
        encoding = (seen.header("content-encoding") or "identity").strip().lower()
        if encoding != "identity":
            out.note(f"{what}: asset in Content-Encoding {encoding!r}; not decoded")
            return
        self._verdict(
            out, seen, LENGTH, _list(length_breach(seen.header("content-length"), size, what))
        )
        if spool is None:
            out.note(f"{what}: asset of {size} bytes is larger than the spool; not decoded")
            return
        query = dict(parse_qsl(urlsplit(seen.target).query))
        variant = query.get("variant", self._default_variant)
        ctype = (seen.header("content-type") or "").split(";")[0].strip().lower()
        expected_type = self._media_types.get(variant)
        if expected_type is not None and ctype != expected_type:
            check = VIDEO if variant == self._default_variant else IMAGE
            self._verdict(
                out,
                seen,
                check,
                [Breach(f"{what} ({variant}): header Content-Type", expected_type, repr(ctype))],
            )
            return
        found = self._route(seen)
        job = self.job(found.path_params.get("video_id", "")) if found else None
        if ctype.startswith("video/"):
            self._video(out, seen, spool, job, f"{what} ({variant})")
        elif ctype.startswith("image/"):
            self._image(out, seen, spool, ctype, f"{what} ({variant})")

    def _video(
        self, out: _Judgement, seen: Seen, spool: Path, job: dict[str, Any] | None, what: str
    ) -> None:
        try:
            info = probe_video(spool)
        except MediaError as exc:
            self._verdict(out, seen, VIDEO, [Breach(f"{what}: body", "a decodable MP4", str(exc))])
            return
        if job is None:
            out.note(
                f"{what}: the job was not seen through the proxy; frame size and length of "
                "its MP4 not compared"
            )
            self._verdict(out, seen, VIDEO, [])
            return
        breach = video_breach(info, job_frame(job), job_seconds(job), what)
        self._verdict(out, seen, VIDEO, _list(breach))

    def _image(self, out: _Judgement, seen: Seen, spool: Path, ctype: str, what: str) -> None:
        try:
            info = probe_image(spool)
        except MediaError as exc:
            self._verdict(
                out,
                seen,
                IMAGE,
                [Breach(f"{what}: body", f"a decodable image ({ctype})", str(exc))],
            )
            return
        if ctype != f"image/{info.format}":
            self._verdict(
                out,
                seen,
                IMAGE,
                [Breach(f"{what}: body", f"an image of type {ctype}", f"a {info.format} image")],
            )
            return
        self._verdict(out, seen, IMAGE, [])

    # -- failures -----------------------------------------------------------------------
    def upstream_failed(self, seen: Seen, expected: str, actual: str) -> None:
        """The upstream gave no usable answer (reported; the client got a 502 or 504)."""
        self._count_billed(seen)
        out = _Judgement()
        self._verdict(
            out, seen, UPSTREAM, [Breach(f"{self._what(seen)}: answer", expected, actual)]
        )
        self._apply(out)

    def _count_billed(self, seen: Seen) -> None:
        """A request to a billed operation went to the upstream (accepted: it answered 2xx)."""
        op = self.operation(seen)
        if op is not None and op.billed:
            status = seen.status
            self.findings.count_billed(accepted=status is not None and 200 <= status < 300)

    def _upstream_answered(self, out: _Judgement, seen: Seen) -> None:
        self._verdict(out, seen, UPSTREAM, [])


def _digest(data: bytes | None) -> bytes:
    return hashlib.blake2b(data or b"", digest_size=16).digest()


def _incidental(name: str) -> bool:
    """Headers a reproduction leaves out: the connection's, the client's own identity."""
    lower = name.lower()
    return lower in _INCIDENTAL or lower.startswith("x-stainless-")


_INCIDENTAL = frozenset(
    {"host", "content-length", "connection", "keep-alive", "accept-encoding", "user-agent", "te"}
)


def _list(breach: Breach | None) -> list[Breach]:
    return [] if breach is None else [breach]
