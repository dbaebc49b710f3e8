"""The order every report shows results in: by operation (spec order), then by check."""

from __future__ import annotations

from videos_contract.audit.results import AuditResult, CheckOutcome
from videos_contract.spec import load_spec

__all__ = ["by_operation"]


def by_operation(result: AuditResult) -> list[tuple[str, list[CheckOutcome]]]:
    """Outcomes grouped by operation; spec operations first, in spec order, then the rest."""
    order = [op.operation_id for op in load_spec().operations()]
    groups: dict[str, list[CheckOutcome]] = {}
    for outcome in result.outcomes:
        groups.setdefault(outcome.operation, []).append(outcome)
    rank = {name: i for i, name in enumerate(order)}
    names = sorted(groups, key=lambda name: (rank.get(name, len(order)), name))
    return [
        (name, sorted(groups[name], key=lambda o: (o.source != "behaviour", o.check)))
        for name in names
    ]
