"""What a behaviour check receives: the client, the spec, and the videos other checks made.

Jobs are billed, so checks share them: the first check that needs a completed video creates
one and later checks reuse it (`completed_video`). A check reports a broken rule by raising
`CheckFailed` through `fail`. It leaves the verdict open through `skip` only for a reason the
user chose (budget, profile, selection), and through `not_offered` for an optional capability
the server does not advertise. Whatever the server does to stop a check (a failed job, a cut
body, a dropped connection) is a failure with its evidence, never a skip.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from videos_contract.audit.answers import schema_breach, short
from videos_contract.audit.gate import CreateBudget
from videos_contract.audit.profiles import ALL_MODELS
from videos_contract.audit.results import Exchange
from videos_contract.families import Family, families
from videos_contract.protocol import protocol
from videos_contract.spec import Spec, SpecError

if TYPE_CHECKING:  # httpx is loaded by the engine, which builds the client
    from videos_contract.audit.client import AuditClient, Reply

__all__ = [
    "ALL_MODELS",
    "CheckBlocked",
    "CheckContext",
    "CheckFailed",
    "CheckNotOffered",
    "CheckSkipped",
    "deviation_about",
    "refuses_model",
]

# The body forms a create is tried in: the multipart form the contract documents first.
FORM = "multipart form"
JSON_BODY = "JSON body"


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


class CheckBlocked(Exception):
    """Another check's violation keeps this one from running: `cause` names that check."""

    def __init__(self, cause: str, what: str) -> None:
        super().__init__(f"blocked by {cause}: {what}")
        self.cause = cause


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
    # Failures of the running check's independent cases (`case`), each reported.
    failures: list[CheckFailed] = field(default_factory=list)
    # The check running now (set by the engine), to name the cause of a shared failure.
    current: str = ""
    # Warnings of the running check: the server follows the docs page where the contract
    # deviates on purpose (`x-deviation`); never a violation.
    warnings: list[str] = field(default_factory=list)
    # Every warning of the run, with the check that raised it.
    all_warnings: list[str] = field(default_factory=list)
    # Operations the user says the server does not offer (`--without`).
    without: tuple[str, ...] = ()
    # Models the server refused as unknown, in any check (model -> what it answered).
    refused_models: dict[str, str] = field(default_factory=dict)
    # The server refuses the multipart form itself: later creates use the JSON body.
    form_refused: bool = False
    # Creates that were accepted only after other tries (what was tried, and the refusals).
    fallbacks: list[tuple[str, str, Exchange | None]] = field(default_factory=list)
    # Models the server accepted a create of, in the order first seen.
    served: dict[str, None] = field(default_factory=dict)

    # -- the models the server offers -------------------------------------------------------
    def retired_served(self, today: str) -> list[str]:
        """Information lines: each model past its sourced retirement date that the server
        still accepted a create of. Serving it is the server's choice, not a violation."""
        catalogue = families(self.spec)
        return [
            f"information: the server still serves {model}, retired on "
            f"{catalogue.retired_on(model)} (x-video-families): a client may rely on it only "
            "until the server stops"
            for model in self.served
            if catalogue.retired(model, today)
        ]

    def named_models(self) -> tuple[str, ...]:
        """The models the user says the server offers (`--model`, the settings' `models`)."""
        return tuple(m for m in dict.fromkeys(self.models) if m != ALL_MODELS)

    def offers(self, model: str) -> bool:
        """Whether the server offers `model`: named by the user (when the user names any),
        and not refused as unknown (a named model the server calls unknown is not offered
        either: it says so in its own words)."""
        named = self.named_models()
        return (not named or model in named) and model not in self.refused_models

    def base_models(self) -> list[str]:
        """Models to create the audit's jobs with, in the order to try them.

        The models the user named, the default family's first; else the default family's
        models, the spec's default first. Models the server refused as unknown are left out.
        """
        catalogue = families(self.spec)
        default = catalogue.default_family
        named = self.named_models()
        if named:
            models = sorted(named, key=lambda m: catalogue.for_model(m) is not default)
        else:
            first = self.spec.enum("VideoModel")[0]
            models = [first, *(m for m in default.models if m != first)]
            # A server without the default family: one model of each other family.
            models += [m for m in catalogue.representatives() if m not in models]
        return [m for m in models if m not in self.refused_models]

    def note_refusal(self, model: str, reply: Reply) -> bool:
        """Record a refusal of `model` as unknown (True), or say it is about something else."""
        if not refuses_model(reply, model):
            return False
        self.refused_models.setdefault(model, f"HTTP {reply.status}: {_excerpt(reply)}")
        return True

    # -- verdicts ---------------------------------------------------------------------------
    @staticmethod
    def fail(
        at_fault: str, expected: str, actual: str, exchange: Exchange | None = None
    ) -> NoReturn:
        raise CheckFailed(at_fault, expected, actual, exchange)

    @contextmanager
    def case(self) -> Iterator[None]:
        """One case that does not depend on the others: its failure is kept and the check
        goes on to the next case (every failing case is reported, not only the first)."""
        try:
            yield
        except CheckFailed as failure:
            self.failures.append(failure)

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
    def form_model(self) -> str | None:
        """The first model of the default family (the multipart form's) the server offers."""
        default = families(self.spec).default_family
        return next((m for m in self.base_models() if m in default.models), None)

    def create_fields(self, model: str | None = None) -> dict[str, str]:
        """The spec's minimal multipart example, naming a model (of the default family) the
        server offers; the first Sora model the spec lists when it offers none."""
        chosen = model or self.form_model() or self.spec.enum("VideoModel")[0]
        return {**self.example("createVideo", "multipart/form-data"), "model": chosen}

    def post_form(self, extra: dict[str, str]) -> Reply:
        """POST the minimal multipart create with `extra` fields, naming an offered model.

        A refusal that calls the model unknown (not about `extra`) is remembered and the
        create is sent again with the next model of the form the server may offer.
        """
        while True:
            fields = {**self.create_fields(), **extra}
            if self.form_refused:
                return self.client.post(self.path("createVideo"), json=fields)
            parts = [(k, (None, str(v))) for k, v in fields.items()]
            reply = self.client.post(self.path("createVideo"), files=parts)
            model = fields["model"]
            if "model" in extra or not self.note_refusal(model, reply):
                return self._form_or_json(reply, fields, extra)
            if self.form_model() is None:
                return reply

    def _form_or_json(self, reply: Reply, fields: dict[str, str], extra: dict[str, str]) -> Reply:
        """A form refused without naming the field at stake is sent again as JSON: when the
        JSON body is answered otherwise (accepted, or refused naming the field), the server
        refuses the form itself. That is one finding (kept in `fallbacks`), and every later
        create of the audit uses JSON, so that each case judges its field, not the form."""
        if not 400 <= reply.status < 500 or _error_param(reply) in extra or "model" in extra:
            return reply
        again = self.client.post(self.path("createVideo"), json=fields)
        if not (200 <= again.status < 300 or _error_param(again) in extra):
            return reply
        self.form_refused = True
        self.fallbacks.append(
            (
                f"the contract's {FORM} refused (a create with {', '.join(extra)})",
                f"{FORM}: HTTP {reply.status} {_excerpt(reply, 120)}; the same fields as a "
                f"{JSON_BODY}: HTTP {again.status} {_excerpt(again, 120)}",
                reply.exchange,
            )
        )
        return again

    def create_video(
        self,
        extra: dict[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        what: str = "create with only a prompt",
    ) -> dict[str, Any]:
        """Create a job with the spec's minimal example plus `extra` fields (and file parts).

        It always names a model: the one in `extra`, or each model the server offers in turn.
        A refused create is tried again in the other body form (JSON) and with the next
        offered model before the check gives up; what was tried is in the finding, and a
        create accepted only after a refusal is kept in `fallbacks` (one finding, reported by
        the check about creates).
        """
        extra = dict(extra or {})
        models = [extra.pop("model")] if "model" in extra else self.base_models()
        if not models:
            self.not_offered(
                "the server refuses every model as unknown: "
                + "; ".join(f"{m} ({why})" for m, why in self.refused_models.items())
            )
        tried: list[str] = []
        first: Reply | None = None
        # Refusals that are not "unknown model" (a form or a value the contract allows).
        unexplained: list[Reply] = []
        catalogue = families(self.spec)
        for model in models:
            sora = catalogue.for_model(model).default
            forms = (FORM, JSON_BODY) if sora and not self.form_refused else (JSON_BODY,)
            for form in forms:
                reply = self._post_create(model, extra, files, form, sora)
                if 200 <= reply.status < 300:
                    self.expect_status(reply, "createVideo", 200, what)
                    video: dict[str, Any] = self.expect_schema(reply, "Video", "created video")
                    self.record(video, reply.exchange, new=True)
                    self.served.setdefault(model)
                    self.expect_model(model, video, f"{what} ({model})", reply.exchange)
                    if unexplained and form == JSON_BODY and sora:
                        self.form_refused = True
                    if unexplained:
                        self.fallbacks.append(
                            (
                                f"{what}: a valid create refused",
                                "; ".join(tried) + f"; then accepted as {model} ({form})",
                                unexplained[0].exchange,
                            )
                        )
                    if tried:
                        self.notes.append(f"{what}: accepted as {model} ({form}) after a refusal")
                    return video
                first = first or reply
                tried.append(f"{model} ({form}): HTTP {reply.status} {_excerpt(reply, 120)}")
                if self.note_refusal(model, reply):
                    break  # not offered: the other form would be refused alike
                unexplained.append(reply)
        assert first is not None
        if all(m in self.refused_models for m in models):
            self.not_offered("the server refuses every model tried as unknown: " + "; ".join(tried))
        self.fail(
            what,
            "HTTP 200 for a valid create (tried every offered model and both body forms)",
            "; ".join(tried),
            first.exchange,
        )

    def _post_create(
        self,
        model: str,
        extra: dict[str, str],
        files: list[tuple[str, tuple[str, bytes, str]]] | None,
        form: str,
        sora: bool,
    ) -> Reply:
        fields: dict[str, Any] = {"model": model, **extra}
        if sora:
            fields = {**self.create_fields(model), **extra}
        else:
            fields.setdefault("prompt", self.create_fields(model)["prompt"])
            # The model's family shapes the body (HappyHorse's DashScope body nests the
            # prompt and the options), with the first frame it requires.
            family = families(self.spec).for_model(model)
            for name in family.requires(model):
                missing = family.get(family.shaped(fields), name) is None
                if missing and name == family.reference_field:
                    fields[name] = first_frame_url(family)
            fields = family.shaped(fields)
        if form == FORM:
            # (None, value) parts: a multipart form without files, as the gateway's page shows.
            parts: list[tuple[str, Any]] = [
                (name, (None, str(value))) for name, value in fields.items()
            ]
            parts += files or []
            return self.client.post(self.path("createVideo"), files=parts)
        body: dict[str, Any] = dict(fields)
        for name, (_, content, ctype) in files or []:
            body[name] = {"image_url": f"data:{ctype};base64,{base64.b64encode(content).decode()}"}
        return self.client.post(self.path("createVideo"), json=body)

    def expect_model(
        self, asked: str, video: dict[str, Any], what: str, exchange: Exchange | None
    ) -> None:
        """The job names the model it was created with (or a dated snapshot name of it)."""
        reported = str(video.get("model"))
        if not model_matches(self.spec, asked, reported):
            self.fail(f"{what}: field model", repr(asked), repr(reported), exchange)

    def create_json(self, body: dict[str, Any], what: str) -> tuple[Reply, dict[str, Any] | None]:
        """Create a job with a JSON body; the reply, and the job when it was accepted (200)."""
        reply = self.client.post(self.path("createVideo"), json=body)
        if reply.status != 200:
            return reply, None
        video: dict[str, Any] = self.expect_schema(reply, "Video", what)
        self.record(video, reply.exchange, new=True)
        if isinstance(body.get("model"), str):
            self.served.setdefault(body["model"])
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
            self.shared["completed_owner"] = self.current
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
            owner = self.shared.get("completed_owner") or ""
            if isinstance(problem, CheckFailed) and owner and owner != self.current:
                # One cause, reported once by the check it happened in.
                raise CheckBlocked(owner, f"no completed video could be made ({problem.at_fault})")
            if isinstance(problem, CheckFailed):
                self.fail(
                    f"a completed video to check (none could be made): {problem.at_fault}",
                    problem.expected,
                    problem.actual,
                    problem.exchange,
                )
            if isinstance(problem, CheckSkipped):
                self.skip(str(problem))
            if isinstance(problem, CheckNotOffered):
                self.not_offered(str(problem))
            if isinstance(problem, BudgetSpent):
                self.skip("--max-creates budget spent before a completed video could be made")
            self.fail(
                "a completed video to check (none could be made)",
                "a valid create that completes",
                f"{type(problem).__name__}: {problem}"[:300],
            )
        completed: dict[str, Any] = self.shared["completed"]
        return completed


def _excerpt(reply: Reply, limit: int | None = None) -> str:
    text = (
        reply.response.text
        if reply.response.headers.get("content-type", "").startswith(("application/json", "text/"))
        else f"<{reply.size} bytes>"
    )
    if limit is not None and len(text) > limit:
        return text[: limit - 3] + "..."
    return short(text)


def _error_param(reply: Reply) -> Any:
    document = reply.json()
    error = document.get("error") if isinstance(document, dict) else None
    return error.get("param") if isinstance(error, dict) else None


def model_matches(spec: Spec, asked: str, reported: str) -> bool:
    """The reported model is the one asked for, or a dated snapshot name of it."""
    listed = {*families(spec).models, asked}
    models = sorted(listed, key=len, reverse=True)
    best = next((m for m in models if reported == m or reported.startswith(m + "-")), None)
    return best == asked


def refuses_model(reply: Any, model: str | None = None) -> bool:
    """Whether a refusal says the model itself is unknown, not that a value is wrong.

    A 400 or 404 whose `error.param` is `model`, or (no other field named) whose code or
    message names the model: `Invalid model name passed in model=sora-2-pro`, param null.
    """
    if reply.status not in (400, 404):
        return False
    try:
        document = reply.json()
    except (ValueError, AttributeError):
        document = None
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        text = _text_of(reply)
        return bool(model) and str(model) in text
    param = error.get("param")
    if param == "model":
        return True
    if isinstance(param, str) and param:
        return False  # the server named another field: a value is wrong, not the model
    code = str(error.get("code") or "")
    message = str(error.get("message") or "")
    return "model" in code or (bool(model) and str(model) in message)


def _text_of(reply: Any) -> str:
    try:
        return str(reply.response.text)[:2000]
    except (AttributeError, UnicodeDecodeError):
        return ""


def deviation_about(family: Family, name: str, value: Any) -> str:
    """The `x-deviation` of the family's schema (or of its field `name`) that is about
    `value`: the contract refuses it on purpose where the page allows it. Empty: none."""
    texts = [family.schema.get("x-deviation"), family.properties.get(name, {}).get("x-deviation")]
    for text in texts:
        if isinstance(text, str) and str(value) in text:
            return " ".join(text.split())
    return ""


def first_frame_url(family: Family) -> str:
    """A real PNG at the family's default frame, as a `data:` URL (a first-frame image)."""
    import io

    from PIL import Image

    frame = family.frame(str(family.field_default(family.size_field))) or (1280, 720)
    buffer = io.BytesIO()
    Image.new("RGB", frame, (40, 90, 160)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
