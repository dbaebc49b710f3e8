"""The conformance audit: does a server keep the contract of openapi.yaml?

```python
from videos_contract.audit import AuditConfig, run_audit, write_reports

result = run_audit(AuditConfig(profile=PROFILES["quick"]))  # the embedded mock
write_reports(result, Path("reports"))
```

Layers (each imports only those above it): `results` and `events` (plain values);
`gate`, `operations`, `wire`, `answers`, `curl`; `proxy` and `client`; `context` and `checks`;
`fuzz`; `engine`; `reports` (reads results, never the engine).
"""

from videos_contract.audit.checks import CHECKS, BehaviourCheck, check
from videos_contract.audit.engine import (
    REMOTE_MAX_CREATES,
    AuditAborted,
    AuditConfig,
    default_max_creates,
    run_audit,
)
from videos_contract.audit.profiles import PROFILES, Profile
from videos_contract.audit.reports import ConsoleReporter, Redactor, write_reports
from videos_contract.audit.results import (
    AuditResult,
    CheckOutcome,
    Dismissal,
    Exchange,
    Outcome,
    Violation,
)

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
    "Dismissal",
    "Exchange",
    "Outcome",
    "Profile",
    "Redactor",
    "Violation",
    "check",
    "default_max_creates",
    "run_audit",
    "write_reports",
]
