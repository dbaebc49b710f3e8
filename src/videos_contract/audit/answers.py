"""Does an answer keep the contract? The rules on responses, written once.

The behaviour checks (through `CheckContext`) and the validating proxy (on traffic it did not
choose) ask the same questions of what a server sent: is the status one the operation
documents, is the media type one it documents for that status, do the headers it documents
have valid values, does a JSON body match its schema, is the server's own `Content-Length`
the body's size, does an MP4 have the job's frame size and duration. Each rule answers with a
`Breach` (what is at fault, what was expected, what came) or None; the caller decides how to
report it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from videos_contract.http_rules import MAX_ANSWER_BODY
from videos_contract.probe import MediaInfo
from videos_contract.schema import coerce_text
from videos_contract.spec import Operation, Spec
from videos_contract.validator import Compiled, by_path

# How answers are read, by the audit's relay and by the proxy alike. A JSON answer (a Video, a
# list page, an error) is a few kB; 8 MiB is far above any real one.
DEFAULT_MAX_BODY = MAX_ANSWER_BODY
# The whole answer of one request, headers and body; a trickling server is cut off here.
DEFAULT_REQUEST_TIMEOUT = 120.0
# Answers of these types stream through instead of being read whole.
MEDIA_PREFIXES = ("video/", "image/", "application/octet-stream")

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_REQUEST_TIMEOUT",
    "DURATION_TOLERANCE",
    "MEDIA_PREFIXES",
    "AnswerRules",
    "Breach",
    "job_frame",
    "job_seconds",
    "length_breach",
    "schema_breach",
    "short",
    "video_breach",
]

# How far a clip's decoded duration may stray from the job's `seconds` besides one frame:
# rounding of timestamps only.
DURATION_TOLERANCE = 0.05


@dataclass(frozen=True)
class Breach:
    """One rule an answer breaks: the field or behaviour at fault, expected, actual."""

    at_fault: str
    expected: str
    actual: str


def short(value: Any, limit: int = 200) -> str:
    """`repr(value)`, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def schema_breach(
    body: Any, schema: Mapping[str, Any] | Compiled, schema_name: str, what: str
) -> Breach | None:
    """The first way `body` breaks `schema` (a required field first named as absent)."""
    from videos_contract.validator import EcmaValidator  # jsonschema, on first use

    if isinstance(schema, Compiled):
        errors = by_path(schema.iter_errors(body))
    else:
        errors = by_path(list(EcmaValidator(schema).iter_errors(body)))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(p) for p in error.path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        field = f"{where}/{missing}" if where else missing
        return Breach(f"{what}: field {field}", f"a required field of {schema_name}", "absent")
    return Breach(
        f"{what}: field {where or '(root)'}",
        f"{schema_name} schema ({error.validator}: {error.validator_value!r})",
        short(error.instance),
    )


def length_breach(declared: str | None, size: int, what: str) -> Breach | None:
    """The server's own `Content-Length` must be present and be the body's size."""
    if declared is not None and declared.strip() == str(size):
        return None
    return Breach(
        f"{what}: header Content-Length (the server's own)",
        f"the body's size ({size})",
        "absent" if declared is None else declared,
    )


def job_frame(video: Mapping[str, Any]) -> str:
    """A job's frame size: `size` (Sora style) or `width`x`height` (the other families)."""
    if "size" in video:
        return str(video["size"])
    return f"{video.get('width')}x{video.get('height')}"


def job_seconds(video: Mapping[str, Any]) -> float:
    """A job's length: `seconds` (Sora style) or `duration` (the other families)."""
    return float(video.get("seconds", video.get("duration", 0)))


def video_breach(info: MediaInfo, frame: str, seconds: float, what: str) -> Breach | None:
    """A decoded MP4 must have the job's frame size and its duration to within a frame."""
    if info.size != frame:
        return Breach(f"{what}: frame size", f"{frame} (the job's size)", info.size)
    # To a frame: encoders may round the last frame, never more.
    tolerance = max(DURATION_TOLERANCE, info.duration / max(info.frames, 1))
    if abs(info.duration - seconds) > tolerance + 1e-6:
        return Breach(
            f"{what}: duration",
            f"{seconds:g} s (the job's seconds, within one frame)",
            f"{info.duration:g} s",
        )
    return None


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


class AnswerRules:
    """The rules on one spec's answers, with each schema's validator built once."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._validators: dict[tuple[str, str, str], tuple[Compiled, str]] = {}

    def _response(self, op: Operation, status: int) -> dict[str, Any] | None:
        responses = op.responses
        found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        return found if found is not None else responses.get("default")

    def _schema_name(self, op: Operation, status: str, media_type: str) -> str:
        """The component name of a response's schema, for messages (`Video`)."""
        try:
            node: Any = self.spec.raw["paths"][op.path][op.method.lower()]["responses"][status]
            if "$ref" in node:
                node = self.spec.lookup(node["$ref"])
            ref = node["content"][media_type]["schema"].get("$ref", "")
        except (KeyError, TypeError, AttributeError):
            return "the documented schema"
        return str(ref).rsplit("/", 1)[-1] or "the documented schema"

    def _validator(
        self, op: Operation, status: str, media_type: str, schema: dict[str, Any]
    ) -> tuple[Compiled, str]:
        key = (op.operation_id, status, media_type)
        if key not in self._validators:
            name = self._schema_name(op, status, media_type)
            self._validators[key] = (Compiled(schema), name)
        return self._validators[key]

    def status_breach(self, op: Operation, status: int, what: str) -> Breach | None:
        """The status must be one the operation documents."""
        if self._response(op, status) is not None:
            return None
        documented = ", ".join(sorted(op.responses))
        return Breach(f"{what}: status", f"one of {documented}", f"HTTP {status}")

    def media_type_breach(
        self, op: Operation, status: int, content_type: str | None, what: str
    ) -> Breach | None:
        """A body's media type must be one documented for its status (none for no body)."""
        response = self._response(op, status)
        content: dict[str, Any] = (response or {}).get("content") or {}
        if not content:
            return None
        given = _media_type(content_type or "")
        if given in content:
            return None
        return Breach(
            f"{what}: header Content-Type",
            " or ".join(sorted(content)),
            repr(given) if given else "absent",
        )

    def header_breaches(
        self, op: Operation, status: int, headers: Sequence[tuple[str, str]], what: str
    ) -> list[Breach]:
        """Each header the response documents: present when required, valid when present."""
        from videos_contract.validator import EcmaValidator

        response = self._response(op, status) or {}
        given: dict[str, str] = {}
        for key, text in headers:
            given.setdefault(key.lower(), text)
        breaches = []
        for name, header in (response.get("headers") or {}).items():
            value = given.get(name.lower())
            if value is None:
                if header.get("required"):
                    breaches.append(Breach(f"{what}: header {name}", "present", "absent"))
                continue
            schema = header.get("schema") or {}
            instance = coerce_text(value, schema)
            if not EcmaValidator(schema).is_valid(instance):
                breaches.append(
                    Breach(f"{what}: header {name}", f"a value of schema {schema}", short(value))
                )
        return breaches

    def json_breach(self, op: Operation, status: int, body: Any, what: str) -> Breach | None:
        """A JSON body must match the schema documented for its status."""
        response = self._response(op, status) or {}
        media = (response.get("content") or {}).get("application/json") or {}
        schema = media.get("schema")
        if not isinstance(schema, dict):
            return None
        key = str(status) if str(status) in op.responses else "default"
        validator, name = self._validator(op, key, "application/json", schema)
        return schema_breach(body, validator, name, what)
