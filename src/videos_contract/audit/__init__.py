"""The conformance audit: does a server keep the contract of openapi.yaml?

```python
from videos_contract.audit import AuditConfig, run_audit, write_reports

result = run_audit(AuditConfig(profile=PROFILES["quick"]))  # the embedded mock
write_reports(result, Path("reports"))
```

Layers (each imports only those above it): `results` and `events` (plain values);
`gate`, `operations`, `wire`, `answers`, `curl`; `proxy` and `client`; `context` and `checks`;
`fuzz`; `verdict` (the one verdict: severities, baseline, deadline); `engine`; `reports`
(reads results, never the engine).

Running an audit (`run_audit`, `AuditConfig`, the checks) needs the `audit` extra, and asking
for those names without it raises an `ImportError` that says so; the results, reports and
profiles are plain modules that the proxy uses in its own install.
"""

from typing import TYPE_CHECKING

from videos_contract.extras import require
from videos_contract.lazy import exports

if TYPE_CHECKING:
    from videos_contract.audit.checks import CHECKS, BehaviourCheck, check
    from videos_contract.audit.engine import (
        AuditAborted,
        AuditConfig,
        default_max_creates,
        run_audit,
    )
    from videos_contract.audit.profiles import PROFILES, REMOTE_MAX_CREATES, Profile
    from videos_contract.audit.reports import ConsoleReporter, write_reports
    from videos_contract.audit.results import (
        AuditResult,
        CheckOutcome,
        Dismissal,
        Exchange,
        Outcome,
        Verdict,
        Violation,
    )
    from videos_contract.audit.verdict import Decision, decide

# Loaded when first asked for: a user of one layer (the proxy uses `answers`, `wire` and
# `reports`) does not load the engine, its checks and their HTTP client.
_WHERE = {
    "CHECKS": "checks",
    "BehaviourCheck": "checks",
    "check": "checks",
    "REMOTE_MAX_CREATES": "profiles",
    "AuditAborted": "engine",
    "AuditConfig": "engine",
    "default_max_creates": "engine",
    "run_audit": "engine",
    "PROFILES": "profiles",
    "Profile": "profiles",
    "ConsoleReporter": "reports",
    "write_reports": "reports",
    "AuditResult": "results",
    "CheckOutcome": "results",
    "Dismissal": "results",
    "Exchange": "results",
    "Outcome": "results",
    "Verdict": "results",
    "Violation": "results",
    "Decision": "verdict",
    "decide": "verdict",
}


# The layers that run an audit: the embedded mock, the relay's server, schemathesis.
_RUNNING = ("checks", "engine")


def _guard(home: str) -> None:
    if home in _RUNNING:
        require("audit", f"{__name__}.{home}")


__getattr__ = exports(__name__, _WHERE, _guard)


__all__ = [
    "CHECKS",
    "PROFILES",
    "REMOTE_MAX_CREATES",
    "AuditAborted",
    "AuditConfig",
    "AuditResult",
    "BehaviourCheck",
    "CheckOutcome",
    "ConsoleReporter",
    "Decision",
    "Dismissal",
    "Exchange",
    "Outcome",
    "Profile",
    "Verdict",
    "Violation",
    "check",
    "decide",
    "default_max_creates",
    "run_audit",
    "write_reports",
]
