"""The rules for schemas: `Differ` walks two versions of a schema in a direction (who sends
the data) and records each change at the level its direction gives."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from videos_contract.release.specdiff.changes import Change, Direction, Level, brief, listed, show
from videos_contract.release.specdiff.normal import (
    canonical_node,
    is_null,
    normal,
    ref_of,
    strip_docs,
)
from videos_contract.release.specdiff.rules import (
    CONSTRAINTS,
    LOWER,
    SCHEMA_KEYS,
    UPPER,
    is_doc_key,
)
from videos_contract.schema import RefError, declared_types, deref, enum_values, lookup

__all__ = ["Differ"]


_SUNSET_KEY = "x-sunset"


def _sunset_date(node: Mapping[str, Any]) -> str | None:
    date = node.get(_SUNSET_KEY) or node.get("sunset")
    return str(date) if date else None


def _sunset(node: Mapping[str, Any]) -> str:
    """`, sunset DATE` when a deprecated node names its sunset (`x-sunset` or `sunset`)."""
    date = _sunset_date(node)
    return f", sunset {date}" if node.get("deprecated") and date else ""


@dataclass
class Differ:
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
            if is_doc_key(key) and old.get(key) != new.get(key) and key != _SUNSET_KEY:
                self.add(Level.DOCUMENTATION, "documentation", where, f"`{key}` changed")

    def unclassified(
        self, where: str, old: Mapping[str, Any], new: Mapping[str, Any], known: frozenset[str]
    ) -> None:
        for key in sorted(set(old) | set(new)):
            if key in known or is_doc_key(key) or old.get(key) == new.get(key):
                continue
            self.add(
                Level.BREAKING,
                "unclassified",
                where,
                f"`{key}` {brief(old.get(key), new.get(key))}"
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
        old_ref, new_ref = ref_of(old_raw), ref_of(new_raw)
        for ref in (old_ref, new_ref):
            if ref and ref.startswith("#/components/schemas/"):
                self._reached.add(ref.rsplit("/", 1)[1])
        if old_ref and old_ref == new_ref:
            old_sib = {k: v for k, v in old_raw.items() if k != "$ref"}
            new_sib = {k: v for k, v in new_raw.items() if k != "$ref"}
            self.docs(where, old_sib, new_sib)
            if not strip_docs(old_sib) and not strip_docs(new_sib):
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
        self.unclassified(where, old, new, SCHEMA_KEYS)
        old_core, old_null = normal(old)
        new_core, new_null = normal(new)
        if old_null != new_null:
            if new_null:
                self.widened(direction, "nullable-added", where, "may now be null")
            else:
                self.narrowed(direction, "nullable-removed", where, "may no longer be null")
        if "$ref" in old_core or "$ref" in new_core:
            # `oneOf: [$ref, null]` or a one-part `allOf`: what remains is the referenced schema.
            if ref_of(old_core) == ref_of(new_core):
                self.schema(strip_docs(old_core), strip_docs(new_core), where, direction)
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
            text = f"format {show(old_format)} -> {show(new_format)}"
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
            self.narrowed(d, "enum-added", where, f"now limited to {listed(new_values)}")
            return
        if new_values is None:
            self.widened(d, "enum-removed", where, f"no longer limited to {listed(old_values)}")
            return
        added = [v for v in new_values if v not in old_values]
        removed = [v for v in old_values if v not in new_values]
        if added:
            text = f"new enum value {listed(added)}"
            if d is not Direction.REQUEST:
                text += " (breaks clients that match every value, as the generated client does)"
            self.widened(d, "enum-value-added", where, text)
        if removed:
            self.narrowed(d, "enum-value-removed", where, f"enum value {listed(removed)} removed")

    def bounds(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, d: Direction
    ) -> None:
        for key in (*LOWER, *UPPER):
            a, b = old.get(key), new.get(key)
            if a == b or isinstance(a, bool) or isinstance(b, bool):
                continue
            lower = key in LOWER
            none = -math.inf if lower else math.inf
            a_num = none if a is None else float(a)
            b_num = none if b is None else float(b)
            text = f"{key} {show(a)} -> {show(b)}"
            if (b_num > a_num) == lower:
                self.narrowed(d, f"{key}-narrowed", where, text)
            else:
                self.widened(d, f"{key}-widened", where, text)
        for key in (*CONSTRAINTS, "uniqueItems"):
            a, b = old.get(key), new.get(key)
            if a == b:
                continue
            text = f"{key} {show(a)} -> {show(b)}"
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
        text = f"default {show(old.get('default'))} -> {show(new.get('default'))}"
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
                text = f"with `{name}`, now also requires {listed(sorted(after - before))}"
                self.narrowed(d, "dependent-required-added", at, text)
            if before - after:
                text = f"with `{name}`, no longer requires {listed(sorted(before - after))}"
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
            text = f"discriminator {show(a.get('propertyName'))} -> {show(b.get('propertyName'))}"
            self.add(Level.BREAKING, "discriminator-property-changed", where, text)
        old_map: Mapping[str, Any] = a.get("mapping") or {}
        new_map: Mapping[str, Any] = b.get("mapping") or {}
        for value in sorted(set(old_map) | set(new_map)):
            text = f"discriminator value {show(value)}"
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
            old_list = [s for s in old.get(key) or () if not is_null(s)]
            new_list = [s for s in new.get(key) or () if not is_null(s)]
            if len(old_list) <= 1 and len(new_list) <= 1:
                # One part beside other keywords (not merged into the core by normal).
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
            elif canonical_node(self.old, a) != canonical_node(self.new, b):
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
            elif canonical_node(self.old, a) != canonical_node(self.new, b):
                self.add(Level.BREAKING, "not-changed", where, "`not` changed")

    def signature(self, schema: Any, doc: Mapping[str, Any]) -> str:
        """A name for a variant that survives edits inside it: its component or its type."""
        if isinstance(schema, Mapping) and "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[1]
        resolved, _ = self.deref(doc, schema)
        if not isinstance(resolved, Mapping):
            return show(resolved)
        fmt = resolved.get("format")
        return _type_text(declared_types(resolved)) + (f"<{fmt}>" if fmt else "")


def _access(d: Differ, doc: Mapping[str, Any], prop: Any) -> tuple[bool, bool]:
    """(readOnly, writeOnly) of a property schema, through `$ref`s and a nullable wrapper."""
    node, _ = d.deref(doc, prop)
    if not isinstance(node, Mapping):
        return False, False
    core, _ = normal(node)
    if "$ref" in core:
        target, _ = d.deref(doc, {"$ref": core["$ref"]})
        if isinstance(target, Mapping):
            core = {**target, **core}
    return bool(core.get("readOnly")), bool(core.get("writeOnly"))


def _type_text(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"
