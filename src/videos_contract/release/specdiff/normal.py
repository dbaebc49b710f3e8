"""Normalisation: one spelling of what a schema means (`normal`) and of a whole document
(`canonical_document`), so that equivalent spellings compare equal; and where a document's
operations, parameters and security requirements are."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from videos_contract.release.specdiff.changes import show
from videos_contract.release.specdiff.rules import is_doc_key
from videos_contract.schema import RefError, lookup
from videos_contract.spec import HTTP_METHODS

__all__ = [
    "canonical_document",
    "canonical_node",
    "first_difference",
    "is_null",
    "normal",
    "op_name",
    "operations_of",
    "param_key",
    "path_operations",
    "ref_of",
    "security_of",
    "strip_docs",
]


def ref_of(node: Any) -> str | None:
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        return str(node["$ref"])
    return None


def strip_docs(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if not is_doc_key(k)}


def is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and len(schema) <= 2


def normal(schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema in one spelling of what it means, without its null alternative; and
    whether null is allowed.

    Equivalent spellings compare equal: `nullable: true`, `type: [X, "null"]` and a `null`
    branch of `oneOf`/`anyOf`; a `oneOf`/`anyOf`/`allOf` of one part and that part; `const`
    and a one-value `enum`; for integers, `exclusiveMinimum: 0` and `minimum: 1` (and the
    OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`).
    """
    core = dict(schema)
    nullable = bool(core.pop("nullable", False))
    kind = core.get("type")
    if isinstance(kind, list):
        if "null" in kind:
            nullable = True
        rest = [t for t in kind if t != "null"]
        if len(rest) == 1:
            core["type"] = rest[0]
        elif rest:
            core["type"] = sorted(rest)
        else:
            core["type"] = "null"
    for key in ("oneOf", "anyOf", "allOf"):
        members = core.get(key)
        if not isinstance(members, list):
            continue
        # A null branch of oneOf/anyOf is "or null"; in allOf it would mean "only null".
        rest = members if key == "allOf" else [m for m in members if not is_null(m)]
        if len(rest) < len(members):
            nullable = True
        if len(rest) == 1 and isinstance(rest[0], Mapping) and _mergeable(core, key, rest[0]):
            del core[key]
            only = rest[0]
            if "$ref" in only:
                core["$ref"] = only["$ref"]
                core.update({k: v for k, v in only.items() if k != "$ref" and k not in core})
            else:
                inner, inner_null = normal(only)
                if key != "allOf" or "type" not in core:
                    nullable = nullable or inner_null
                core = {**inner, **core}
        elif len(rest) < len(members):
            core[key] = rest
    if "const" in core and "enum" not in core:
        value = core.pop("const")
        if value is None:
            nullable = True
            core["enum"] = []
        else:
            core["enum"] = [value]
    for key, bound, step in (
        ("exclusiveMinimum", "minimum", 1),
        ("exclusiveMaximum", "maximum", -1),
    ):
        value = core.get(key)
        if isinstance(value, bool):  # OpenAPI 3.0: a flag on minimum/maximum
            del core[key]
            if value and bound in core:
                core[key] = core.pop(bound)
            value = core.get(key)
        if core.get("type") == "integer" and isinstance(value, int | float):
            inclusive = math.floor(value) + 1 if step > 0 else math.ceil(value) - 1
            del core[key]
            current = core.get(bound)
            if current is None or isinstance(current, bool):
                core[bound] = inclusive
            else:
                core[bound] = max(current, inclusive) if step > 0 else min(current, inclusive)
    return core, nullable


# Keywords beside a one-part oneOf/anyOf/allOf that do not constrain values.
_ANNOTATIONS = frozenset({"readOnly", "writeOnly", "deprecated", "default"})


def _mergeable(core: Mapping[str, Any], key: str, only: Mapping[str, Any]) -> bool:
    """Whether a one-part `key` can be written as its part without changing the meaning:
    nothing beside it constrains values (for a `$ref`), or no keyword is on both sides."""
    own = {k for k in strip_docs(core) if k != key} - _ANNOTATIONS
    if "$ref" in only:
        return not own
    return not own & set(strip_docs(only))


def canonical_node(doc: Mapping[str, Any], node: Any) -> Any:
    """`node` with every `$ref` resolved (a cycle becomes a marker) and schemas normalised."""
    return _Canon(doc).walk(node, ())


_SCHEMA_HINTS = frozenset(
    {"type", "oneOf", "anyOf", "allOf", "enum", "const", "nullable", "properties", "items"}
)


@dataclass
class _Canon:
    doc: Mapping[str, Any]
    _open: set[int] = field(default_factory=set)

    def walk(self, node: Any, refs: tuple[str, ...]) -> Any:
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                if ref in refs:
                    return {"$cycle": ref}
                try:
                    target = lookup(self.doc, ref)
                except RefError:
                    target = {}
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                merged = {**target, **siblings} if isinstance(target, Mapping) else target
                return self.walk(merged, (*refs, ref))
            if id(node) in self._open:
                return {"$cycle": "alias"}
            self._open.add(id(node))
            try:
                if _SCHEMA_HINTS.intersection(node):
                    core, nullable = normal(node)
                    out = {str(k): self.walk(v, refs) for k, v in core.items()}
                    if nullable:
                        out["nullable"] = True
                    for key in ("enum", "required"):  # sets, written as lists
                        if isinstance(out.get(key), list):
                            out[key] = sorted(out[key], key=show)
                    return out
                return {str(k): self.walk(v, refs) for k, v in node.items()}
            finally:
                self._open.discard(id(node))
        if isinstance(node, list):
            if id(node) in self._open:
                return ["$cycle"]
            self._open.add(id(node))
            try:
                return [self.walk(v, refs) for v in node]
            finally:
                self._open.discard(id(node))
        return node


def canonical_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document as the API it describes: references resolved, path-level parameters on
    each operation (keyed, so their order and placement do not count), schemas normalised;
    components that only serve references are left out (their uses are inlined)."""
    canon = _Canon(doc)
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key in ("paths", "webhooks", "components"):
            continue
        out[key] = canon.walk(value, ())
    # Each operation with its effective security: the document's, unless it has its own.
    out.pop("security", None)
    out["paths"] = {
        f"{method} {shape}": canon.walk(
            {**_keyed_parameters(canon, op), "security": security_of(doc, op)}, ()
        )
        for (method, shape), (_, op) in operations_of(doc).items()
    }
    out["webhooks"] = canon.walk(doc.get("webhooks") or {}, ())
    components = doc.get("components") or {}
    if isinstance(components, Mapping):
        for part in ("schemas", "securitySchemes"):
            out[part] = canon.walk(components.get(part) or {}, ())
    return out


def _keyed_parameters(canon: _Canon, op: Mapping[str, Any]) -> dict[str, Any]:
    keyed: dict[str, Any] = {}
    for raw in op.get("parameters") or ():
        param = canon.walk(raw, ())
        if isinstance(param, Mapping):
            where, name = param_key(param)
            keyed[f"{where}:{name}"] = param
    return {**op, "parameters": keyed}


def first_difference(old: Any, new: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path of the first place where two canonical documents differ."""
    if old == new:
        return None
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                return (*path, str(key))
            found = first_difference(old[key], new[key], (*path, str(key)))
            if found is not None:
                return found
        return path
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found = first_difference(a, b, (*path, str(i)))
            if found is not None:
                return found
    return path


def operations_of(doc: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """`(METHOD, path with {} for parameters)` -> (path as written, operation)."""
    paths = doc.get("paths") or {}
    return path_operations(paths if isinstance(paths, Mapping) else {}, shapes=True)


def path_operations(
    paths: Mapping[str, Any], *, shapes: bool
) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """The operations of a `paths`-like map, path-level parameters moved onto each."""
    found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        shape = str(path)
        if shapes:
            shape = "/".join("{}" if s.startswith("{") else s for s in shape.split("/"))
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                merged = dict(op)
                merged["parameters"] = [*shared, *(op.get("parameters") or [])]
                found[(method.upper(), shape)] = (str(path), merged)
    return found


def op_name(method: str, path: str, op: Mapping[str, Any]) -> str:
    return f"{method} {path} ({op.get('operationId', '?')})"


def security_of(doc: Mapping[str, Any], op: Mapping[str, Any]) -> list[Any]:
    return list(op["security"] if "security" in op else doc.get("security") or [])


def param_key(param: Mapping[str, Any]) -> tuple[str, str]:
    name = str(param.get("name", ""))
    where = str(param.get("in", ""))
    return where, name.lower() if where == "header" else name
