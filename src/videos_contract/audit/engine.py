"""Run an audit: check that the server can be audited, run the behaviour checks, then fuzz.

The engine emits events and returns an `AuditResult`; it knows nothing of report formats.
Everything it sends goes through the relay (`proxy`), which holds the key, the create budget
and the rate limit. With no URL it audits the embedded mock on a free loopback port.
"""

from __future__ import annotations

import ipaddress
import json
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx

from videos_contract.audit.checks import CHECKS
from videos_contract.audit.client import (
    AnswerRefused,
    AuditClient,
    BudgetSpent,
    TargetUnusable,
    UpstreamFailed,
    reach,
)
from videos_contract.audit.context import (
    ALL_MODELS,
    CheckBlocked,
    CheckContext,
    CheckFailed,
    CheckNotOffered,
    CheckSkipped,
)
from videos_contract.audit.deadline import AuditClock
from videos_contract.audit.events import (
    AuditFinished,
    AuditStarted,
    BehaviourCheckFinished,
    FuzzingFinished,
    FuzzingStarted,
    Listener,
)
from videos_contract.audit.fuzz import (
    FuzzerTimedOut,
    FuzzRun,
    ModelScope,
    check_reports,
    read_events,
    run_fuzzer,
    scoped_spec,
    translate,
)
from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.profiles import PROFILES, REMOTE_MAX_CREATES, Profile
from videos_contract.audit.proxy import AuditRelay
from videos_contract.audit.results import AuditResult, CheckOutcome, Exchange, Violation
from videos_contract.audit.serving import serve_in_thread
from videos_contract.audit.verdict import decide
from videos_contract.paths import SPEC_PATH
from videos_contract.spec import load_spec

__all__ = ["REMOTE_MAX_CREATES", "AuditAborted", "AuditConfig", "default_max_creates", "run_audit"]

# Failing cases of one behaviour check shown (every one is counted).
MAX_CASES_SHOWN = 8
# How much of the server's words a "could not audit" line quotes.
WORDS_SHOWN = 300
# Statuses that say "later", not "no": they do not make a key look refused.
RETRY_STATUSES = (408, 429)
# Where the fuzzer's outcome is tallied when it did not run at all.
FUZZ_ALL = "(all operations)"
# The embedded mock renders fast so that an audit of it takes seconds, not minutes.
EMBEDDED_RENDER_SECONDS = 0.2


class AuditAborted(Exception):
    """The server cannot be audited (unreachable, TLS, key refused); one line says why."""


@dataclass(frozen=True)
class AuditConfig:
    """One audit: what to audit, how thoroughly, within which limits."""

    url: str | None = None
    key: str | None = None
    profile: Profile = PROFILES["standard"]
    # "auto": unlimited on loopback, REMOTE_MAX_CREATES elsewhere; None: unlimited.
    max_creates: int | Literal["auto"] | None = "auto"
    rate_limit: float | None = None
    seed: int = 0
    artefacts_dir: Path | None = None
    spec_path: Path = SPEC_PATH
    poll_timeout: float = 600.0
    # The user says valid jobs may end `failed`; checks that need a completed one are not run.
    failures_expected: bool = False
    # Behaviour checks to run (None: all the profile runs); the rest are "not run".
    checks: tuple[str, ...] | None = None
    # Operations the user says the server does not offer; their checks are "not offered".
    without: tuple[str, ...] = ()
    # False: behaviour checks only; the fuzzer is reported "not run".
    fuzz: bool = True
    # The fuzzer's reports besides its NDJSON events (`audit.fuzz.EXTRA_REPORTS`: junit, har,
    # vcr), written into `artefacts_dir`.
    fuzzer_reports: tuple[str, ...] = ()
    # Models whose parameters to sweep (`--model`, repeatable; `all`: every model the spec
    # lists); empty: the first model of each family, those the server answers "unknown
    # model" for reported as not offered.
    models: tuple[str, ...] = ()
    # Behaviour checks the settings file switches off (severity "off"); they are "not run".
    switched_off: tuple[str, ...] = ()
    # Seconds for the whole audit and for each check; None: the profile's (see `deadline`).
    deadline: float | None = None
    check_deadline: float | None = None
    # The settings' say in the verdict (`audit.verdict.decide`): checks of severity warning,
    # the accepted baseline to compare with, a file to write this run's violations to as one.
    warning_checks: tuple[str, ...] = ()
    baseline: Path | None = None
    update_baseline: Path | None = None

    def __post_init__(self) -> None:
        # Refused here, not when the fuzzer starts after the behaviour checks.
        check_reports(self.fuzzer_reports)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_max_creates(url: str) -> int | None:
    """Unlimited on loopback (a local server bills nobody), `REMOTE_MAX_CREATES` elsewhere."""
    return None if is_loopback(url) else REMOTE_MAX_CREATES


def preflight(url: str, key: str, list_path: str, timeout: float = 30.0) -> None:
    """One authenticated read, so that an unusable target aborts before any verdict.

    A key the server seems to refuse stops the audit with the server's words instead of a
    list of violations that all stand on it: a 4xx other than "no such path" (404, 405) and
    "too many requests" (429), 401 and 400 "No connected db." alike, or an error answered
    exactly as the same request without a key is answered.
    """
    try:
        status, words = reach(url, key, list_path, timeout)
        if status >= 500:
            anonymous = reach(url, "", list_path, timeout)
        else:
            anonymous = None
    except TargetUnusable as exc:
        raise AuditAborted(str(exc)) from None
    if status in (404, 405):
        raise AuditAborted(f"no Videos API at {url}: GET {list_path} answered HTTP {status}")
    shown = words if len(words) <= WORDS_SHOWN else words[: WORDS_SHOWN - 3] + "..."
    said = f"GET {list_path} answered HTTP {status}" + (f": {shown}" if shown else "")
    if 400 <= status < 500 and status not in RETRY_STATUSES and not _names_a_field(words):
        raise AuditAborted(f"could not audit {url}: the key seems refused ({said})")
    if anonymous is not None and anonymous == (status, words):
        raise AuditAborted(
            f"could not audit {url}: the key seems refused: the server answers as it does "
            f"without a key ({said})"
        )


def _names_a_field(words: str) -> bool:
    """Whether an error answer blames a request field (`error.param`): then it is about the
    request (a `limit` the server will not take), not the key; the checks will judge it."""
    try:
        document = json.loads(words)
    except ValueError:
        return False
    error = document.get("error") if isinstance(document, dict) else None
    param = error.get("param") if isinstance(error, dict) else None
    return isinstance(param, str) and bool(param) and param.lower() != "authorization"


@contextmanager
def _target(config: AuditConfig) -> Iterator[tuple[str, str]]:
    if config.url:
        yield config.url.rstrip("/"), config.key or ""
        return
    from videos_contract.mock import MockConfig, running_mock

    mock_config = MockConfig(
        render_seconds=EMBEDDED_RENDER_SECONDS, seed=config.seed, spec_path=config.spec_path
    )
    with running_mock(mock_config) as server:
        yield server.url, server.key


def _not_run_reason(config: AuditConfig, name: str) -> str | None:
    """Why the user's settings leave a behaviour check out, or None to run it."""
    if config.checks is not None and name not in config.checks:
        return "not selected (--check)"
    if name in config.switched_off:
        return "switched off (severity off in the settings file)"
    if name in config.profile.leaves_out:
        return f"the {config.profile.name} profile leaves it out"
    return None


def _not_offered_reason(operation: str) -> str:
    """Why a check on an operation the settings (or `--without`) name as absent has no verdict."""
    return f"the settings say the server does not offer {operation}"


def _run_check(ctx: CheckContext, name: str) -> CheckOutcome:
    """Run one check; only the user's settings may leave it without a verdict.

    The failures of its independent cases (`ctx.case()`) are reported with the outcome,
    every one, not only the first.
    """
    ctx.failures.clear()
    outcome = _run_once(ctx, name)
    ctx.all_warnings += [f"{name}: {warning}" for warning in ctx.warnings]
    if not ctx.failures:
        return outcome
    found = tuple(
        Violation(
            check=name,
            operation=outcome.operation,
            title=name.replace("_", " "),
            at_fault=f.at_fault,
            expected=f.expected,
            actual=f.actual,
            exchange=f.exchange,
        )
        for f in ctx.failures
    )
    violations = found + outcome.violations
    shown = violations[:MAX_CASES_SHOWN]
    return replace(outcome, passed=0, failed=len(violations), violations=shown)


def _run_once(ctx: CheckContext, name: str) -> CheckOutcome:
    registered = CHECKS[name]
    base = CheckOutcome(check=name, operation=registered.operation, source="behaviour")

    def failed(
        at_fault: str, expected: str, actual: str, exchange: Exchange | None
    ) -> CheckOutcome:
        violation = Violation(
            check=name,
            operation=registered.operation,
            title=name.replace("_", " "),
            at_fault=at_fault,
            expected=expected,
            actual=actual,
            exchange=exchange,
        )
        return replace(base, failed=1, violations=(violation,))

    ctx.left_out.clear()
    ctx.absent.clear()
    ctx.notes.clear()
    ctx.warnings.clear()
    ctx.current = name
    try:
        registered.function(ctx)
    except CheckBlocked as blocked:
        return replace(base, skipped=1, skip_reason=str(blocked), blocked_by=blocked.cause)
    except CheckFailed as failure:
        return failed(failure.at_fault, failure.expected, failure.actual, failure.exchange)
    except CheckSkipped as skip:
        return replace(base, skipped=1, skip_reason=str(skip))
    except CheckNotOffered as absent:
        return replace(base, not_offered=str(absent))
    except AnswerRefused as refused:  # the relay refused the answer: a bound was broken
        return failed(
            f"the answer ({refused.kind})", refused.expected, str(refused), refused.exchange
        )
    except BudgetSpent:
        return replace(base, skipped=1, skip_reason="--max-creates budget spent")
    except UpstreamFailed as exc:
        if exc.kind == "deadline":  # the audit's own clock stopped it: no verdict
            return replace(base, skipped=1, skip_reason=str(exc))
        # A dropped connection, a body cut short, a timeout: the server stopped the check.
        return failed("the server's answer", "a complete HTTP response", str(exc)[:300], None)
    except httpx.HTTPError as exc:
        return failed(
            "the relay's answer", "a complete HTTP response", f"{type(exc).__name__}: {exc}", None
        )
    except Exception as exc:  # an answer the check did not foresee: a finding, with evidence
        actual = f"{type(exc).__name__}: {exc}"[:300]
        return failed("the server's answers", "answers the check can evaluate", actual, None)
    notes = []
    if ctx.left_out:
        notes.append("left out by --max-creates: " + "; ".join(ctx.left_out))
    if ctx.absent:
        notes.append("not offered by the server: " + "; ".join(ctx.absent))
    if ctx.notes:
        notes.append("observed: " + "; ".join(ctx.notes))
    if ctx.warnings:
        notes.append("warning: " + "; ".join(ctx.warnings))
    if notes:
        skipped = len(ctx.left_out) + len(ctx.absent)
        return replace(base, passed=1, skipped=skipped, skip_reason="; ".join(notes))
    return replace(base, passed=1)


def _evidence(violation: Violation) -> tuple[object, ...]:
    exchange = violation.exchange
    sent = (exchange.method, exchange.url, exchange.body, exchange.status) if exchange else None
    return violation.expected, violation.actual, sent


def _once(outcome: CheckOutcome, earlier: list[CheckOutcome]) -> CheckOutcome:
    """A failure whose every violation an earlier check already reported, with the same
    evidence (the same request, answer and expectation), has that one cause: it is reported
    once, there, and this check is "blocked by" it."""
    if not outcome.violations:
        return outcome
    for before in earlier:
        seen = {_evidence(v) for v in before.violations}
        if seen and all(_evidence(v) in seen for v in outcome.violations):
            first = outcome.violations[0]
            return CheckOutcome(
                outcome.check,
                outcome.operation,
                outcome.source,
                skipped=1,
                skip_reason=f"blocked by {before.check}: {first.at_fault}",
                blocked_by=before.check,
            )
    return outcome


def _behind_the_form(outcome: CheckOutcome, ctx: CheckContext) -> CheckOutcome:
    """A fuzzer finding that only shows the multipart form refused, when a behaviour check
    already reported that cause: "blocked by" it, not a finding of its own."""
    owner = ctx.shared.get("form_refused_by")
    if not owner or outcome.operation != "createVideo" or not outcome.violations:
        return outcome
    if outcome.check != "positive_data_acceptance":
        return outcome
    # Only when every failing case is shown and is a refused form (none hidden behind it).
    if outcome.failed != len(outcome.violations):
        return outcome
    if not all(_is_refused_form(v) for v in outcome.violations):
        return outcome
    return CheckOutcome(
        outcome.check,
        outcome.operation,
        outcome.source,
        skipped=outcome.failed,
        skip_reason=f"blocked by {owner}: the server refuses the multipart form",
        blocked_by=str(owner),
    )


def _is_refused_form(violation: Violation) -> bool:
    exchange = violation.exchange
    if exchange is None or not 400 <= (exchange.status or 0) < 500:
        return False
    ctype = next((v for k, v in exchange.headers if k.lower() == "content-type"), "")
    return ctype.lower().startswith("multipart/form-data")


def _fuzz(
    config: AuditConfig,
    clock: AuditClock,
    index: OperationIndex,
    relay_url: str,
    url: str,
    artefacts: Path,
    refused: Iterable[str] = (),
) -> FuzzRun:
    """Run the fuzzer in the time the audit's deadline leaves (none: not run)."""
    left = clock.remaining()
    if left is not None and left <= 1.0:
        clock.fuzzing = "fuzzing not run: no time left"
        return FuzzRun([], [])
    # Not schemathesis' --max-time: that one makes it fuzz on until the time is used up.
    artefacts.mkdir(parents=True, exist_ok=True)
    named = tuple(m for m in dict.fromkeys(config.models) if m != ALL_MODELS)
    try:
        events = run_fuzzer(
            scoped_spec(config.spec_path, named, artefacts),
            relay_url,
            config.profile,
            config.seed,
            artefacts,
            config.without,
            timeout=left,
            reports=config.fuzzer_reports,
        )
    except FuzzerTimedOut as stopped:
        clock.fuzzing = str(stopped)
        if stopped.events is None:
            return FuzzRun([], [])
        events = stopped.events
    scope = ModelScope(named, frozenset(refused), load_spec(config.spec_path))
    return translate(read_events(events), index, relay_url, url, scope)


def run_audit(config: AuditConfig, listener: Listener | None = None) -> AuditResult:
    """Audit the target; raise `AuditAborted` when it cannot be audited at all.

    The result's `final` is the verdict `audit.verdict.decide` gives under the config's
    severities and baseline, as the command line's; `BaselineError` when the baseline cannot
    be read or written."""
    emit: Listener = listener or (lambda event: None)
    spec = load_spec(config.spec_path)
    index = OperationIndex(spec)
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    with ExitStack() as stack:
        url, key = stack.enter_context(_target(config))
        clock = AuditClock(
            config.deadline or config.profile.deadline,
            config.check_deadline or config.profile.check_deadline,
        )
        cap = default_max_creates(url) if config.max_creates == "auto" else config.max_creates
        preflight(url, key, spec.operation("listVideos").path, min(30.0, clock.total or 30.0))
        emit(AuditStarted(url, config.profile.name, cap))
        budget = CreateBudget(cap)
        relay = AuditRelay(url, key, index, budget, TokenBucket(config.rate_limit))
        relay_url = stack.enter_context(serve_in_thread(relay))
        client = AuditClient(relay_url, url)
        stack.callback(client.close)
        ctx = CheckContext(
            spec,
            client,
            budget=budget,
            poll_timeout=config.poll_timeout,
            failures_expected=config.failures_expected,
            models=config.models,
            without=config.without,
        )
        outcomes: list[CheckOutcome] = []
        for name in CHECKS:
            reason = _not_run_reason(config, name)
            registered = CHECKS[name]
            if registered.operation in config.without and not registered.every_operation:
                # An optional capability the user says is absent: no effect on the verdict.
                outcome = CheckOutcome(
                    name,
                    registered.operation,
                    "behaviour",
                    not_offered=_not_offered_reason(registered.operation),
                )
            elif reason is not None:
                outcome = CheckOutcome(
                    name, registered.operation, "behaviour", skipped=1, skip_reason=reason
                )
            else:
                outcome = clock.run_check(
                    name, CHECKS[name].operation, client, relay, partial(_run_check, ctx, name)
                )
            outcome = _once(outcome, outcomes)
            outcomes.append(outcome)
            emit(BehaviourCheckFinished(outcome))
        fuzz = FuzzRun([], [])
        if config.fuzz:
            emit(FuzzingStarted(config.profile.phases))
            artefacts = config.artefacts_dir or Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="videos-contract-audit-"))
            )
            fuzz = _fuzz(config, clock, index, relay_url, url, artefacts, ctx.refused_models)
            emit(FuzzingFinished(len(fuzz.outcomes), len(fuzz.dismissals)))
        else:
            fuzz.outcomes.append(
                CheckOutcome(
                    "schemathesis", FUZZ_ALL, "schemathesis", skipped=1, skip_reason="--no-fuzz"
                )
            )
        outcomes += [_behind_the_form(o, ctx) for o in fuzz.outcomes]
        notes = tuple(f"schemathesis: {error}" for error in fuzz.errors)
        if relay.stats.upstream_errors:
            notes += (
                f"{relay.stats.upstream_errors} request(s) got no answer from the server "
                "(cannot reach, no answer, closed, or cut off by the deadline)",
            )
        notes += tuple(f"warning: {warning}" for warning in ctx.all_warnings)
        notes += tuple(f"warning: fuzzer: {warning}" for warning in fuzz.warnings)
        notes += tuple(f"redirect followed: {hop}" for hop in relay.stats.redirects)
        notes += tuple(ctx.retired_served(datetime.now(UTC).date().isoformat()))
        notes += tuple(
            f"information: an answer header names an internal address (it shows the server's "
            f"internals): {leak}"
            for leak in client.leaks.values()
        )
        notes += clock.notes()
        result = AuditResult(
            target=url,
            profile=config.profile.name,
            seed=config.seed,
            started_at=started_at,
            duration=round(time.monotonic() - started, 2),
            outcomes=tuple(outcomes),
            dismissals=tuple(fuzz.dismissals),
            billed_sent=budget.sent,
            billed_accepted=budget.accepted,
            billed_skipped=budget.skipped,
            max_creates=cap,
            requests=relay.stats.requests,
            rate_limited_waits=relay.stats.rate_limited_waits,
            notes=notes,
        )
    emit(AuditFinished(result))
    decision = decide(
        result,
        warning_checks=config.warning_checks,
        baseline=config.baseline,
        update_baseline=config.update_baseline,
    )
    return replace(result, ending=decision.verdict)
