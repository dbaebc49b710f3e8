"""Run an audit: check that the server can be audited, run the behaviour checks, then fuzz.

The engine emits events and returns an `AuditResult`; it knows nothing of report formats.
Everything it sends goes through the relay (`proxy`), which holds the key, the create budget
and the rate limit. With no URL it audits the embedded mock on a free loopback port.
"""

from __future__ import annotations

import ipaddress
import tempfile
import time
from collections.abc import Iterator
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
from videos_contract.audit.fuzz import FuzzerTimedOut, FuzzRun, read_events, run_fuzzer, translate
from videos_contract.audit.gate import CreateBudget, TokenBucket
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.profiles import PROFILES, REMOTE_MAX_CREATES, Profile
from videos_contract.audit.proxy import AuditRelay
from videos_contract.audit.results import AuditResult, CheckOutcome, Exchange, Violation
from videos_contract.audit.serving import serve_in_thread
from videos_contract.paths import SPEC_PATH
from videos_contract.spec import load_spec

__all__ = ["REMOTE_MAX_CREATES", "AuditAborted", "AuditConfig", "default_max_creates", "run_audit"]

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
    # Models whose parameters to sweep (`--model`, repeatable; `all`: every model the spec
    # lists); empty: the first model of each family, those the server answers "unknown
    # model" for reported as not offered.
    models: tuple[str, ...] = ()
    # Behaviour checks the settings file switches off (severity "off"); they are "not run".
    switched_off: tuple[str, ...] = ()
    # Seconds for the whole audit and for each check; None: the profile's (see `deadline`).
    deadline: float | None = None
    check_deadline: float | None = None


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
    """One authenticated read, so that an unusable target aborts before any verdict."""
    try:
        status = reach(url, key, list_path, timeout)
    except TargetUnusable as exc:
        raise AuditAborted(str(exc)) from None
    if status in (401, 403):
        raise AuditAborted(f"the key was refused by {url} (HTTP {status})")
    if status in (404, 405):
        raise AuditAborted(f"no Videos API at {url}: GET {list_path} answered HTTP {status}")


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
    """Run one check; only the user's settings may leave it without a verdict."""
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
    try:
        registered.function(ctx)
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
    if notes:
        skipped = len(ctx.left_out) + len(ctx.absent)
        return replace(base, passed=1, skipped=skipped, skip_reason="; ".join(notes))
    return replace(base, passed=1)


def _fuzz(
    config: AuditConfig,
    clock: AuditClock,
    index: OperationIndex,
    relay_url: str,
    url: str,
    artefacts: Path,
) -> FuzzRun:
    """Run the fuzzer in the time the audit's deadline leaves (none: not run)."""
    left = clock.remaining()
    if left is not None and left <= 1.0:
        clock.fuzzing = "fuzzing not run: no time left"
        return FuzzRun([], [])
    # Not schemathesis' --max-time: that one makes it fuzz on until the time is used up.
    try:
        events = run_fuzzer(
            config.spec_path,
            relay_url,
            config.profile,
            config.seed,
            artefacts,
            config.without,
            timeout=left,
        )
    except FuzzerTimedOut as stopped:
        clock.fuzzing = str(stopped)
        if stopped.events is None:
            return FuzzRun([], [])
        events = stopped.events
    return translate(read_events(events), index, relay_url, url)


def run_audit(config: AuditConfig, listener: Listener | None = None) -> AuditResult:
    """Audit the target; raise `AuditAborted` when it cannot be audited at all."""
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
        )
        outcomes: list[CheckOutcome] = []
        for name in CHECKS:
            reason = _not_run_reason(config, name)
            registered = CHECKS[name]
            if registered.operation in config.without:
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
            outcomes.append(outcome)
            emit(BehaviourCheckFinished(outcome))
        fuzz = FuzzRun([], [])
        if config.fuzz:
            emit(FuzzingStarted(config.profile.phases))
            artefacts = config.artefacts_dir or Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="videos-contract-audit-"))
            )
            fuzz = _fuzz(config, clock, index, relay_url, url, artefacts)
            emit(FuzzingFinished(len(fuzz.outcomes), len(fuzz.dismissals)))
        else:
            fuzz.outcomes.append(
                CheckOutcome(
                    "schemathesis", FUZZ_ALL, "schemathesis", skipped=1, skip_reason="--no-fuzz"
                )
            )
        outcomes += fuzz.outcomes
        notes = tuple(f"schemathesis: {error}" for error in fuzz.errors)
        if relay.stats.upstream_errors:
            notes += (
                f"{relay.stats.upstream_errors} request(s) got no answer from the server "
                "(cannot reach, no answer, closed, or cut off by the deadline)",
            )
        notes += tuple(f"redirect followed: {hop}" for hop in relay.stats.redirects)
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
    return result
