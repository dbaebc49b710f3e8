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
from dataclasses import dataclass
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
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.results import Exchange
from videos_contract.audit.wire import request_fields, wire_problems
from videos_contract.probe import MediaError, probe_image, probe_video
from videos_contract.protocol import protocol
from videos_contract.proxy.findings import Findings
from videos_contract.spec import Operation, Spec

__all__ = [
    "CHECK_NAMES",
    "CREDENTIAL_HEADERS",
    "Seen",
    "TrafficChecker",
    "masked_headers",
]

# Headers that carry a credential: masked in anything the proxy keeps or writes.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
# Jobs remembered (the last state seen of each), to judge the assets downloaded later.
_JOBS_KEPT = 4096
# Verdicts remembered, keyed by the exact bytes judged (a poll repeats itself).
_VERDICTS_KEPT = 4096
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


def masked_headers(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The headers with every credential masked (`Bearer ***` stays readable as a bearer)."""
    out = []
    for name, value in headers:
        if name.lower() in CREDENTIAL_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} ***" if scheme else "***"
        out.append((name, value))
    return tuple(out)


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
        self._jobs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._verdicts: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    # -- helpers ------------------------------------------------------------------------
    def _remembered(self, key: tuple[Any, ...], judge: Callable[[], _T]) -> _T:
        """The verdict on an exchange identical to one judged before, or a new one.

        Polling sends the same request and often gets the same answer again and again;
        validating each copy costs the proxy most of its time per exchange.
        """
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

    def label(self, seen: Seen) -> str:
        """The operationId; one name for every request outside the spec (so that a client
        probing random paths cannot grow the tally without bound)."""
        op = self.index.find(seen.method, seen.path)
        return op.operation_id if op is not None else OUTSIDE

    def operation(self, seen: Seen) -> Operation | None:
        return self.index.find(seen.method, seen.path)

    def exchange(self, seen: Seen) -> Exchange:
        """The request as a reproduction (`curl`) shows it; the key read from the environment."""
        return Exchange(
            method=seen.method,
            url=self.upstream + seen.target,
            headers=tuple((k, v) for k, v in seen.headers if not _incidental(k)),
            body=seen.body or b"",
            status=seen.status,
        )

    def _verdict(self, seen: Seen, check: str, breaches: Sequence[Breach]) -> None:
        operation = self.label(seen)
        if not breaches:
            self.findings.passed(operation, check)
            return
        for breach in breaches:
            self.findings.failed(
                operation,
                check,
                breach.at_fault,
                breach.expected,
                breach.actual,
                self.exchange(seen),
            )

    def _what(self, seen: Seen) -> str:
        return f"{seen.method} {seen.path}"

    # -- the request --------------------------------------------------------------------
    def request(self, seen: Seen) -> bool:
        """Check the request as sent; False when it breaks the spec."""
        what = self._what(seen)
        if seen.body is None:
            self.findings.note(f"{what}: request body larger than the proxy keeps; not checked")
            return True
        key = ("request", seen.method, seen.target, seen.headers, _digest(seen.body))
        problems = self._remembered(key, lambda: wire_problems(self.index, self.exchange(seen)))
        if problems is None:
            expected = "an operation of the spec"
            self._verdict(
                seen, REQUEST, [Breach(f"{what}: request", expected, "no such operation")]
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
        self._verdict(seen, REQUEST, breaches)
        return not breaches

    # -- the answer ---------------------------------------------------------------------
    def answer(self, seen: Seen, body: bytes | None, valid_request: bool) -> None:
        """Check a whole answer that is not a streamed asset (its `body` read in full)."""
        op = self.operation(seen)
        if op is None or seen.status is None:
            return
        what = self._what(seen)
        status = seen.status
        if not valid_request and 200 <= status < 300:
            self._verdict(
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
        self._common(seen, op, what)
        if body is None or seen.method == "HEAD":
            return
        declared = seen.header("content-length")
        if declared is not None and declared.strip().isdigit():
            self._verdict(seen, LENGTH, _list(length_breach(declared, len(body), what)))
        encoding = (seen.header("content-encoding") or "identity").strip().lower()
        if encoding != "identity":
            self.findings.note(f"{what}: body in Content-Encoding {encoding!r}; not checked")
            return
        ctype = (seen.header("content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return
        try:
            document = json.loads(body)
        except ValueError:
            self._verdict(
                seen, BODY, [Breach(f"{what}: body", "JSON (as its Content-Type says)", "not JSON")]
            )
            return
        key = ("body", what, status, _digest(body))
        breach = self._remembered(key, lambda: self.rules.json_breach(op, status, document, what))
        self._verdict(seen, BODY, _list(breach))
        if 200 <= status < 300:
            self._remember(document)
            if op.billed and isinstance(document, dict) and seen.body:
                self._echo(seen, document, what)

    def _echo(self, seen: Seen, job: dict[str, Any], what: str) -> None:
        """A new job carries the size and length its create asked for."""
        asked = request_fields(self.exchange(seen)) or {}
        breaches = [
            Breach(
                f"{what}: field {name}", f"{asked[name]!r} (as the request asked)", repr(job[name])
            )
            for name in _ECHOED
            if name in asked and name in job and str(asked[name]) != str(job[name])
        ]
        self._verdict(seen, ECHO, breaches)

    def _common(self, seen: Seen, op: Operation, what: str) -> None:
        status = seen.status or 0
        server_error = (
            Breach(f"{what}: status", "an answer that is not a server error", f"HTTP {status}")
            if status >= 500
            else None
        )
        self._verdict(seen, SERVER_ERROR, _list(server_error))
        self._verdict(seen, STATUS, _list(self.rules.status_breach(op, status, what)))
        ctype = seen.header("content-type")
        if seen.method != "HEAD":
            self._verdict(
                seen, MEDIA_TYPE, _list(self.rules.media_type_breach(op, status, ctype, what))
            )
        self._verdict(
            seen, HEADERS, self.rules.header_breaches(op, status, seen.response_headers, what)
        )

    def _remember(self, document: Any) -> None:
        items = document.get("data") if isinstance(document, dict) else None
        videos = items if isinstance(items, list) else [document]
        with self._lock:
            for video in videos:
                if (
                    isinstance(video, dict)
                    and video.get("object") == self._video_object
                    and isinstance(video.get("id"), str)
                ):
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
        op = self.operation(seen)
        what = self._what(seen)
        if op is None or seen.status != 200 or seen.method == "HEAD":
            return
        encoding = (seen.header("content-encoding") or "identity").strip().lower()
        if encoding != "identity":
            self.findings.note(f"{what}: asset in Content-Encoding {encoding!r}; not decoded")
            return
        self._verdict(seen, LENGTH, _list(length_breach(seen.header("content-length"), size, what)))
        if spool is None:
            self.findings.note(
                f"{what}: asset of {size} bytes is larger than the spool; not decoded"
            )
            return
        query = dict(parse_qsl(urlsplit(seen.target).query))
        variant = query.get("variant", self._default_variant)
        ctype = (seen.header("content-type") or "").split(";")[0].strip().lower()
        expected_type = self._media_types.get(variant)
        if expected_type is not None and ctype != expected_type:
            check = VIDEO if variant == self._default_variant else IMAGE
            self._verdict(
                seen,
                check,
                [Breach(f"{what} ({variant}): header Content-Type", expected_type, repr(ctype))],
            )
            return
        video_id = self.index.match(seen.method, seen.path)
        job = self.job(video_id.path_params.get("video_id", "")) if video_id else None
        if ctype.startswith("video/"):
            self._video(seen, spool, job, f"{what} ({variant})")
        elif ctype.startswith("image/"):
            self._image(seen, spool, ctype, f"{what} ({variant})")

    def _video(self, seen: Seen, spool: Path, job: dict[str, Any] | None, what: str) -> None:
        try:
            info = probe_video(spool)
        except MediaError as exc:
            self._verdict(seen, VIDEO, [Breach(f"{what}: body", "a decodable MP4", str(exc))])
            return
        if job is None:
            self.findings.note(
                f"{what}: the job was not seen through the proxy; frame size and length of "
                "its MP4 not compared"
            )
            self.findings.passed(self.label(seen), VIDEO)
            return
        breach = video_breach(info, job_frame(job), job_seconds(job), what)
        self._verdict(seen, VIDEO, _list(breach))

    def _image(self, seen: Seen, spool: Path, ctype: str, what: str) -> None:
        try:
            info = probe_image(spool)
        except MediaError as exc:
            self._verdict(
                seen, IMAGE, [Breach(f"{what}: body", f"a decodable image ({ctype})", str(exc))]
            )
            return
        if ctype != f"image/{info.format}":
            self._verdict(
                seen,
                IMAGE,
                [Breach(f"{what}: body", f"an image of type {ctype}", f"a {info.format} image")],
            )
            return
        self.findings.passed(self.label(seen), IMAGE)

    # -- failures -----------------------------------------------------------------------
    def upstream_failed(self, seen: Seen, expected: str, actual: str) -> None:
        """The upstream gave no usable answer (reported; the client got a 502 or 504)."""
        self._verdict(seen, UPSTREAM, [Breach(f"{self._what(seen)}: answer", expected, actual)])

    def upstream_answered(self, seen: Seen) -> None:
        self.findings.passed(self.label(seen), UPSTREAM)


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
