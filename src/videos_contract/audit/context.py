"""What a behaviour check receives: the client, the spec, and the videos other checks made.

Jobs are billed, so checks share them: the first check that needs a completed video creates
one and later checks reuse it (`completed_video`). A check reports a broken rule by raising
`CheckFailed` through `fail`, and gives up without a verdict through `skip`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NoReturn

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from videos_contract.audit.client import AuditClient, Reply
from videos_contract.audit.results import Exchange
from videos_contract.protocol import protocol
from videos_contract.spec import Spec, SpecError

__all__ = ["CheckContext", "CheckFailed", "CheckSkipped"]


class CheckFailed(Exception):
    """The server broke the rule the check stands for."""

    def __init__(
        self, at_fault: str, expected: str, actual: str, exchange: Exchange | None = None
    ) -> None:
        super().__init__(f"{at_fault}: expected {expected}, got {actual}")
        self.at_fault = at_fault
        self.expected = expected
        self.actual = actual
        self.exchange = exchange


class CheckSkipped(Exception):
    """The check could not reach a verdict (budget spent, nothing to check against...)."""


@dataclass
class CheckContext:
    """Shared by every behaviour check of one audit run."""

    spec: Spec
    client: AuditClient
    poll_timeout: float = 600.0
    shared: dict[str, Any] = field(default_factory=dict)

    # -- verdicts ---------------------------------------------------------------------------
    @staticmethod
    def fail(
        at_fault: str, expected: str, actual: str, exchange: Exchange | None = None
    ) -> NoReturn:
        raise CheckFailed(at_fault, expected, actual, exchange)

    @staticmethod
    def skip(reason: str) -> NoReturn:
        raise CheckSkipped(reason)

    # -- spec helpers -----------------------------------------------------------------------
    def status_name(self, name: str) -> str:
        """A member of the spec's VideoStatus enum, checked to exist there."""
        if name not in self.spec.enum("VideoStatus"):
            raise SpecError(f"VideoStatus has no member {name!r}")
        return name

    def path(self, operation_id: str, **params: str) -> str:
        path = self.spec.operation(operation_id).path
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        return path

    def example(self, operation_id: str, media_type: str) -> dict[str, Any]:
        """The first request example the spec gives for an operation and media type."""
        content = self.spec.operation(operation_id).request_media_types[media_type]
        examples: dict[str, Any] = content.get("examples", {})
        for example in examples.values():
            return dict(example["value"])
        raise SpecError(f"{operation_id} has no {media_type} example")

    def expect_status(self, reply: Reply, operation_id: str, status: int, what: str) -> None:
        """Fail unless the reply has `status`, which must be one the spec documents."""
        if str(status) not in self.spec.operation(operation_id).responses:
            raise SpecError(f"{operation_id} documents no {status} response")
        if reply.status != status:
            self.fail(
                what, f"HTTP {status}", f"HTTP {reply.status}: {_excerpt(reply)}", reply.exchange
            )

    def expect_schema(self, reply: Reply, schema_name: str, what: str) -> Any:
        """The reply's JSON body, after failing unless it matches a component schema."""
        ctype = reply.response.headers.get("content-type", "").split(";")[0].strip()
        if ctype != "application/json":
            self.fail(
                f"{what}: header Content-Type", "application/json", repr(ctype), reply.exchange
            )
        body = reply.json()
        if body is None:
            ctype = reply.response.headers.get("content-type", "none")
            self.fail(what, f"a JSON {schema_name}", f"a non-JSON body ({ctype})", reply.exchange)
        errors = sorted(
            Draft202012Validator(self.spec.schema(schema_name)).iter_errors(body),
            key=lambda e: list(e.path),
        )
        if errors:
            error = errors[0]
            where = "/".join(str(p) for p in error.path)
            if error.validator == "required":
                missing = error.message.split("'")[1] if "'" in error.message else error.message
                field = f"{where}/{missing}" if where else missing
                self.fail(
                    f"{what}: field {field}",
                    f"a required field of {schema_name}",
                    "absent",
                    reply.exchange,
                )
            self.fail(
                f"{what}: field {where or '(root)'}",
                f"{schema_name} schema ({error.validator}: {error.validator_value!r})",
                _short(error.instance),
                reply.exchange,
            )
        return body

    def expect_error(self, reply: Reply, status: int, operation_id: str, what: str) -> Any:
        """Fail unless the reply is `status` with an OpenAI-style error body."""
        self.expect_status(reply, operation_id, status, what)
        return self.expect_schema(reply, "ErrorResponse", f"{what} (error body)")

    # -- shared jobs ------------------------------------------------------------------------
    def create_video(self) -> dict[str, Any]:
        """Create a job with the spec's minimal example; every other field takes its default."""
        fields = self.example("createVideo", "multipart/form-data")
        # (None, value) parts: a multipart form without files, as the gateway's page shows.
        parts = [(name, (None, str(value))) for name, value in fields.items()]
        reply = self.client.post(self.path("createVideo"), files=parts)
        self.expect_status(reply, "createVideo", 200, "create with only a prompt")
        video: dict[str, Any] = self.expect_schema(reply, "Video", "created video")
        return video

    def wait_terminal(self, video_id: str, what: str) -> dict[str, Any]:
        """Poll a job until it completes or fails; fail on anything the contract forbids."""
        final = protocol(self.spec).terminal_statuses
        deadline = time.monotonic() + self.poll_timeout
        while True:
            reply = self.client.get(self.path("retrieveVideo", video_id=video_id))
            self.expect_status(reply, "retrieveVideo", 200, f"retrieving {what}")
            video: dict[str, Any] = self.expect_schema(reply, "Video", f"retrieved {what}")
            if video["id"] != video_id:
                self.fail(f"{what}: field id", repr(video_id), repr(video["id"]), reply.exchange)
            if video["status"] in final:
                return video
            if time.monotonic() > deadline:
                self.fail(
                    f"{what}: field status",
                    f"{' or '.join(sorted(final))} within {self.poll_timeout:.0f} s",
                    repr(video["status"]),
                    reply.exchange,
                )
            rules = protocol(self.spec)
            advice = reply.response.headers.get(rules.poll_after_header)
            time.sleep(rules.poll_pause(advice, 0.25, cap=10.0))

    def completed_video(self) -> dict[str, Any]:
        """A completed job, created once per run and shared."""
        if "completed" not in self.shared:
            self.shared["completed"] = None
            video = self.create_video()
            done = self.wait_terminal(video["id"], "the created video")
            if done["status"] != self.status_name("completed"):
                self.shared["completed"] = None
                self.skip(f"the created video failed: {done.get('error')}")
            self.shared["completed"] = done
        if self.shared["completed"] is None:
            self.skip("no completed video is available (an earlier check could not make one)")
        completed: dict[str, Any] = self.shared["completed"]
        return completed


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _excerpt(reply: Reply) -> str:
    text = (
        reply.response.text
        if reply.response.headers.get("content-type", "").startswith(("application/json", "text/"))
        else f"<{len(reply.response.content)} bytes>"
    )
    return _short(text)
