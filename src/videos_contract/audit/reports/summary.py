"""summary.json: the machine-readable verdict, in a documented and versioned shape.

The shape is described in docs/audit.md; `SUMMARY_VERSION` changes whenever a field is removed
or changes meaning (adding a field does not change it).
"""

from __future__ import annotations

import json
from typing import Any

from videos_contract import __version__
from videos_contract.audit.curl import to_curl
from videos_contract.audit.reports.grouping import by_operation
from videos_contract.audit.reports.words import verdict_line
from videos_contract.audit.results import AuditResult, Outcome, Violation

__all__ = ["SUMMARY_VERSION", "render_summary", "summary_dict"]

SUMMARY_VERSION = 3


def _violation(violation: Violation) -> dict[str, Any]:
    return {
        "title": violation.title,
        "code": violation.code,
        "at_fault": violation.at_fault,
        "expected": violation.expected,
        "actual": violation.actual,
        "reproduction": to_curl(violation.exchange) if violation.exchange else None,
    }


def summary_dict(result: AuditResult) -> dict[str, Any]:
    outcomes = result.outcomes
    final = result.final
    return {
        "schema_version": SUMMARY_VERSION,
        "tool": {"name": "videos-contract", "version": __version__},
        "target": result.target,
        "embedded_mock": result.embedded_mock,
        "profile": result.profile,
        "seed": result.seed,
        "started_at": result.started_at,
        "duration_seconds": result.duration,
        "verdict": final.word,
        "exit_code": final.exit_code,
        "reason": verdict_line(result),
        "totals": {
            "checks": len(outcomes),
            "passed": sum(o.outcome is Outcome.PASSED for o in outcomes),
            "failed": sum(o.outcome is Outcome.FAILED for o in outcomes),
            "not_run": sum(o.outcome is Outcome.NOT_RUN for o in outcomes),
            "not_offered": sum(o.outcome is Outcome.NOT_OFFERED for o in outcomes),
            "run_in_part": len(result.run_in_part),
            "violations": len(result.violations),
            "root_causes": len(result.root_causes),
            "blocked": len(result.blocked),
            "dismissed": len(result.dismissals),
        },
        "cost": {
            "max_creates": result.max_creates,
            "billed_sent": result.billed_sent,
            "billed_accepted": result.billed_accepted,
            "billed_skipped": result.billed_skipped,
        },
        "requests": result.requests,
        "rate_limited_waits": result.rate_limited_waits,
        "operations": [
            {
                "operation": operation,
                "checks": [
                    {
                        "check": o.check,
                        "source": o.source,
                        "outcome": o.outcome.value,
                        "cases": {"passed": o.passed, "failed": o.failed, "not_run": o.skipped},
                        "reason": o.reason or None,
                        "blocked_by": o.blocked_by or None,
                        "violations": [_violation(v) for v in o.violations],
                    }
                    for o in group
                ],
            }
            for operation, group in by_operation(result)
        ],
        "root_causes": [
            {
                "check": cause.outcome.check,
                "operation": cause.outcome.operation,
                "source": cause.outcome.source,
                "violations": [_violation(v) for v in cause.violations],
                "blocked": [o.check for o in cause.blocked],
            }
            for cause in result.root_causes
        ],
        "dismissed": [
            {"check": d.check, "operation": d.operation, "title": d.title, "reason": d.reason}
            for d in result.dismissals
        ],
        "notes": list(result.notes),
    }


def render_summary(result: AuditResult) -> str:
    return json.dumps(summary_dict(result), indent=2, ensure_ascii=False) + "\n"
