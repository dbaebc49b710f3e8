"""Compare the statements of the gateway's unified video page with each model family.

`videos_contract.docs.mdx` reads a copy of the page (Mintlify source, Markdown or the
browser's text) into statements, "for these models of this family, this field takes these
values (and this default)". Here every statement is compared with what the spec's family
schema allows for the same models (`videos_contract.families`, which reads the `if`/`then`
rules).

A difference is a known deviation when the spec records it: an `x-deviation` in the family's
schema names every value the page and the spec disagree on. On a copy of an older generation
(its header says so), a difference is also known when the page the spec names for the family
(`x-video-families`, `page`) states the same field and agrees with the spec: the newer page
superseded it. Everything else is drift, reported with the family and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from videos_contract.docs.drift import Finding
from videos_contract.docs.mdx import Statement, UnifiedPage, is_unified, read_unified
from videos_contract.families import Family, families
from videos_contract.schema import type_facts
from videos_contract.spec import Spec

# The reading half (`docs.mdx`) keeps its names here too: `read_unified` and `is_unified`
# have always been imported from this module.
__all__ = ["EXAMPLE", "Statement", "UnifiedPage", "compare_unified", "is_unified", "read_unified"]


def _deviation_texts(spec: Spec, family: Family) -> list[str]:
    """`pointer: reason` of every `x-deviation` in the family's schema (refs followed once)."""
    found: list[str] = []
    seen: set[str] = set()

    def walk(node: Any, pointer: str, depth: int) -> None:
        if depth > 6:
            return
        if isinstance(node, Mapping):
            if "$ref" in node and isinstance(node["$ref"], str) and node["$ref"] not in seen:
                seen.add(node["$ref"])
                walk(spec.lookup(node["$ref"]), node["$ref"], depth + 1)
            for key, value in node.items():
                if key == "x-deviation":
                    found.append(f"{pointer}: {' '.join(str(value).split())}")
                else:
                    walk(value, f"{pointer}/{key}", depth + 1)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{pointer}/{i}", depth + 1)

    ref = f"#/components/schemas/{family.schema_name}"
    walk(spec.lookup(ref), ref, 0)
    return found


def _applying(texts: list[str], finding: Finding, name: str) -> list[str]:
    """The recorded deviations that may explain a finding about field `name`.

    The field's own (on its property, or a rule about it); the family schema's own, except
    for the model list (a family's models are never a recorded departure); any of the family
    for a field the schema does not have (an old or foreign name the page uses).
    """
    if finding.aspect == "presence":
        return texts
    own = [t for t in texts if f"/properties/{name}:" in t or f"/properties/{name}/" in t]
    if name == "model":
        return own
    root = [t for t in texts if t.split(": ", 1)[0].count("/") == 3]
    return own + root


def _names(text: str, value: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(value)}(?![\w.])", text) is not None


def _explained(texts: list[str], differing: Sequence[str]) -> str | None:
    """The recorded deviations that name every differing value, or None."""
    if not differing:
        return None
    hits = [t for t in texts if any(_names(t, v) for v in differing)]
    if hits and all(any(_names(t, v) for t in hits) for v in differing):
        return "; ".join(hits)
    return None


def _allowed(family: Family, name: str, models: Sequence[str]) -> list[str]:
    out: list[str] = []
    for model in models or family.models:
        for value in family.allowed(model, name):
            text = _text(value)
            if text not in out:
                out.append(text)
    # `1920*1080` is the page's other spelling of `1920x1080` (Wan), not another value.
    return [v for v in out if not ("*" in v and v.replace("*", "x") in out)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _label(family: Family, name: str, models: Sequence[str]) -> str:
    scope = "" if not models or set(models) == set(family.models) else f" ({', '.join(models)})"
    return f"{family.title} ({family.name}) `{name}`{scope}"


def _find_property(
    schema: Mapping[str, Any], name: str, depth: int = 0
) -> Mapping[str, Any] | None:
    """A property named `name` anywhere in a resolved schema (a reference item's `role`)."""
    if depth > 6 or not isinstance(schema, Mapping):
        return None
    props = schema.get("properties")
    if isinstance(props, Mapping) and name in props:
        return props[name]  # type: ignore[no-any-return]
    for value in schema.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, Mapping):
                found = _find_property(item, name, depth + 1)
                if found is not None:
                    return found
    return None


def _on_pages(family: Family, model: str, pages: frozenset[str]) -> bool:
    """Whether a page is among the sources of `model` (a model no page names, one only the
    news page or the adapter's model list names, is not missing from a page's table)."""
    named = family.sources.get(model)
    return named is None or any(source in pages for source in named)


def _compare(statement: Statement, family: Family, pages: frozenset[str]) -> list[Finding]:
    """The findings of one statement, before deciding which are known."""
    out = []
    models = statement.models
    name = statement.field
    label = _label(family, name, models)
    if name == "model":
        extra = [m for m in statement.values if m not in family.models]
        missing = [
            m for m in family.models if m not in statement.values and _on_pages(family, m, pages)
        ]
        if extra or missing:
            out.append(_values_finding(label, "models", statement, extra, missing, family.models))
        return out
    if statement.example is not None:
        return _compare_example(statement, family)
    prop = family.properties.get(name)
    if statement.presence:
        schema = prop if prop is not None else _find_property(family.schema, name)
        if schema is None and name not in family.fields:
            out.append(
                Finding(label, "presence", f"documented ({statement.where})", "no such field")
            )
            return out
        allowed = [_text(v) for v in (schema or {}).get("enum", ())]
        extra = [v for v in statement.values if allowed and v not in allowed]
        if extra:
            out.append(_values_finding(label, "allowed values", statement, extra, [], allowed))
        for value in statement.values if statement.frame else ():
            frame = family.frame(value)
            shown = f"{frame[0]}x{frame[1]}" if frame else "(none)"
            if shown != statement.frame:
                out.append(Finding(label, f"frame of {value}", statement.frame or "", shown))
        return out
    if prop is None:
        out.append(Finding(label, "presence", f"documented ({statement.where})", "no such field"))
        return out
    if statement.type is not None:
        types, _ = type_facts(prop)
        if types != {statement.type}:
            out.append(
                Finding(label, "type", statement.type, " | ".join(sorted(types)) or "(no type)")
            )
    if statement.values and family.candidates(name):
        allowed = _allowed(family, name, models)
        extra = [v for v in statement.values if v not in allowed]
        missing = [v for v in allowed if v not in statement.values]
        if extra or missing:
            out.append(_values_finding(label, "allowed values", statement, extra, missing, allowed))
    if statement.default is not None:
        default = family.field_default(name)
        if default is None or _text(default) != statement.default:
            shown = "(none)" if default is None else _text(default)
            out.append(Finding(label, "default", statement.default, shown))
    return out


EXAMPLE = "example request"


def _compare_example(statement: Statement, family: Family) -> list[Finding]:
    """The fields of an example body the family's schema refuses, each a finding."""
    body = dict(statement.example or {})
    out = []
    for name in family.refusals(body):
        if name:
            fields = [name]
        else:  # a rule on the whole body: fields it does not know, or fields it misses
            known = family.properties
            closed = family.schema.get("additionalProperties") is False
            fields = [k for k in body if closed and k not in known]
            fields += [k for k in family.schema.get("required", ()) if k not in body]
        for field_name in fields:
            shown = json.dumps(body.get(field_name, "(absent)"), ensure_ascii=False)
            out.append(
                Finding(
                    _label(family, field_name, statement.models),
                    EXAMPLE,
                    f"{shown} (in the page's example of {statement.subject})",
                    "refused by the family's schema",
                )
            )
    return out


def _values_finding(
    label: str,
    aspect: str,
    statement: Statement,
    extra: Sequence[str],
    missing: Sequence[str],
    allowed: Sequence[str],
) -> Finding:
    detail = []
    if extra:
        detail.append(f"not in the spec: {', '.join(extra)}")
    if missing:
        detail.append(f"missing on the page: {', '.join(missing)}")
    page = f"{', '.join(statement.values) or '(none)'} [{'; '.join(detail)}]"
    return Finding(label, aspect, page, ", ".join(allowed) or "(none)")


def _differing(finding: Finding) -> list[str]:
    """The values a finding is about (for matching them against recorded deviations)."""
    found = re.search(r"\[(.*)\]$", finding.page)
    if found:
        return [
            v for part in found.group(1).split("; ") for v in part.split(": ", 1)[1].split(", ")
        ]
    if finding.aspect == "presence":
        return [finding.field.split("`")[1]]
    if finding.aspect == EXAMPLE:
        return [finding.page.split(" (in the page's example")[0].strip('"')]
    if finding.aspect == "type":
        return [t for t in finding.spec.split(" | ") if t != finding.page] or [finding.page]
    return [finding.page]


def compare_unified(
    page: UnifiedPage, spec: Spec, *, folder: Path | None = None, _depth: int = 0
) -> list[Finding]:
    """Every statement of the page against the spec, per family and field."""
    catalogue = families(spec)
    findings: list[Finding] = []
    for model in page.models:
        if catalogue.known(model):
            continue
        owner = next(
            (
                f
                for f in catalogue
                if f.models
                and model.lower().startswith(f.models[0].split("-")[0].rstrip("0123456789."))
            ),
            None,
        )
        if owner is not None:
            label = _label(owner, "model", ())
            findings.append(
                Finding(
                    label, "models", f"{model} [not in the spec: {model}]", ", ".join(owner.models)
                )
            )
    pages = frozenset(name for name, source in catalogue.sources.items() if source.kind == "page")
    for statement in page.statements:
        family = catalogue.named(statement.family)
        findings += _compare(statement, family, pages)
    texts = {family.name: _deviation_texts(spec, family) for family in catalogue}
    agreeing = _agreeing(page, spec, folder, _depth) if page.superseded else {}
    out = []
    for finding in findings:
        family_name = re.search(r"\((\w+)\) `", finding.field)
        key = family_name.group(1) if family_name else ""
        field_name = finding.field.split("`")[1]
        reason = _explained(_applying(texts.get(key, []), finding, field_name), _differing(finding))
        if reason is None and page.superseded:
            newer = agreeing.get((key, field_name))
            says = "states this field as the spec does"
            if newer is None and finding.aspect == EXAMPLE:
                newer = agreeing.get((key, "example"))
                says = "shows examples of this family that the spec accepts"
            if newer is not None:
                reason = (
                    f"superseded: {newer}, the page x-video-families names for this family, " + says
                )
        out.append(Finding(finding.field, finding.aspect, finding.page, finding.spec, reason))
    return list(dict.fromkeys(out))


def _agreeing(
    page: UnifiedPage, spec: Spec, folder: Path | None, depth: int
) -> dict[tuple[str, str], str]:
    """(family, field) the family's own page states with no unexplained difference."""
    if folder is None or depth > 0:
        return {}
    agreeing: dict[tuple[str, str], str] = {}
    for family in families(spec):
        source = folder / family.page
        if not family.page or source.name == page.name or not source.is_file():
            continue
        newer = read_unified(source, spec)
        if newer.superseded:
            continue
        results = compare_unified(newer, spec, folder=folder, _depth=depth + 1)
        own = [f for f in results if not f.known and f"({family.name})" in f.field]
        bad = {f.field.split("`")[1] for f in own}
        if any(f.aspect == EXAMPLE for f in own):
            bad.add("example")
        for statement in newer.statements:
            if statement.family == family.name and statement.field not in bad:
                agreeing[(family.name, statement.field)] = family.page
        if newer.models and "model" not in bad:
            agreeing[(family.name, "model")] = family.page
    return agreeing
