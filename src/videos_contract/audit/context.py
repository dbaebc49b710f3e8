"""What a behaviour check receives: the client, the spec, and the videos other checks made.

Jobs are billed, so checks share them: the first check that needs a completed video creates
one and later checks reuse it (`completed_video`). A check reports a broken rule by raising
`CheckFailed` through `fail`. It leaves the verdict open through `skip` only for a reason the
user chose (budget, profile, selection), and through `not_offered` for an optional capability
the server does not advertise. Whatever the server does to stop a check (a failed job, a cut
body, a dropped connection) is a failure with its evidence, never a skip.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from videos_contract.audit.answers import schema_breach, short
from videos_contract.audit.gate import CreateBudget
from videos_contract.audit.results import Exchange
from videos_contract.protocol import protocol
from videos_contract.spec import Spec, SpecError

if TYPE_CHECKING:  # httpx is loaded by the engine, which builds the client
    from videos_contract.audit.client import AuditClient, Reply

__all__ = ["CheckContext", "CheckFailed", "CheckNotOffered", "CheckSkipped"]


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
    """The user's settings leave the check out (budget, profile, selection); says which."""


class CheckNotOffered(Exception):
    """An optional capability the server neither advertises nor uses; says how it showed."""


@dataclass
class CheckContext:
    """Shared by every behaviour check of one audit run."""

    spec: Spec
    client: AuditClient
    poll_timeout: float = 600.0
    # The cost cap (None: unlimited), so that a sweep can say which cells it left out.
    budget: CreateBudget | None = None
    # The user says jobs may fail (a server that fails some valid requests by design).
    failures_expected: bool = False
    shared: dict[str, Any] = field(default_factory=dict)
    # Every job the audit created (in creation order), and every state each poll observed.
    created: list[str] = field(default_factory=list)
    observed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    # The exchange each observed state came from (keyed by the state's identity).
    evidence: dict[int, Exchange] = field(default_factory=dict)
    # The last retrieve of each job, as evidence of the state it ended in.
    last_read: dict[str, Exchange] = field(default_factory=dict)
    # When the audit started (Unix seconds), to judge the server's clock.
    started: float = field(default_factory=time.time)
    # Parts of the running check the user's settings left out (the engine resets it per check).
    left_out: list[str] = field(default_factory=list)
    # Models to audit per family (`--model`); empty: one per family, `all`: every listed one.
    models: tuple[str, ...] = ()
    # Parts of the running check the server does not offer (a model it calls unknown).
    absent: list[str] = field(default_factory=list)
    # What the running check observed and the outcome should say (a form the server needs).
    notes: list[str] = field(default_factory=list)

    # -- verdicts ---------------------------------------------------------------------------
    @staticmethod
    def fail(
        at_fault: str, expected: str, actual: str, exchange: Exchange | None = None
    ) -> NoReturn:
        raise CheckFailed(at_fault, expected, actual, exchange)

    @staticmethod
    def skip(reason: str) -> NoReturn:
        raise CheckSkipped(reason)

    @staticmethod
    def not_offered(reason: str) -> NoReturn:
        raise CheckNotOffered(reason)

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
        breach = schema_breach(body, self.spec.schema(schema_name), schema_name, what)
        if breach is not None:
            self.fail(breach.at_fault, breach.expected, breach.actual, reply.exchange)
        return body

    def expect_error(self, reply: Reply, status: int, operation_id: str, what: str) -> Any:
        """Fail unless the reply is `status` with an OpenAI-style error body."""
        self.expect_status(reply, operation_id, status, what)
        return self.expect_schema(reply, "ErrorResponse", f"{what} (error body)")

    # -- shared jobs ------------------------------------------------------------------------
    def create_video(
        self,
        extra: dict[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        what: str = "create with only a prompt",
    ) -> dict[str, Any]:
        """Create a job with the spec's minimal example plus `extra` fields (and file parts)."""
        fields = {**self.example("createVideo", "multipart/form-data"), **(extra or {})}
        # (None, value) parts: a multipart form without files, as the gateway's page shows.
        parts: list[tuple[str, Any]] = [
            (name, (None, str(value))) for name, value in fields.items()
        ]
        parts += files or []
        reply = self.client.post(self.path("createVideo"), files=parts)
        self.expect_status(reply, "createVideo", 200, what)
        video: dict[str, Any] = self.expect_schema(reply, "Video", "created video")
        self.record(video, reply.exchange, new=True)
        return video

    def create_json(self, body: dict[str, Any], what: str) -> tuple[Reply, dict[str, Any] | None]:
        """Create a job with a JSON body; the reply, and the job when it was accepted (200)."""
        reply = self.client.post(self.path("createVideo"), json=body)
        if reply.status != 200:
            return reply, None
        video: dict[str, Any] = self.expect_schema(reply, "Video", what)
        self.record(video, reply.exchange, new=True)
        return reply, video

    def creates_left(self) -> int | None:
        """Billed requests the cap still allows (None: no cap)."""
        if self.budget is None or self.budget.cap is None:
            return None
        return max(0, self.budget.cap - self.budget.accepted)

    def record(
        self, video: dict[str, Any], exchange: Exchange | None = None, *, new: bool = False
    ) -> None:
        """Keep a state of a job the audit created (for the time and list checks)."""
        if new and video["id"] not in self.created:
            self.created.append(video["id"])
        self.observed.setdefault(video["id"], []).append(video)
        if exchange is not None:
            self.evidence[id(video)] = exchange

    def expect_success(self, video: dict[str, Any], what: str) -> None:
        """A valid request must not end `failed`, unless the user said failures are expected."""
        if video["status"] == self.status_name("completed"):
            return
        error = video.get("error") or {}
        if self.failures_expected:
            self.skip(f"{what} ended `failed` and failures are expected (--expect-failures)")
        self.fail(
            f"{what}: a valid create ended `failed`",
            "status 'completed'",
            f"'failed': error.code={error.get('code')!r}, message={error.get('message')!r}",
            self.last_read.get(video["id"]),
        )

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
            self.record(video, reply.exchange)
            self.last_read[video_id] = reply.exchange
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
        """A completed job, created once per run and shared.

        When the server kept the audit from getting one (the job failed, a request broke),
        every check that needs it fails with that same evidence; a budget or a user's
        setting that prevented it leaves them not run, for the same reason.
        """
        from videos_contract.audit.client import BudgetSpent

        if "completed" not in self.shared:
            self.shared["completed"] = None
            try:
                video = self.create_video()
                done = self.wait_terminal(video["id"], "the created video")
                self.expect_success(done, "the created video")
            except Exception as exc:
                self.shared["completed_problem"] = exc
                raise
            self.shared["completed"] = done
        if self.shared["completed"] is None:
            problem = self.shared.get("completed_problem")
            if isinstance(problem, CheckFailed):
                self.fail(
                    f"a completed video to check (none could be made): {problem.at_fault}",
                    problem.expected,
                    problem.actual,
                    problem.exchange,
                )
            if isinstance(problem, CheckSkipped):
                self.skip(str(problem))
            if isinstance(problem, BudgetSpent):
                self.skip("--max-creates budget spent before a completed video could be made")
            self.fail(
                "a completed video to check (none could be made)",
                "a valid create that completes",
                f"{type(problem).__name__}: {problem}"[:300],
            )
        completed: dict[str, Any] = self.shared["completed"]
        return completed


def _excerpt(reply: Reply) -> str:
    text = (
        reply.response.text
        if reply.response.headers.get("content-type", "").startswith(("application/json", "text/"))
        else f"<{reply.size} bytes>"
    )
    return short(text)
