"""Classify every change between two versions of the spec for the users of the generated client.

Each change gets one of three levels, which `make regen` turns into a semver bump:

* `breaking` (major): code written against the old client, or a server written against the
  old spec, can stop working.
* `additive` (minor): the interface grows or relaxes; existing code keeps working.
* `documentation` (patch): descriptions, examples and `x-` extensions; no interface change.

Direction decides most rules. What a client *sends* (parameters, request bodies) may widen
safely and must not narrow; what a client *receives* (responses) may narrow safely and must not
widen: a new response enum value breaks a client that matches every value, as the generated
client's `Literal` check functions do. Anything no rule names is reported as breaking, so an
unknown change can only over-bump, never slip through. The rule set is documented in
`docs/regeneration.md`; each rule has an id (`Change.rule`) that tests and reports use.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from videos_contract.schema import RefError, declared_types, deref, enum_values, lookup
from videos_contract.spec import HTTP_METHODS

__all__ = ["Change", "Direction", "Level", "diff_specs", "highest_level"]


class Level(enum.IntEnum):
    """How much a change matters to client users; ordered so that `max()` gives the bump."""

    DOCUMENTATION = 1
    ADDITIVE = 2
    BREAKING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Direction(enum.Enum):
    """Who produces the data a schema describes, which decides narrowing vs widening."""

    REQUEST = "request"  # the client sends it: widening is safe, narrowing breaks
    RESPONSE = "response"  # the client receives it: narrowing is safe, widening breaks
    MODEL = "model"  # a model no operation uses: both ways can break code that builds or reads it


@dataclass(frozen=True, order=True)
class Change:
    """One classified difference between the old and the new spec."""

    level: Level
    rule: str
    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "level": self.level.label,
            "rule": self.rule,
            "where": self.where,
            "message": self.message,
        }


def highest_level(changes: Iterable[Change]) -> Level | None:
    """The level that decides the version bump; None when nothing changed."""
    return max((c.level for c in changes), default=None)


# Keywords that never change the interface: they describe it.
_DOC_KEYS = frozenset(
    {"description", "summary", "title", "example", "examples", "$comment", "externalDocs"}
)
# Schema keywords the rules below handle; anything else that changes is "unclassified".
_SCHEMA_KEYS = frozenset(
    {
        "type",
        "nullable",
        "enum",
        "const",
        "format",
        "properties",
        "required",
        "items",
        "additionalProperties",
        "oneOf",
        "anyOf",
        "allOf",
        "default",
        "deprecated",
        "$ref",
        *(
            "minLength",
            "maxLength",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
            "pattern",
            "multipleOf",
            "uniqueItems",
        ),
    }
)
# Lower bounds: raising one narrows. Upper bounds: lowering one narrows.
_LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


def _is_doc_key(key: str) -> bool:
    return key in _DOC_KEYS or key.startswith("x-")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def _values(values: Iterable[Any]) -> str:
    return ", ".join(_show(v) for v in values)


@dataclass
class _Differ:
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    changes: set[Change] = field(default_factory=set)
    _visited: set[tuple[str, str, Direction]] = field(default_factory=set)
    _reached: set[str] = field(default_factory=set)

    # ---- recording

    def add(self, level: Level, rule: str, where: str, message: str) -> None:
        self.changes.add(Change(level, rule, where, message))

    def narrowed(self, direction: Direction, rule: str, where: str, message: str) -> None:
        """Values that were valid are not any more."""
        level = Level.ADDITIVE if direction is Direction.RESPONSE else Level.BREAKING
        self.add(level, rule, where, message)

    def widened(self, direction: Direction, rule: str, where: str, message: str) -> None:
        """Values that were invalid become valid."""
        level = Level.ADDITIVE if direction is Direction.REQUEST else Level.BREAKING
        self.add(level, rule, where, message)

    def docs(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for key in sorted(set(old) | set(new)):
            if _is_doc_key(key) and old.get(key) != new.get(key):
                self.add(Level.DOCUMENTATION, "documentation", where, f"`{key}` changed")

    def unclassified(
        self, where: str, old: Mapping[str, Any], new: Mapping[str, Any], known: frozenset[str]
    ) -> None:
        for key in sorted(set(old) | set(new)):
            if key in known or _is_doc_key(key) or old.get(key) == new.get(key):
                continue
            self.add(
                Level.BREAKING,
                "unclassified",
                where,
                f"`{key}` changed from {_show(old.get(key))} to {_show(new.get(key))}"
                " (no rule covers it, so it counts as breaking)",
            )

    # ---- references

    def deref(self, doc: Mapping[str, Any], node: Any) -> tuple[Any, str | None]:
        """Follow a chain of `$ref`s; siblings of a `$ref` override its target's keys."""
        target, where = deref(doc, node)
        return target, where

    # ---- schemas

    def lookup(self, doc: Mapping[str, Any], ref: str) -> Any:
        """The node `ref` points to; an empty schema when it points nowhere."""
        try:
            return lookup(doc, ref)
        except RefError:
            return {}

    def schema(self, old_raw: Any, new_raw: Any, where: str, direction: Direction) -> None:
        """Compare two schemas as written (with `$ref`s) at `where`."""
        old_ref, new_ref = _ref(old_raw), _ref(new_raw)
        for ref in (old_ref, new_ref):
            if ref and ref.startswith("#/components/schemas/"):
                self._reached.add(ref.rsplit("/", 1)[1])
        if old_ref and old_ref == new_ref:
            old_sib = {k: v for k, v in old_raw.items() if k != "$ref"}
            new_sib = {k: v for k, v in new_raw.items() if k != "$ref"}
            self.docs(where, old_sib, new_sib)
            if not _strip_docs(old_sib) and not _strip_docs(new_sib):
                # A shared component: compare it once per direction, under its own name.
                key = (old_ref, new_ref, direction)
                if key not in self._visited:
                    self._visited.add(key)
                    name = "schema " + old_ref.rsplit("/", 1)[1]
                    if direction is not Direction.MODEL:
                        name = f"{direction.value} {name}"
                    self.compare(
                        self.lookup(self.old, old_ref),
                        self.lookup(self.new, new_ref),
                        name,
                        direction,
                    )
                return
        old, _ = self.deref(self.old, old_raw)
        new, _ = self.deref(self.new, new_raw)
        self.compare(old, new, where, direction)

    def compare(self, old: Any, new: Any, where: str, direction: Direction) -> None:
        """Compare two schemas whose top-level `$ref` is already resolved."""
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            if old != new:
                self.add(Level.BREAKING, "schema-changed", where, "schema replaced")
            return
        self.docs(where, old, new)
        self.unclassified(where, old, new, _SCHEMA_KEYS)
        old_core, old_null = _split_null(old)
        new_core, new_null = _split_null(new)
        if old_null != new_null:
            if new_null:
                self.widened(direction, "nullable-added", where, "may now be null")
            else:
                self.narrowed(direction, "nullable-removed", where, "may no longer be null")
        if "$ref" in old_core or "$ref" in new_core:
            # `oneOf: [$ref, null]`: what remains is the referenced schema.
            if _ref(old_core) == _ref(new_core):
                self.schema(_strip_docs(old_core), _strip_docs(new_core), where, direction)
            else:
                self.compare(
                    self.deref(self.old, old_core)[0],
                    self.deref(self.new, new_core)[0],
                    where,
                    direction,
                )
            return
        self.types(old_core, new_core, where, direction)
        self.enums(old_core, new_core, where, direction)
        self.bounds(old_core, new_core, where, direction)
        self.defaults(old_core, new_core, where, direction)
        if old_core.get("deprecated") != new_core.get("deprecated"):
            state = "deprecated" if new_core.get("deprecated") else "no longer deprecated"
            self.add(Level.ADDITIVE, "deprecation", where, f"now {state}" + _sunset(new_core))
        self.objects(old_core, new_core, where, direction)
        if "items" in old_core or "items" in new_core:
            old_items, new_items = old_core.get("items", {}), new_core.get("items", {})
            self.schema(old_items, new_items, f"{where}[]", direction)
        self.variants(old_core, new_core, where, direction)

    def types(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        old_types, new_types = declared_types(old), declared_types(new)
        if old_types != new_types:
            text = f"type {_type_text(old_types)} -> {_type_text(new_types)}"
            if not old_types or (new_types and new_types > old_types):
                # No type means anything: gaining one narrows, losing one widens.
                if not old_types:
                    self.narrowed(d, "type-narrowed", where, text)
                else:
                    self.widened(d, "type-widened", where, text)
            elif not new_types:
                self.widened(d, "type-widened", where, text)
            elif new_types < old_types:
                self.narrowed(d, "type-narrowed", where, text)
            else:
                self.add(Level.BREAKING, "type-changed", where, text)
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format:
            text = f"format {_show(old_format)} -> {_show(new_format)}"
            if old_format is None:
                self.narrowed(d, "format-added", where, text)
            elif new_format is None:
                self.widened(d, "format-removed", where, text)
            else:
                self.add(Level.BREAKING, "format-changed", where, text)

    def enums(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        old_values, new_values = enum_values(old), enum_values(new)
        if old_values == new_values:
            return
        if old_values is None:
            assert new_values is not None
            self.narrowed(d, "enum-added", where, f"now limited to {_values(new_values)}")
            return
        if new_values is None:
            self.widened(d, "enum-removed", where, f"no longer limited to {_values(old_values)}")
            return
        added = [v for v in new_values if v not in old_values]
        removed = [v for v in old_values if v not in new_values]
        if added:
            text = f"new enum value {_values(added)}"
            if d is not Direction.REQUEST:
                text += " (breaks clients that match every value, as the generated client does)"
            self.widened(d, "enum-value-added", where, text)
        if removed:
            self.narrowed(d, "enum-value-removed", where, f"enum value {_values(removed)} removed")

    def bounds(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        for key in (*_LOWER, *_UPPER):
            a, b = old.get(key), new.get(key)
            if a == b or isinstance(a, bool) or isinstance(b, bool):
                continue
            lower = key in _LOWER
            none = -math.inf if lower else math.inf
            a_num = none if a is None else float(a)
            b_num = none if b is None else float(b)
            text = f"{key} {_show(a)} -> {_show(b)}"
            if (b_num > a_num) == lower:
                self.narrowed(d, f"{key}-narrowed", where, text)
            else:
                self.widened(d, f"{key}-widened", where, text)
        for key in ("pattern", "multipleOf", "uniqueItems"):
            a, b = old.get(key), new.get(key)
            if a == b:
                continue
            text = f"{key} {_show(a)} -> {_show(b)}"
            if a is None or a is False:
                self.narrowed(d, f"{key}-added", where, text)
            elif b is None or b is False:
                self.widened(d, f"{key}-removed", where, text)
            else:
                self.add(Level.BREAKING, f"{key}-changed", where, text)

    def defaults(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        if old.get("default") == new.get("default"):
            return
        text = f"default {_show(old.get('default'))} -> {_show(new.get('default'))}"
        if d is Direction.RESPONSE:
            self.add(Level.DOCUMENTATION, "default-changed", where, text)
        elif "default" in old and "default" in new:
            # The generated client always sends defaults: calls that omit the field change.
            self.add(Level.BREAKING, "default-changed", where, text)
        else:
            self.add(Level.ADDITIVE, "default-changed", where, text)

    def objects(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        old_props: Mapping[str, Any] = old.get("properties") or {}
        new_props: Mapping[str, Any] = new.get("properties") or {}
        old_req, new_req = set(old.get("required") or ()), set(new.get("required") or ())
        removed = [p for p in old_props if p not in new_props]
        added = [p for p in new_props if p not in old_props]
        for name in list(removed):
            twin = next(
                (
                    a
                    for a in added
                    if new_props[a] == old_props[name] and (a in new_req) == (name in old_req)
                ),
                None,
            )
            if twin is not None:
                removed.remove(name)
                added.remove(twin)
                self.add(
                    Level.BREAKING, "property-renamed", where, f"field `{name}` renamed to `{twin}`"
                )
        for name in removed:
            self.add(Level.BREAKING, "property-removed", where, f"field `{name}` removed")
        for name in added:
            required = name in new_req
            if d is Direction.RESPONSE:
                self.add(Level.ADDITIVE, "property-added", where, f"new field `{name}`")
            elif required:
                self.add(
                    Level.BREAKING, "required-property-added", where, f"new required field `{name}`"
                )
            else:
                self.add(Level.ADDITIVE, "property-added", where, f"new optional field `{name}`")
        for name in old_props:
            if name not in new_props:
                continue
            was, now = name in old_req, name in new_req
            if was != now:
                rule = "property-became-required" if now else "property-became-optional"
                text = f"field `{name}` is now {'required' if now else 'optional'}"
                if (d is Direction.RESPONSE) == now:
                    self.add(Level.ADDITIVE, rule, where, text)
                else:
                    self.add(Level.BREAKING, rule, where, text)
            self.schema(old_props[name], new_props[name], f"{where}.{name}", d)
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if old_extra != new_extra:
            if old_extra is False or (new_extra is True and old_extra is not True):
                self.widened(d, "additional-properties-allowed", where, "extra fields allowed")
            elif new_extra is False:
                self.narrowed(d, "additional-properties-forbidden", where, "extra fields refused")
            else:
                self.schema(old_extra, new_extra, f"{where}.*", d)

    def variants(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        for key in ("oneOf", "anyOf"):
            old_list = [s for s in old.get(key) or () if not _is_null(s)]
            new_list = [s for s in new.get(key) or () if not _is_null(s)]
            if len(old_list) <= 1 and len(new_list) <= 1:
                continue  # a single variant was merged into the core by _split_null
            old_sigs = {self.signature(s, self.old): s for s in old_list}
            new_sigs = {self.signature(s, self.new): s for s in new_list}
            for sig in old_sigs:
                if sig not in new_sigs:
                    self.narrowed(d, "variant-removed", where, f"{key} variant {sig} removed")
            for sig in new_sigs:
                if sig not in old_sigs:
                    self.widened(d, "variant-added", where, f"new {key} variant {sig}")
                else:
                    self.schema(old_sigs[sig], new_sigs[sig], f"{where}<{sig}>", d)
        old_all, new_all = list(old.get("allOf") or ()), list(new.get("allOf") or ())
        if len(old_all) != len(new_all):
            self.add(Level.BREAKING, "allof-changed", where, "allOf parts added or removed")
        for i, (a, b) in enumerate(zip(old_all, new_all, strict=False)):
            self.schema(a, b, f"{where}<allOf {i}>", d)

    def signature(self, schema: Any, doc: Mapping[str, Any]) -> str:
        """A name for a variant that survives edits inside it: its component or its type."""
        if isinstance(schema, Mapping) and "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[1]
        resolved, _ = self.deref(doc, schema)
        if not isinstance(resolved, Mapping):
            return _show(resolved)
        fmt = resolved.get("format")
        return _type_text(declared_types(resolved)) + (f"<{fmt}>" if fmt else "")


def _ref(node: Any) -> str | None:
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        return str(node["$ref"])
    return None


def _strip_docs(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if not _is_doc_key(k)}


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and len(schema) <= 2


def _split_null(schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema without its null alternative, and whether null is allowed."""
    core = dict(schema)
    nullable = bool(core.pop("nullable", False))
    kind = core.get("type")
    if isinstance(kind, list) and "null" in kind:
        nullable = True
        rest = [t for t in kind if t != "null"]
        core["type"] = rest[0] if len(rest) == 1 else rest
    for key in ("oneOf", "anyOf"):
        members = core.get(key)
        if not isinstance(members, list) or not any(_is_null(m) for m in members):
            continue
        nullable = True
        rest = [m for m in members if not _is_null(m)]
        if len(rest) == 1:
            del core[key]
            only = rest[0]
            if isinstance(only, Mapping) and "$ref" in only:
                core["$ref"] = only["$ref"]
            elif isinstance(only, Mapping):
                core = {**only, **core}
        else:
            core[key] = rest
    return core, nullable


def _type_text(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


# ---- operations


def _operations(doc: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """`(METHOD, path with {} for parameters)` -> (path as written, operation)."""
    found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, item in (doc.get("paths") or {}).items():
        shape = "/".join("{}" if s.startswith("{") else s for s in str(path).split("/"))
        for method in HTTP_METHODS:
            if isinstance(item, Mapping) and method in item:
                op = dict(item[method])
                op["parameters"] = [*item.get("parameters", []), *op.get("parameters", [])]
                found[(method.upper(), shape)] = (str(path), op)
    return found


def _op_name(method: str, path: str, op: Mapping[str, Any]) -> str:
    return f"{method} {path} ({op.get('operationId', '?')})"


_OPERATION_KEYS = frozenset(
    {"operationId", "tags", "parameters", "requestBody", "responses", "security", "deprecated"}
)


# The operation's table of model families (docs/families.md): lifecycle per family.
_FAMILIES_KEY = "x-video-families"


def _sunset(node: Mapping[str, Any]) -> str:
    """`, sunset DATE` when a deprecated node names its sunset (`x-sunset` or `sunset`)."""
    date = node.get("x-sunset") or node.get("sunset")
    return f", sunset {date}" if node.get("deprecated") and date else ""


def _diff_families(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Deprecations and sunsets of model families; their values are compared in the schemas."""
    for name in sorted(set(old) | set(new)):
        was, now = old.get(name) or {}, new.get(name) or {}
        at = f"{where} model family {name}"
        if name not in new:
            d.add(Level.BREAKING, "family-removed", at, "family removed")
            continue
        if name not in old:
            d.add(Level.ADDITIVE, "family-added", at, f"new family {now.get('title', name)}")
        if bool(was.get("deprecated")) != bool(now.get("deprecated")) or (
            now.get("deprecated") and was.get("sunset") != now.get("sunset")
        ):
            state = "deprecated" if now.get("deprecated") else "no longer deprecated"
            d.add(Level.ADDITIVE, "deprecation", at, f"now {state}" + _sunset(now))


def _diff_operation(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    d.docs(where, old, new)
    d.unclassified(where, old, new, _OPERATION_KEYS | {"callbacks", "servers"})
    if old.get("operationId") != new.get("operationId"):
        d.add(
            Level.BREAKING,
            "operation-id-changed",
            where,
            f"operationId {_show(old.get('operationId'))} -> {_show(new.get('operationId'))}"
            " (the client's function is renamed)",
        )
    old_tags, new_tags = old.get("tags") or [], new.get("tags") or []
    if old_tags[:1] != new_tags[:1]:
        d.add(Level.BREAKING, "tag-changed", where, "first tag changed (the client's module moves)")
    elif old_tags != new_tags:
        d.add(Level.DOCUMENTATION, "documentation", where, "`tags` changed")
    if old.get("deprecated") != new.get("deprecated"):
        state = "deprecated" if new.get("deprecated") else "no longer deprecated"
        d.add(Level.ADDITIVE, "deprecation", where, f"now {state}" + _sunset(new))
    _diff_families(d, where, old.get(_FAMILIES_KEY) or {}, new.get(_FAMILIES_KEY) or {})
    _diff_security(d, where, old, new)
    _diff_parameters(d, where, old, new)
    _diff_request_body(d, where, old, new)
    _diff_responses(d, where, old, new)


def _security(doc: Mapping[str, Any], op: Mapping[str, Any]) -> list[Any]:
    return list(op["security"] if "security" in op else doc.get("security") or [])


def _diff_security(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    a, b = _security(d.old, old), _security(d.new, new)
    if a == b:
        return
    a_open = not a or {} in a
    b_open = not b or {} in b
    if a_open and not b_open:
        d.add(Level.BREAKING, "security-added", where, "now requires authentication")
    elif b_open and not a_open:
        d.add(Level.ADDITIVE, "security-removed", where, "no longer requires authentication")
    else:
        d.add(Level.BREAKING, "security-changed", where, f"security {_show(a)} -> {_show(b)}")


def _param_key(param: Mapping[str, Any]) -> tuple[str, str]:
    name = str(param.get("name", ""))
    where = str(param.get("in", ""))
    return where, name.lower() if where == "header" else name


def _diff_parameters(
    d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> None:
    def index(doc: Mapping[str, Any], params: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in params:
            param, _ = d.deref(doc, raw)
            if isinstance(param, Mapping):
                out[_param_key(param)] = dict(param)
        return out

    old_params, new_params = index(d.old, old["parameters"]), index(d.new, new["parameters"])
    for key, param in old_params.items():
        at = f"{where} {key[0]} parameter `{param.get('name')}`"
        if key not in new_params:
            d.add(Level.BREAKING, "parameter-removed", at, "parameter removed")
            continue
        now = new_params[key]
        was_req, is_req = bool(param.get("required")), bool(now.get("required"))
        if was_req != is_req:
            if is_req:
                d.add(Level.BREAKING, "parameter-became-required", at, "now required")
            else:
                d.add(Level.ADDITIVE, "parameter-became-optional", at, "now optional")
        d.docs(at, param, now)
        d.unclassified(
            at, param, now, frozenset({"name", "in", "required", "schema", "deprecated"})
        )
        d.schema(param.get("schema", {}), now.get("schema", {}), at, Direction.REQUEST)
    for key, param in new_params.items():
        if key in old_params:
            continue
        at = f"{where} {key[0]} parameter `{param.get('name')}`"
        if param.get("required"):
            d.add(Level.BREAKING, "required-parameter-added", at, "new required parameter")
        else:
            d.add(Level.ADDITIVE, "parameter-added", at, "new optional parameter")


def _diff_request_body(
    d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> None:
    old_body, _ = d.deref(d.old, old.get("requestBody"))
    new_body, _ = d.deref(d.new, new.get("requestBody"))
    at = f"{where} request body"
    if not old_body and not new_body:
        return
    if not new_body:
        d.add(Level.BREAKING, "request-body-removed", at, "request body removed")
        return
    if not old_body:
        level = Level.BREAKING if new_body.get("required") else Level.ADDITIVE
        d.add(level, "request-body-added", at, "request body added")
        return
    if bool(old_body.get("required")) != bool(new_body.get("required")):
        if new_body.get("required"):
            d.add(Level.BREAKING, "request-body-became-required", at, "now required")
        else:
            d.add(Level.ADDITIVE, "request-body-became-optional", at, "now optional")
    d.docs(at, old_body, new_body)
    _diff_content(
        d, at, old_body.get("content") or {}, new_body.get("content") or {}, Direction.REQUEST
    )


def _diff_content(
    d: _Differ,
    where: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    direction: Direction,
) -> None:
    for media in old:
        at = f"{where} {media}"
        if media not in new:
            d.add(Level.BREAKING, "media-type-removed", at, f"media type {media} removed")
            continue
        a, b = old[media] or {}, new[media] or {}
        d.docs(at, a, b)
        d.unclassified(at, a, b, frozenset({"schema"}))
        d.schema(a.get("schema", {}), b.get("schema", {}), at, direction)
    for media in new:
        if media not in old:
            d.add(Level.ADDITIVE, "media-type-added", f"{where} {media}", f"new media type {media}")


def _diff_responses(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    old_responses: Mapping[str, Any] = old.get("responses") or {}
    new_responses: Mapping[str, Any] = new.get("responses") or {}
    for status in old_responses:
        at = f"{where} response {status}"
        if status not in new_responses:
            d.add(Level.BREAKING, "response-removed", at, f"response {status} removed")
            continue
        a, _ = d.deref(d.old, old_responses[status])
        b, _ = d.deref(d.new, new_responses[status])
        d.docs(at, a, b)
        d.unclassified(at, a, b, frozenset({"content", "headers", "links"}))
        if a.get("links") != b.get("links"):
            d.add(Level.DOCUMENTATION, "links-changed", at, "`links` changed")
        _diff_headers(d, at, a.get("headers") or {}, b.get("headers") or {})
        _diff_content(d, at, a.get("content") or {}, b.get("content") or {}, Direction.RESPONSE)
    for status in new_responses:
        if status not in old_responses:
            at = f"{where} response {status}"
            d.add(Level.ADDITIVE, "response-added", at, f"new response {status}")


def _diff_headers(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    old_by = {k.lower(): v for k, v in old.items()}
    new_by = {k.lower(): v for k, v in new.items()}
    for name, raw in old_by.items():
        at = f"{where} header `{name}`"
        if name not in new_by:
            d.add(Level.BREAKING, "response-header-removed", at, "header removed")
            continue
        a, _ = d.deref(d.old, raw)
        b, _ = d.deref(d.new, new_by[name])
        d.docs(at, a, b)
        if bool(a.get("required")) and not b.get("required"):
            d.add(Level.BREAKING, "response-header-became-optional", at, "now optional")
        d.schema(a.get("schema", {}), b.get("schema", {}), at, Direction.RESPONSE)
    for name in new_by:
        if name not in old_by:
            d.add(Level.ADDITIVE, "response-header-added", f"{where} header `{name}`", "new header")


def _diff_components(d: _Differ) -> None:
    old_schemas: Mapping[str, Any] = (d.old.get("components") or {}).get("schemas") or {}
    new_schemas: Mapping[str, Any] = (d.new.get("components") or {}).get("schemas") or {}
    removed = [n for n in old_schemas if n not in new_schemas]
    added = [n for n in new_schemas if n not in old_schemas]
    for name in list(removed):
        twin = next((a for a in added if new_schemas[a] == old_schemas[name]), None)
        if twin is not None:
            removed.remove(name)
            added.remove(twin)
            d.add(
                Level.BREAKING,
                "model-renamed",
                f"schema {name}",
                f"renamed to {twin} (the client's model class is renamed)",
            )
    for name in removed:
        d.add(Level.BREAKING, "model-removed", f"schema {name}", "removed from the client")
    for name in added:
        d.add(Level.ADDITIVE, "model-added", f"schema {name}", "new model")
    ref = "#/components/schemas/"
    for name in old_schemas:
        if name in new_schemas and name not in d._reached:
            d.schema({"$ref": ref + name}, {"$ref": ref + name}, f"schema {name}", Direction.MODEL)
    old_sec = (d.old.get("components") or {}).get("securitySchemes") or {}
    new_sec = (d.new.get("components") or {}).get("securitySchemes") or {}
    for name in sorted(set(old_sec) | set(new_sec)):
        at = f"security scheme {name}"
        a, b = old_sec.get(name), new_sec.get(name)
        if a is None or b is None:
            used = "removed" if b is None else "added"
            d.add(Level.ADDITIVE, f"security-scheme-{used}", at, f"scheme {used}")
            continue
        d.docs(at, a, b)
        d.unclassified(at, a, b, frozenset())
    old_examples = (d.old.get("components") or {}).get("examples") or {}
    new_examples = (d.new.get("components") or {}).get("examples") or {}
    if old_examples != new_examples:
        d.add(Level.DOCUMENTATION, "documentation", "components.examples", "examples changed")


_TOP_KEYS = frozenset({"paths", "components", "security", "info", "servers", "tags"})


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new` (parsed OpenAPI documents), breaking ones first."""
    d = _Differ(old, new)
    if old == new:
        return []
    for part in ("info", "servers", "tags"):
        if old.get(part) != new.get(part):
            d.add(Level.DOCUMENTATION, "documentation", part, f"`{part}` changed")
    d.unclassified("document", old, new, _TOP_KEYS)
    old_ops, new_ops = _operations(old), _operations(new)
    moved: dict[str, tuple[str, str]] = {}
    reported: set[tuple[str, str]] = set()
    for key, (path, op) in new_ops.items():
        if key not in old_ops:
            moved[str(op.get("operationId"))] = (key[0], path)
    for key, (path, op) in old_ops.items():
        name = _op_name(key[0], path, op)
        if key in new_ops:
            _diff_operation(d, name, op, new_ops[key][1])
            continue
        target = moved.get(str(op.get("operationId")))
        if target and target[0] == key[0]:
            d.add(Level.BREAKING, "operation-moved", name, f"now at {target[0]} {target[1]}")
            reported.add(target)
        else:
            d.add(Level.BREAKING, "operation-removed", name, "operation removed")
    for key, (path, op) in new_ops.items():
        if key not in old_ops and (key[0], path) not in reported:
            d.add(Level.ADDITIVE, "operation-added", _op_name(key[0], path, op), "new operation")
    _diff_components(d)
    if not d.changes:
        d.add(
            Level.BREAKING,
            "unclassified",
            "document",
            "the documents differ where no rule looks (counts as breaking)",
        )
    return sorted(d.changes, key=lambda c: (-c.level, c.where, c.rule, c.message))
