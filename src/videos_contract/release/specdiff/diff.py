"""`diff_specs`: every change between two versions of the spec, each classified."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from videos_contract.release.specdiff.changes import Change, Level, brief
from videos_contract.release.specdiff.normal import (
    canonical_document,
    first_difference,
    op_name,
    operations_of,
)
from videos_contract.release.specdiff.operations import diff_calls, diff_components, diff_operation
from videos_contract.release.specdiff.rules import is_doc_key
from videos_contract.release.specdiff.schemas import Differ

__all__ = ["SpecShapeError", "diff_specs"]


_TOP_KEYS = frozenset(
    {"paths", "components", "security", "info", "servers", "tags", "webhooks", "openapi"}
)


def _check_shape(doc: Mapping[str, Any]) -> None:
    for key in ("paths", "components", "webhooks"):
        if doc.get(key) is not None and not isinstance(doc.get(key), Mapping):
            raise SpecShapeError(f"`{key}` is not a mapping")


class SpecShapeError(ValueError):
    """A document too malformed to compare (e.g. `paths` that is not a mapping)."""


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new` (parsed OpenAPI documents), breaking ones first.

    Two documents that describe the same API (references inlined or introduced, parameters
    moved between a path and its operations, equivalent spellings of a schema) have none.
    Raises `SpecShapeError` for a document whose top level is not OpenAPI-shaped.
    """
    if old == new:
        return []
    _check_shape(old)
    _check_shape(new)
    d = Differ(old, new)
    for part in ("info", "servers", "tags", "openapi"):
        if old.get(part) != new.get(part):
            d.add(Level.DOCUMENTATION, "documentation", part, f"`{part}` changed")
    for top in sorted(set(old) | set(new)):
        if top not in _TOP_KEYS and not is_doc_key(top) and old.get(top) != new.get(top):
            text = f"top-level `{top}` {brief(old.get(top), new.get(top))}"
            d.add(Level.BREAKING, "unclassified", top, f"{text} (no rule covers it)")
    if old.get("externalDocs") != new.get("externalDocs"):
        d.add(Level.DOCUMENTATION, "documentation", "externalDocs", "`externalDocs` changed")
    old_ops, new_ops = operations_of(old), operations_of(new)
    moved: dict[str, tuple[str, str]] = {}
    reported: set[tuple[str, str]] = set()
    for key, (path, op) in new_ops.items():
        if key not in old_ops:
            moved[str(op.get("operationId"))] = (key[0], path)
    for key, (path, op) in old_ops.items():
        name = op_name(key[0], path, op)
        if key in new_ops:
            diff_operation(d, name, op, new_ops[key][1])
            continue
        target = moved.get(str(op.get("operationId")))
        if target and target[0] == key[0]:
            d.add(Level.BREAKING, "operation-moved", name, f"now at {target[0]} {target[1]}")
            reported.add(target)
        else:
            d.add(Level.BREAKING, "operation-removed", name, "operation removed")
    for key, (path, op) in new_ops.items():
        if key not in old_ops and (key[0], path) not in reported:
            d.add(Level.ADDITIVE, "operation-added", op_name(key[0], path, op), "new operation")
    diff_calls(d, "webhook", "webhook ", old.get("webhooks") or {}, new.get("webhooks") or {})
    diff_components(d)
    if not d.changes:
        a, b = canonical_document(old), canonical_document(new)
        where = first_difference(a, b)
        if where is None:
            return []  # the same API, written differently
        at = "/".join(where) or "document"
        d.add(
            Level.BREAKING,
            "unclassified",
            at,
            f"`{where[-1] if where else 'document'}` changed where no rule looks"
            " (counts as breaking)",
        )
    return sorted(d.changes, key=lambda c: (-c.level, c.where, c.rule, c.message))
