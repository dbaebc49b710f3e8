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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from videos_contract.schema import RefError, declared_types, deref, enum_values, lookup
from videos_contract.spec import HTTP_METHODS

__all__ = [
    "RULE_IDS",
    "Change",
    "Direction",
    "Level",
    "SpecShapeError",
    "diff_specs",
    "highest_level",
]


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
    {"description", "summary", "title", "example", "examples", "$comment", "externalDocs", "xml"}
)
# Lower bounds: raising one narrows. Upper bounds: lowering one narrows.
_LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")
_UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")
# Keywords that add a constraint when present and drop it when absent.
_CONSTRAINTS = ("pattern", "multipleOf", "contentMediaType", "contentEncoding")
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
        "prefixItems",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "patternProperties",
        "propertyNames",
        "contains",
        "dependentRequired",
        "dependentSchemas",
        "discriminator",
        "oneOf",
        "anyOf",
        "allOf",
        "if",
        "then",
        "else",
        "not",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentSchema",
        "$ref",
        *_LOWER,
        *_UPPER,
        *_CONSTRAINTS,
        "uniqueItems",
    }
)


# Every rule id `diff` reports (`Change.rule`); docs/regeneration.md describes each one.
RULE_IDS = frozenset(
    {
        "documentation",
        "unclassified",
        *(f"{key}-{way}" for key in (*_LOWER, *_UPPER) for way in ("narrowed", "widened")),
        *(f"{key}-{way}" for key in _CONSTRAINTS for way in ("added", "removed", "changed")),
        # A boolean keyword is set or cleared, never changed.
        *("uniqueItems-added", "uniqueItems-removed"),
        # operations, webhooks and callbacks
        "operation-added",
        "operation-removed",
        "operation-moved",
        "operation-id-changed",
        "tag-changed",
        "servers-changed",
        "deprecation",
        "sunset-changed",
        "family-added",
        "family-removed",
        "webhook-added",
        "webhook-removed",
        "callback-added",
        "callback-removed",
        # security
        "security-added",
        "security-removed",
        "security-requirement-added",
        "security-requirement-removed",
        "security-scope-added",
        "security-scope-removed",
        "security-scheme-added",
        "security-scheme-removed",
        "security-scheme-changed",
        "security-flow-added",
        "security-flow-removed",
        "security-flow-changed",
        "security-scope-offered",
        "security-scope-withdrawn",
        # parameters, bodies, responses, headers
        "parameter-added",
        "required-parameter-added",
        "parameter-removed",
        "parameter-became-required",
        "parameter-became-optional",
        "parameter-serialisation-changed",
        "empty-value-allowed",
        "empty-value-refused",
        "request-body-added",
        "request-body-removed",
        "request-body-became-required",
        "request-body-became-optional",
        "media-type-added",
        "media-type-removed",
        "encoding-changed",
        "response-added",
        "response-removed",
        "links-changed",
        "response-header-added",
        "response-header-removed",
        "response-header-became-required",
        "response-header-became-optional",
        # schemas
        "schema-changed",
        "schema-allows-everything",
        "schema-allows-nothing",
        "nullable-added",
        "nullable-removed",
        "type-changed",
        "type-narrowed",
        "type-widened",
        "format-added",
        "format-removed",
        "format-changed",
        "enum-added",
        "enum-removed",
        "enum-value-added",
        "enum-value-removed",
        "default-changed",
        "read-only-added",
        "read-only-removed",
        "write-only-added",
        "write-only-removed",
        "property-added",
        "required-property-added",
        "property-removed",
        "property-renamed",
        "property-became-required",
        "property-became-optional",
        "additional-properties-allowed",
        "additional-properties-forbidden",
        "unevaluated-properties-allowed",
        "unevaluated-properties-forbidden",
        "pattern-properties-added",
        "pattern-properties-removed",
        "prefix-items-added",
        "prefix-items-removed",
        "unevaluated-items-allowed",
        "unevaluated-items-forbidden",
        "contains-added",
        "contains-removed",
        "dependent-required-added",
        "dependent-required-removed",
        "dependent-schema-added",
        "dependent-schema-removed",
        "discriminator-added",
        "discriminator-removed",
        "discriminator-property-changed",
        "discriminator-mapping-added",
        "discriminator-mapping-removed",
        "discriminator-mapping-changed",
        "variant-added",
        "variant-removed",
        "allof-changed",
        "condition-added",
        "condition-removed",
        "condition-changed",
        "not-added",
        "not-removed",
        "not-changed",
        # components
        "model-added",
        "model-removed",
        "model-renamed",
    }
)


def _is_doc_key(key: str) -> bool:
    return key in _DOC_KEYS or key.startswith("x-")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def _values(values: Iterable[Any]) -> str:
    return ", ".join(_show(v) for v in values)


def _brief(old: Any, new: Any) -> str:
    """How a value changed, in one short line: values only when they are short scalars."""
    if old is None:
        return "added"
    if new is None:
        return "removed"
    scalars = (str, int, float, bool)
    if isinstance(old, scalars) and isinstance(new, scalars):
        text = f"{_show(old)} -> {_show(new)}"
        if len(text) <= 80 and "\n" not in text:
            return text
    return "changed"


@dataclass
class _Differ:
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    changes: set[Change] = field(default_factory=set)
    _visited: set[tuple[str, str, Direction]] = field(default_factory=set)
    _active: set[tuple[str | None, str | None, Direction]] = field(default_factory=set)
    _reached: set[str] = field(default_factory=set)
    _quiet: list[str] = field(default_factory=list)

    # ---- recording

    def add(self, level: Level, rule: str, where: str, message: str) -> None:
        if self._quiet and level > Level.DOCUMENTATION:
            # Inside a field that this direction never carries (readOnly in a request,
            # writeOnly in a response): the change is real but cannot affect anyone.
            level, message = Level.DOCUMENTATION, f"{message} ({self._quiet[-1]})"
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
            if _is_doc_key(key) and old.get(key) != new.get(key) and key != _SUNSET_KEY:
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
                f"`{key}` {_brief(old.get(key), new.get(key))}"
                " (no rule covers this keyword, so it counts as breaking)",
            )

    def deprecation(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        """`deprecated` set or cleared, and the sunset date of a deprecated element."""
        was, now = bool(old.get("deprecated")), bool(new.get("deprecated"))
        if was != now:
            state = "deprecated" if now else "no longer deprecated"
            self.add(Level.ADDITIVE, "deprecation", where, f"now {state}" + _sunset(new))
            return
        before, after = _sunset_date(old), _sunset_date(new)
        if before == after:
            return
        if not now:
            # A date on an element that is not deprecated only documents a plan.
            self.add(Level.DOCUMENTATION, "documentation", where, "sunset date changed")
            return
        text = f"sunset {before or 'none'} -> {after or 'none'}"
        if before and after and after < before:
            # Clients planned their migration for the later date.
            self.add(Level.BREAKING, "sunset-changed", where, text + " (brought forward)")
        else:
            self.add(Level.ADDITIVE, "sunset-changed", where, text)

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
        active = (old_ref, new_ref, direction)
        if (old_ref or new_ref) and active in self._active:
            return  # a recursive schema met again: its comparison is already under way
        self._active.add(active)
        try:
            old, _ = self.deref(self.old, old_raw)
            new, _ = self.deref(self.new, new_raw)
            self.compare(old, new, where, direction)
        finally:
            self._active.discard(active)

    def compare(self, old: Any, new: Any, where: str, direction: Direction) -> None:
        """Compare two schemas whose top-level `$ref` is already resolved."""
        if isinstance(old, bool) and isinstance(new, bool):
            if old != new:
                rule = "schema-allows-everything" if new else "schema-allows-nothing"
                text = "now accepts any value" if new else "now accepts no value"
                (self.widened if new else self.narrowed)(direction, rule, where, text)
            return
        old = {} if old is True else old
        new = {} if new is True else new
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            if old != new:
                self.add(Level.BREAKING, "schema-changed", where, "schema replaced")
            return
        self.docs(where, old, new)
        self.unclassified(where, old, new, _SCHEMA_KEYS)
        old_core, old_null = _normal(old)
        new_core, new_null = _normal(new)
        if old_null != new_null:
            if new_null:
                self.widened(direction, "nullable-added", where, "may now be null")
            else:
                self.narrowed(direction, "nullable-removed", where, "may no longer be null")
        if "$ref" in old_core or "$ref" in new_core:
            # `oneOf: [$ref, null]` or a one-part `allOf`: what remains is the referenced schema.
            if _ref(old_core) == _ref(new_core):
                self.schema(_strip_docs(old_core), _strip_docs(new_core), where, direction)
            else:
                self.schema(old_core, new_core, where, direction)
            return
        self.types(old_core, new_core, where, direction)
        self.enums(old_core, new_core, where, direction)
        self.bounds(old_core, new_core, where, direction)
        self.defaults(old_core, new_core, where, direction)
        self.deprecation(where, old_core, new_core)
        self.objects(old_core, new_core, where, direction)
        self.arrays(old_core, new_core, where, direction)
        self.dependencies(old_core, new_core, where, direction)
        self.discriminator(old_core, new_core, where, direction)
        self.variants(old_core, new_core, where, direction)
        self.conditions(old_core, new_core, where, direction)

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
        for key in (*_CONSTRAINTS, "uniqueItems"):
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
        if old.get("contentSchema") != new.get("contentSchema"):
            self.schema(
                old.get("contentSchema", {}), new.get("contentSchema", {}), f"{where}<content>", d
            )

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

    def access(self, old: Any, new: Any, where: str, d: Direction) -> str | None:
        """`readOnly`/`writeOnly` of a property, judged per direction.

        Returns why the property's own changes cannot matter in this direction (a field the
        direction never carries, in both versions), or None.
        """
        was_ro, was_wo = _access(self, self.old, old)
        now_ro, now_wo = _access(self, self.new, new)
        for key, was, now, hides in (
            ("readOnly", was_ro, now_ro, Direction.REQUEST),
            ("writeOnly", was_wo, now_wo, Direction.RESPONSE),
        ):
            if was == now:
                continue
            rule = (
                f"{'read' if key == 'readOnly' else 'write'}-only-{'added' if now else 'removed'}"
            )
            if d is not hides:
                # The direction that still carries the field: nothing changes for it.
                side = "responses" if key == "readOnly" else "requests"
                state = "now" if now else "no longer"
                text = f"`{key}` {'set' if now else 'cleared'} (the field is {state} {side} only)"
                self.add(Level.DOCUMENTATION, rule, where, text)
            elif now:
                carried = "requests" if hides is Direction.REQUEST else "responses"
                self.add(Level.BREAKING, rule, where, f"`{key}`: no longer in {carried}")
            else:
                carried = "requests" if hides is Direction.REQUEST else "responses"
                self.add(Level.ADDITIVE, rule, where, f"`{key}` cleared: now in {carried} too")
        if d is Direction.REQUEST and was_ro and now_ro:
            return "read-only: requests do not carry it"
        if d is Direction.RESPONSE and was_wo and now_wo:
            return "write-only: responses do not carry it"
        return None

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
            with self.hidden(self.hidden_reason(self.old, old_props[name], d)):
                self.add(Level.BREAKING, "property-removed", where, f"field `{name}` removed")
        for name in added:
            required = name in new_req
            with self.hidden(self.hidden_reason(self.new, new_props[name], d)):
                if d is Direction.RESPONSE:
                    self.add(Level.ADDITIVE, "property-added", where, f"new field `{name}`")
                elif required:
                    self.add(
                        Level.BREAKING,
                        "required-property-added",
                        where,
                        f"new required field `{name}`",
                    )
                else:
                    self.add(
                        Level.ADDITIVE, "property-added", where, f"new optional field `{name}`"
                    )
        for name in old_props:
            if name not in new_props:
                continue
            at = f"{where}.{name}"
            with self.hidden(self.access(old_props[name], new_props[name], at, d)):
                was, now = name in old_req, name in new_req
                if was != now:
                    rule = "property-became-required" if now else "property-became-optional"
                    text = f"field `{name}` is now {'required' if now else 'optional'}"
                    if (d is Direction.RESPONSE) == now:
                        self.add(Level.ADDITIVE, rule, where, text)
                    else:
                        self.add(Level.BREAKING, rule, where, text)
                self.schema(old_props[name], new_props[name], at, d)
        self.extra("additionalProperties", old, new, f"{where}.*", d)
        self.extra("unevaluatedProperties", old, new, f"{where}.*", d)
        old_pat: Mapping[str, Any] = old.get("patternProperties") or {}
        new_pat: Mapping[str, Any] = new.get("patternProperties") or {}
        for pattern in sorted(set(old_pat) | set(new_pat)):
            at = f"{where}.<{pattern}>"
            if pattern not in new_pat:
                self.widened(d, "pattern-properties-removed", at, "names matching it unchecked")
            elif pattern not in old_pat:
                self.narrowed(d, "pattern-properties-added", at, "names matching it now checked")
            else:
                self.schema(old_pat[pattern], new_pat[pattern], at, d)
        if "propertyNames" in old or "propertyNames" in new:
            self.schema(
                old.get("propertyNames", {}), new.get("propertyNames", {}), f"{where}<names>", d
            )

    def hidden_reason(self, doc: Mapping[str, Any], prop: Any, d: Direction) -> str | None:
        read_only, write_only = _access(self, doc, prop)
        if d is Direction.REQUEST and read_only:
            return "read-only: requests do not carry it"
        if d is Direction.RESPONSE and write_only:
            return "write-only: responses do not carry it"
        return None

    @contextmanager
    def hidden(self, reason: str | None) -> Iterator[None]:
        """Changes recorded inside count as documentation when `reason` is given."""
        if reason is None:
            yield
            return
        self._quiet.append(reason)
        try:
            yield
        finally:
            self._quiet.pop()

    def extra(
        self, key: str, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        """`additionalProperties` / `unevaluatedProperties`: fields beyond the named ones."""
        old_extra, new_extra = old.get(key, True), new.get(key, True)
        if old_extra == new_extra:
            return
        rule = (
            "additional-properties" if key == "additionalProperties" else "unevaluated-properties"
        )
        if old_extra is False or (new_extra is True and old_extra is not True):
            self.widened(d, f"{rule}-allowed", where, f"extra fields allowed (`{key}`)")
        elif new_extra is False and key == "additionalProperties":
            # Whoever sends the data: the generated model loses `additional_properties`, which
            # code reading a response may use.
            text = "extra fields refused (the model's `additional_properties` goes)"
            self.add(Level.BREAKING, f"{rule}-forbidden", where, text)
        elif new_extra is False:
            self.narrowed(d, f"{rule}-forbidden", where, f"extra fields refused (`{key}`)")
        else:
            self.schema(old_extra, new_extra, where, d)

    def arrays(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        if "items" in old or "items" in new:
            self.schema(old.get("items", {}), new.get("items", {}), f"{where}[]", d)
        old_prefix, new_prefix = old.get("prefixItems") or [], new.get("prefixItems") or []
        for i, (a, b) in enumerate(zip(old_prefix, new_prefix, strict=False)):
            self.schema(a, b, f"{where}[{i}]", d)
        if len(new_prefix) > len(old_prefix):
            text = f"prefixItems {len(old_prefix)} -> {len(new_prefix)} positions"
            self.narrowed(d, "prefix-items-added", where, text)
        elif len(new_prefix) < len(old_prefix):
            text = f"prefixItems {len(old_prefix)} -> {len(new_prefix)} positions"
            self.widened(d, "prefix-items-removed", where, text)
        if old.get("unevaluatedItems", True) != new.get("unevaluatedItems", True):
            a, b = old.get("unevaluatedItems", True), new.get("unevaluatedItems", True)
            if b is False:
                self.narrowed(d, "unevaluated-items-forbidden", where, "extra items refused")
            elif a is False:
                self.widened(d, "unevaluated-items-allowed", where, "extra items allowed")
            else:
                self.schema(a, b, f"{where}[+]", d)
        if "contains" in old or "contains" in new:
            if "contains" not in old:
                self.narrowed(d, "contains-added", where, "`contains` added")
            elif "contains" not in new:
                self.widened(d, "contains-removed", where, "`contains` removed")
            else:
                self.schema(old["contains"], new["contains"], f"{where}<contains>", d)

    def dependencies(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        """`dependentRequired` and `dependentSchemas`: rules that apply when a field is present."""
        old_req: Mapping[str, Any] = old.get("dependentRequired") or {}
        new_req: Mapping[str, Any] = new.get("dependentRequired") or {}
        for name in sorted(set(old_req) | set(new_req)):
            before, after = set(old_req.get(name) or ()), set(new_req.get(name) or ())
            at = f"{where}.{name}"
            if after - before:
                text = f"with `{name}`, now also requires {_values(sorted(after - before))}"
                self.narrowed(d, "dependent-required-added", at, text)
            if before - after:
                text = f"with `{name}`, no longer requires {_values(sorted(before - after))}"
                self.widened(d, "dependent-required-removed", at, text)
        old_dep: Mapping[str, Any] = old.get("dependentSchemas") or {}
        new_dep: Mapping[str, Any] = new.get("dependentSchemas") or {}
        for name in sorted(set(old_dep) | set(new_dep)):
            at = f"{where}<with {name}>"
            if name not in new_dep:
                self.widened(d, "dependent-schema-removed", at, f"no rule when `{name}` is sent")
            elif name not in old_dep:
                self.narrowed(d, "dependent-schema-added", at, f"a rule when `{name}` is sent")
            else:
                self.schema(old_dep[name], new_dep[name], at, d)

    def discriminator(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        a, b = old.get("discriminator"), new.get("discriminator")
        if a == b:
            return
        if a is None or b is None:
            state = "added" if a is None else "removed"
            text = f"discriminator {state} (a hint for choosing the variant; values unchanged)"
            self.add(Level.DOCUMENTATION, f"discriminator-{state}", where, text)
            return
        a = a if isinstance(a, Mapping) else {}
        b = b if isinstance(b, Mapping) else {}
        if a.get("propertyName") != b.get("propertyName"):
            text = f"discriminator {_show(a.get('propertyName'))} -> {_show(b.get('propertyName'))}"
            self.add(Level.BREAKING, "discriminator-property-changed", where, text)
        old_map: Mapping[str, Any] = a.get("mapping") or {}
        new_map: Mapping[str, Any] = b.get("mapping") or {}
        for value in sorted(set(old_map) | set(new_map)):
            text = f"discriminator value {_show(value)}"
            if value not in new_map:
                self.narrowed(d, "discriminator-mapping-removed", where, f"{text} removed")
            elif value not in old_map:
                self.widened(d, "discriminator-mapping-added", where, f"new {text}")
            elif old_map[value] != new_map[value]:
                self.add(
                    Level.BREAKING,
                    "discriminator-mapping-changed",
                    where,
                    f"{text} maps to {new_map[value]} (was {old_map[value]})",
                )

    def variants(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        for key in ("oneOf", "anyOf"):
            old_list = [s for s in old.get(key) or () if not _is_null(s)]
            new_list = [s for s in new.get(key) or () if not _is_null(s)]
            if len(old_list) <= 1 and len(new_list) <= 1:
                # One part beside other keywords (not merged into the core by _normal).
                if old_list and new_list:
                    self.schema(old_list[0], new_list[0], f"{where}<{key}>", d)
                elif new_list:
                    self.narrowed(d, "variant-added", where, f"`{key}` with one part added")
                elif old_list:
                    self.widened(d, "variant-removed", where, f"`{key}` with one part removed")
                continue
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

    def conditions(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        """`if`/`then`/`else` (per-model rules) and `not`."""
        if "if" in old or "if" in new:
            a, b = old.get("if"), new.get("if")
            if a is None or b is None:
                state = "added" if a is None else "removed"
                self.add(Level.BREAKING, f"condition-{state}", where, f"`if` rule {state}")
            elif _canonical_node(self.old, a) != _canonical_node(self.new, b):
                self.add(
                    Level.BREAKING,
                    "condition-changed",
                    where,
                    "`if` condition changed (the rule applies to other values)",
                )
            for branch in ("then", "else"):
                if branch in old or branch in new:
                    at = f"{where}<{branch}>"
                    self.schema(old.get(branch, {}), new.get(branch, {}), at, d)
        a, b = old.get("not"), new.get("not")
        if a is not None or b is not None:
            if a is None:
                self.narrowed(d, "not-added", where, "`not` added: more values refused")
            elif b is None:
                self.widened(d, "not-removed", where, "`not` removed: more values accepted")
            elif _canonical_node(self.old, a) != _canonical_node(self.new, b):
                self.add(Level.BREAKING, "not-changed", where, "`not` changed")

    def signature(self, schema: Any, doc: Mapping[str, Any]) -> str:
        """A name for a variant that survives edits inside it: its component or its type."""
        if isinstance(schema, Mapping) and "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[1]
        resolved, _ = self.deref(doc, schema)
        if not isinstance(resolved, Mapping):
            return _show(resolved)
        fmt = resolved.get("format")
        return _type_text(declared_types(resolved)) + (f"<{fmt}>" if fmt else "")


def _access(d: _Differ, doc: Mapping[str, Any], prop: Any) -> tuple[bool, bool]:
    """(readOnly, writeOnly) of a property schema, through `$ref`s and a nullable wrapper."""
    node, _ = d.deref(doc, prop)
    if not isinstance(node, Mapping):
        return False, False
    core, _ = _normal(node)
    if "$ref" in core:
        target, _ = d.deref(doc, {"$ref": core["$ref"]})
        if isinstance(target, Mapping):
            core = {**target, **core}
    return bool(core.get("readOnly")), bool(core.get("writeOnly"))


def _ref(node: Any) -> str | None:
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        return str(node["$ref"])
    return None


def _strip_docs(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if not _is_doc_key(k)}


def _is_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "null" and len(schema) <= 2


def _normal(schema: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
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
        rest = members if key == "allOf" else [m for m in members if not _is_null(m)]
        if len(rest) < len(members):
            nullable = True
        if len(rest) == 1 and isinstance(rest[0], Mapping) and _mergeable(core, key, rest[0]):
            del core[key]
            only = rest[0]
            if "$ref" in only:
                core["$ref"] = only["$ref"]
                core.update({k: v for k, v in only.items() if k != "$ref" and k not in core})
            else:
                inner, inner_null = _normal(only)
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
    own = {k for k in _strip_docs(core) if k != key} - _ANNOTATIONS
    if "$ref" in only:
        return not own
    return not own & set(_strip_docs(only))


def _type_text(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


# ---- equivalence: one spelling of a whole document


def _canonical_node(doc: Mapping[str, Any], node: Any) -> Any:
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
                    core, nullable = _normal(node)
                    out = {str(k): self.walk(v, refs) for k, v in core.items()}
                    if nullable:
                        out["nullable"] = True
                    for key in ("enum", "required"):  # sets, written as lists
                        if isinstance(out.get(key), list):
                            out[key] = sorted(out[key], key=_show)
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


def _canonical(doc: Mapping[str, Any]) -> dict[str, Any]:
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
            {**_keyed_parameters(canon, op), "security": _security(doc, op)}, ()
        )
        for (method, shape), (_, op) in _operations(doc).items()
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
            where, name = _param_key(param)
            keyed[f"{where}:{name}"] = param
    return {**op, "parameters": keyed}


def _first_difference(old: Any, new: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path of the first place where two canonical documents differ."""
    if old == new:
        return None
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                return (*path, str(key))
            found = _first_difference(old[key], new[key], (*path, str(key)))
            if found is not None:
                return found
        return path
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found = _first_difference(a, b, (*path, str(i)))
            if found is not None:
                return found
    return path


# ---- operations


def _operations(doc: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """`(METHOD, path with {} for parameters)` -> (path as written, operation)."""
    paths = doc.get("paths") or {}
    return _path_operations(paths if isinstance(paths, Mapping) else {}, shapes=True)


def _path_operations(
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


def _op_name(method: str, path: str, op: Mapping[str, Any]) -> str:
    return f"{method} {path} ({op.get('operationId', '?')})"


_OPERATION_KEYS = frozenset(
    {
        "operationId",
        "tags",
        "parameters",
        "requestBody",
        "responses",
        "security",
        "deprecated",
        "callbacks",
        "servers",
    }
)


# The operation's table of model families (docs/families.md): lifecycle per family.
_FAMILIES_KEY = "x-video-families"
_SUNSET_KEY = "x-sunset"


def _sunset_date(node: Mapping[str, Any]) -> str | None:
    date = node.get(_SUNSET_KEY) or node.get("sunset")
    return str(date) if date else None


def _sunset(node: Mapping[str, Any]) -> str:
    """`, sunset DATE` when a deprecated node names its sunset (`x-sunset` or `sunset`)."""
    date = _sunset_date(node)
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
        d.deprecation(at, was, now)


@dataclass(frozen=True)
class _Sides:
    """Who sends an operation's request: the client (an operation) or the server (a webhook or
    a callback, whose request the client receives and whose response it sends)."""

    request: Direction
    response: Direction

    @property
    def reversed(self) -> bool:
        return self.request is Direction.RESPONSE


_CLIENT_CALLS = _Sides(Direction.REQUEST, Direction.RESPONSE)
_SERVER_CALLS = _Sides(Direction.RESPONSE, Direction.REQUEST)


def _diff_operation(
    d: _Differ,
    where: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    sides: _Sides = _CLIENT_CALLS,
) -> None:
    d.docs(where, old, new)
    d.unclassified(where, old, new, _OPERATION_KEYS)
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
    d.deprecation(where, old, new)
    if old.get("servers") != new.get("servers"):
        d.add(Level.DOCUMENTATION, "servers-changed", where, "`servers` changed")
    _diff_families(d, where, old.get(_FAMILIES_KEY) or {}, new.get(_FAMILIES_KEY) or {})
    if not sides.reversed:
        _diff_security(d, where, _security(d.old, old), _security(d.new, new))
    _diff_parameters(d, where, old, new, sides)
    _diff_request_body(d, where, old, new, sides)
    _diff_responses(d, where, old, new, sides)
    _diff_callbacks(d, where, old.get("callbacks") or {}, new.get("callbacks") or {})


def _diff_calls(
    d: _Differ,
    kind: str,
    prefix: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> None:
    """Webhooks or one callback: path items whose requests the server sends to the client."""
    old_items = {k: d.deref(d.old, v)[0] for k, v in old.items()}
    new_items = {k: d.deref(d.new, v)[0] for k, v in new.items()}
    old_ops = _path_operations(old_items, shapes=False)
    new_ops = _path_operations(new_items, shapes=False)
    for key, (name, op) in old_ops.items():
        at = f"{prefix}{name} {key[0]}"
        if key not in new_ops:
            d.add(
                Level.BREAKING,
                f"{kind}-removed",
                at,
                f"{kind} removed (the server no longer calls it)",
            )
        else:
            _diff_operation(d, at, op, new_ops[key][1], _SERVER_CALLS)
    for key, (name, _) in new_ops.items():
        if key not in old_ops:
            at = f"{prefix}{name} {key[0]}"
            d.add(Level.ADDITIVE, f"{kind}-added", at, f"new {kind}: the server may call it")


def _diff_callbacks(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    for name in sorted(set(old) | set(new)):
        a = d.deref(d.old, old.get(name))[0] if name in old else None
        b = d.deref(d.new, new.get(name))[0] if name in new else None
        at = f"{where} callback {name}"
        if b is None:
            d.add(Level.BREAKING, "callback-removed", at, "callback removed")
        elif a is None:
            d.add(Level.ADDITIVE, "callback-added", at, "new callback: the server may call it")
        elif isinstance(a, Mapping) and isinstance(b, Mapping):
            _diff_calls(d, "callback", f"{at} ", a, b)


def _security(doc: Mapping[str, Any], op: Mapping[str, Any]) -> list[Any]:
    return list(op["security"] if "security" in op else doc.get("security") or [])


def _requirements(raw: list[Any]) -> dict[frozenset[str], dict[str, frozenset[str]]]:
    """Security requirements (alternatives) keyed by their schemes, each with its scopes."""
    out: dict[frozenset[str], dict[str, frozenset[str]]] = {}
    for req in raw:
        if isinstance(req, Mapping):
            out[frozenset(req)] = {k: frozenset(v or ()) for k, v in req.items()}
    return out


def _diff_security(d: _Differ, where: str, a: list[Any], b: list[Any]) -> None:
    """Requirements are alternatives: removing one refuses the clients that used it; scopes
    within one are all needed: adding one refuses the tokens that lack it."""
    if a == b:
        return
    old, new = _requirements(a), _requirements(b)
    a_open = not old or frozenset() in old
    b_open = not new or frozenset() in new
    if a_open and not b_open:
        d.add(Level.BREAKING, "security-added", where, "now requires authentication")
        return
    if b_open and not a_open:
        d.add(Level.ADDITIVE, "security-removed", where, "no longer requires authentication")
        return
    for schemes, scopes in old.items():
        names = " + ".join(sorted(schemes)) or "none"
        if schemes not in new:
            text = f"security requirement {names} removed (clients using it are refused)"
            d.add(Level.BREAKING, "security-requirement-removed", where, text)
            continue
        for scheme in sorted(schemes):
            more = new[schemes][scheme] - scopes[scheme]
            fewer = scopes[scheme] - new[schemes][scheme]
            if more:
                text = f"scheme {scheme} now needs scope(s) {_values(sorted(more))}"
                d.add(Level.BREAKING, "security-scope-added", where, text)
            if fewer:
                text = f"scheme {scheme} no longer needs scope(s) {_values(sorted(fewer))}"
                d.add(Level.ADDITIVE, "security-scope-removed", where, text)
    for schemes in new:
        if schemes not in old:
            names = " + ".join(sorted(schemes))
            text = f"new security alternative {names}"
            d.add(Level.ADDITIVE, "security-requirement-added", where, text)


def _param_key(param: Mapping[str, Any]) -> tuple[str, str]:
    name = str(param.get("name", ""))
    where = str(param.get("in", ""))
    return where, name.lower() if where == "header" else name


_PARAMETER_KEYS = frozenset(
    {
        "name",
        "in",
        "required",
        "schema",
        "content",
        "deprecated",
        "style",
        "explode",
        "allowReserved",
        "allowEmptyValue",
    }
)


def _diff_parameters(
    d: _Differ,
    where: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    sides: _Sides = _CLIENT_CALLS,
) -> None:
    def index(doc: Mapping[str, Any], params: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in params:
            param, _ = d.deref(doc, raw)
            if isinstance(param, Mapping):
                out[_param_key(param)] = dict(param)
        return out

    old_params = index(d.old, old.get("parameters") or [])
    new_params = index(d.new, new.get("parameters") or [])
    for key, param in old_params.items():
        at = f"{where} {key[0]} parameter `{param.get('name')}`"
        if key not in new_params:
            d.add(Level.BREAKING, "parameter-removed", at, "parameter removed")
            continue
        now = new_params[key]
        was_req, is_req = bool(param.get("required")), bool(now.get("required"))
        if was_req != is_req:
            # Sent by the server (a webhook's parameter): optional is what may now be missing.
            if is_req != sides.reversed:
                d.add(
                    Level.BREAKING,
                    f"parameter-became-{'required' if is_req else 'optional'}",
                    at,
                    f"now {'required' if is_req else 'optional'}",
                )
            else:
                d.add(
                    Level.ADDITIVE,
                    f"parameter-became-{'required' if is_req else 'optional'}",
                    at,
                    f"now {'required' if is_req else 'optional'}",
                )
        d.docs(at, param, now)
        d.unclassified(at, param, now, _PARAMETER_KEYS)
        d.deprecation(at, param, now)
        for word in ("style", "explode", "allowReserved"):
            if param.get(word) != now.get(word):
                text = f"{word} {_brief(param.get(word), now.get(word))} (sent differently)"
                d.add(Level.BREAKING, "parameter-serialisation-changed", at, text)
        if bool(param.get("allowEmptyValue")) != bool(now.get("allowEmptyValue")):
            if now.get("allowEmptyValue"):
                d.widened(sides.request, "empty-value-allowed", at, "an empty value is allowed")
            else:
                d.narrowed(sides.request, "empty-value-refused", at, "an empty value is refused")
        if "content" in param or "content" in now:
            _diff_content(
                d, at, param.get("content") or {}, now.get("content") or {}, sides.request
            )
        else:
            d.schema(param.get("schema", {}), now.get("schema", {}), at, sides.request)
    for key, param in new_params.items():
        if key in old_params:
            continue
        at = f"{where} {key[0]} parameter `{param.get('name')}`"
        if param.get("required") and not sides.reversed:
            d.add(Level.BREAKING, "required-parameter-added", at, "new required parameter")
        else:
            d.add(Level.ADDITIVE, "parameter-added", at, "new optional parameter")


def _diff_request_body(
    d: _Differ,
    where: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    sides: _Sides = _CLIENT_CALLS,
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
        if sides.reversed:
            level = Level.ADDITIVE
        d.add(level, "request-body-added", at, "request body added")
        return
    if bool(old_body.get("required")) != bool(new_body.get("required")):
        required = bool(new_body.get("required"))
        rule = f"request-body-became-{'required' if required else 'optional'}"
        level = Level.BREAKING if required != sides.reversed else Level.ADDITIVE
        d.add(level, rule, at, f"now {'required' if required else 'optional'}")
    d.docs(at, old_body, new_body)
    _diff_content(
        d, at, old_body.get("content") or {}, new_body.get("content") or {}, sides.request
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
        d.unclassified(at, a, b, frozenset({"schema", "encoding"}))
        d.schema(a.get("schema", {}), b.get("schema", {}), at, direction)
        _diff_encoding(d, at, a.get("encoding") or {}, b.get("encoding") or {})
    for media in new:
        if media not in old:
            d.add(Level.ADDITIVE, "media-type-added", f"{where} {media}", f"new media type {media}")


def _diff_encoding(d: _Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """How the parts of a multipart or form body are written."""
    for part in sorted(set(old) | set(new)):
        a, b = old.get(part) or {}, new.get(part) or {}
        at = f"{where} part `{part}`"
        d.docs(at, a, b)
        for key in ("contentType", "style", "explode", "allowReserved"):
            if a.get(key) != b.get(key):
                text = f"encoding {key} {_brief(a.get(key), b.get(key))} (sent differently)"
                d.add(Level.BREAKING, "encoding-changed", at, text)
        if a.get("headers") != b.get("headers"):
            _diff_headers(d, at, a.get("headers") or {}, b.get("headers") or {})
        d.unclassified(
            at, a, b, frozenset({"contentType", "style", "explode", "allowReserved", "headers"})
        )


def _diff_responses(
    d: _Differ,
    where: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    sides: _Sides = _CLIENT_CALLS,
) -> None:
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
            # Links name follow-up calls for readers; the generated client does not use them.
            d.add(Level.DOCUMENTATION, "links-changed", at, "`links` changed")
        _diff_headers(d, at, a.get("headers") or {}, b.get("headers") or {})
        _diff_content(d, at, a.get("content") or {}, b.get("content") or {}, sides.response)
    for status in new_responses:
        if status not in old_responses:
            at = f"{where} response {status}"
            d.add(Level.ADDITIVE, "response-added", at, f"new response {status}")


_HEADER_KEYS = frozenset({"required", "schema", "content", "deprecated", "style", "explode"})


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
        d.unclassified(at, a, b, _HEADER_KEYS)
        d.deprecation(at, a, b)
        if bool(a.get("required")) != bool(b.get("required")):
            if b.get("required"):
                d.add(Level.ADDITIVE, "response-header-became-required", at, "now required")
            else:
                d.add(Level.BREAKING, "response-header-became-optional", at, "now optional")
        if "content" in a or "content" in b:
            _diff_content(d, at, a.get("content") or {}, b.get("content") or {}, Direction.RESPONSE)
        else:
            d.schema(a.get("schema", {}), b.get("schema", {}), at, Direction.RESPONSE)
    for name in new_by:
        if name not in old_by:
            d.add(Level.ADDITIVE, "response-header-added", f"{where} header `{name}`", "new header")


# What decides how a client authenticates with a scheme; the rest is documentation.
_SCHEME_WIRE = ("type", "scheme", "in", "name", "openIdConnectUrl")
_FLOW_URLS = ("authorizationUrl", "tokenUrl", "refreshUrl")


def _diff_scheme(d: _Differ, at: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> None:
    d.docs(at, a, b)
    d.unclassified(at, a, b, frozenset({*_SCHEME_WIRE, "bearerFormat", "flows"}))
    wire = [f"{k} {_brief(a.get(k), b.get(k))}" for k in _SCHEME_WIRE if a.get(k) != b.get(k)]
    if wire:
        text = "; ".join(wire) + " (clients send credentials differently)"
        d.add(Level.BREAKING, "security-scheme-changed", at, text)
    if a.get("bearerFormat") != b.get("bearerFormat"):
        d.add(Level.DOCUMENTATION, "documentation", at, "`bearerFormat` changed")
    old_flows: Mapping[str, Any] = a.get("flows") or {}
    new_flows: Mapping[str, Any] = b.get("flows") or {}
    for flow in sorted(set(old_flows) | set(new_flows)):
        here = f"{at} flow {flow}"
        if flow not in new_flows:
            d.add(Level.BREAKING, "security-flow-removed", here, "flow removed")
            continue
        if flow not in old_flows:
            d.add(Level.ADDITIVE, "security-flow-added", here, "new flow")
            continue
        was, now = old_flows[flow] or {}, new_flows[flow] or {}
        d.unclassified(here, was, now, frozenset({*_FLOW_URLS, "scopes"}))
        for key in _FLOW_URLS:
            if was.get(key) != now.get(key):
                d.add(Level.BREAKING, "security-flow-changed", here, f"{key} changed")
        old_scopes, new_scopes = set(was.get("scopes") or ()), set(now.get("scopes") or ())
        if new_scopes - old_scopes:
            text = f"new scope(s) {_values(sorted(new_scopes - old_scopes))}"
            d.add(Level.ADDITIVE, "security-scope-offered", here, text)
        if old_scopes - new_scopes:
            text = f"scope(s) {_values(sorted(old_scopes - new_scopes))} withdrawn"
            d.add(Level.BREAKING, "security-scope-withdrawn", here, text)


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
        a, _ = d.deref(d.old, a)
        b, _ = d.deref(d.new, b)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            _diff_scheme(d, at, a, b)
    old_examples = (d.old.get("components") or {}).get("examples") or {}
    new_examples = (d.new.get("components") or {}).get("examples") or {}
    if old_examples != new_examples:
        d.add(Level.DOCUMENTATION, "documentation", "components.examples", "examples changed")


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
    d = _Differ(old, new)
    for part in ("info", "servers", "tags", "openapi"):
        if old.get(part) != new.get(part):
            d.add(Level.DOCUMENTATION, "documentation", part, f"`{part}` changed")
    for top in sorted(set(old) | set(new)):
        if top not in _TOP_KEYS and not _is_doc_key(top) and old.get(top) != new.get(top):
            text = f"top-level `{top}` {_brief(old.get(top), new.get(top))}"
            d.add(Level.BREAKING, "unclassified", top, f"{text} (no rule covers it)")
    if old.get("externalDocs") != new.get("externalDocs"):
        d.add(Level.DOCUMENTATION, "documentation", "externalDocs", "`externalDocs` changed")
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
    _diff_calls(d, "webhook", "webhook ", old.get("webhooks") or {}, new.get("webhooks") or {})
    _diff_components(d)
    if not d.changes:
        a, b = _canonical(old), _canonical(new)
        where = _first_difference(a, b)
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
