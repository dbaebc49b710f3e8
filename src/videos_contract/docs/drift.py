"""Compare what a documentation page states with the spec's operation, fact by fact.

A fact the page states and the spec contradicts is a difference, unless the spec records the
departure in an `x-deviation` next to the field (on the property, on the schema it
references, or on one of its `oneOf` variants) or next to the operation: then it is a known
deviation, reported with the recorded reason. A fact the page does not state is not compared
(the page being less precise is not drift), except that a known deviation on a field is
always listed, so the report shows every place where the spec knowingly departs from the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from videos_contract.docs.page import DocsPage, PageField
from videos_contract.schema import RefError, deref, enum_values, lookup, type_facts
from videos_contract.schema import pointer as json_pointer
from videos_contract.spec import Operation, Spec

__all__ = ["Finding", "compare_page", "find_operation"]


@dataclass(frozen=True)
class Finding:
    """One place where page and spec disagree."""

    field: str
    aspect: str
    page: str
    spec: str
    deviation: str | None = None  # "pointer: reason" when the spec records the departure

    @property
    def known(self) -> bool:
        return self.deviation is not None

    def as_dict(self) -> dict[str, str | bool | None]:
        return {
            "field": self.field,
            "aspect": self.aspect,
            "page": self.page,
            "spec": self.spec,
            "known_deviation": self.known,
            "deviation": self.deviation,
        }


def _shape(path: str) -> str:
    return "/".join("{}" if s.startswith("{") else s for s in path.rstrip("/").split("/"))


def find_operation(spec: Spec, method: str, path: str) -> Operation | None:
    """The spec's operation for `METHOD path`; path parameters match whatever their name."""
    for op in spec.operations():
        if op.method == method.upper() and _shape(op.path) == _shape(path):
            return op
    return None


class _Raw:
    """Walks the unresolved spec to find the `x-deviation`s that apply to a node."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def node(self, where: str) -> Any:
        try:
            return lookup(self.spec.raw, where)
        except RefError:
            return None

    def deref(self, node: Any, where: str) -> tuple[Any, str]:
        target, target_ptr = deref(self.spec.raw, node, where)
        return target, target_ptr or where

    def deviations(self, node: Any, pointer: str, depth: int = 0) -> list[str]:
        """`pointer: reason` for each `x-deviation` on the node, its target and its variants."""
        found: list[str] = []
        if not isinstance(node, Mapping) or depth > 4:
            return found
        if "x-deviation" in node:
            found.append(f"{pointer}: {' '.join(str(node['x-deviation']).split())}")
        if "$ref" in node:
            target, target_ptr = self.deref({"$ref": node["$ref"]}, pointer)
            found += self.deviations(target, target_ptr, depth + 1)
        for key in ("oneOf", "anyOf", "allOf"):
            for i, member in enumerate(node.get(key) or ()):
                found += self.deviations(member, f"{pointer}/{key}/{i}", depth + 1)
        return found

    def properties(self, schema_ptr: str) -> tuple[dict[str, Any], str]:
        """The raw `properties` of the schema at `schema_ptr` (following `$ref`s)."""
        node, pointer = self.deref(self.node(schema_ptr), schema_ptr)
        props = node.get("properties") if isinstance(node, Mapping) else None
        return (dict(props) if isinstance(props, Mapping) else {}), pointer


# ---- what the spec states about one schema


def _single(schema: Mapping[str, Any], key: str) -> Any:
    """`key` of the schema, or of its only non-null variant."""
    if key in schema:
        return schema[key]
    for combo in ("oneOf", "anyOf"):
        members = [m for m in schema.get(combo) or () if m.get("type") != "null"]
        if len(members) == 1 and key in members[0]:
            return members[0][key]
    return None


def _enum(schema: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The allowed values of the schema, or of its only non-null variant, as text."""
    values = enum_values(schema)
    for combo in ("oneOf", "anyOf"):
        members = [m for m in schema.get(combo) or () if m.get("type") != "null"]
        if values is None and len(members) == 1:
            values = enum_values(members[0])
    return None if values is None else tuple(_text(v) for v in values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(values: Iterable[str] | None) -> str:
    return "(none)" if values is None else ", ".join(values)


def _type_text(types: frozenset[str], nullable: bool) -> str:
    text = " | ".join(sorted(types)) or "(no type)"
    return f"{text} | null" if nullable else text


# ---- the comparison


@dataclass
class _Context:
    findings: list[Finding]

    def add(self, label: str, aspect: str, page: str, spec: str, deviations: list[str]) -> None:
        self.findings.append(Finding(label, aspect, page, spec, "; ".join(deviations) or None))


def _compare_field(
    ctx: _Context,
    label: str,
    doc: PageField,
    schema: Mapping[str, Any],
    required: bool,
    deviations: list[str],
) -> None:
    """Every fact the page states about one field, against the spec's resolved schema."""
    before = len(ctx.findings)
    if doc.required != required:
        ctx.add(
            label,
            "required",
            "required" if doc.required else "optional",
            "required" if required else "optional",
            deviations,
        )
    spec_types, spec_null = type_facts(schema)
    if doc.type is not None:
        if doc.type.types and spec_types and doc.type.types != spec_types:
            ctx.add(
                label,
                "type",
                doc.type.text,
                _type_text(spec_types, spec_null),
                deviations,
            )
        if doc.type.nullable != spec_null:
            ctx.add(
                label,
                "nullable",
                f"{'nullable' if doc.type.nullable else 'not nullable'} ({doc.type.text})",
                "nullable" if spec_null else "not nullable",
                deviations,
            )
        spec_format = _single(schema, "format")
        if doc.type.format and doc.type.format != spec_format:
            ctx.add(label, "format", doc.type.format, str(spec_format or "(none)"), deviations)
    spec_enum = _enum(schema)
    for where, values in doc.enums:
        if spec_enum is None or set(values) != set(spec_enum):
            extra = [v for v in values if spec_enum is None or v not in spec_enum]
            missing = [v for v in spec_enum or () if v not in values]
            detail = []
            if extra:
                detail.append(f"not in the spec: {', '.join(extra)}")
            if missing:
                detail.append(f"missing on the page: {', '.join(missing)}")
            ctx.add(
                label,
                f"allowed values ({where})",
                f"{_show(values)} [{'; '.join(detail)}]",
                _show(spec_enum),
                deviations,
            )
    spec_default = _single(schema, "default")
    for where, value in doc.defaults:
        if spec_default is None or value != _text(spec_default):
            shown = "(none)" if spec_default is None else _text(spec_default)
            ctx.add(label, f"default ({where})", value, shown, deviations)
    limits = (
        ("minimum length", doc.min_length, _single(schema, "minLength")),
        ("maximum length", doc.max_length, _single(schema, "maxLength")),
        ("minimum", doc.minimum, _single(schema, "minimum")),
        ("maximum", doc.maximum, _single(schema, "maximum")),
    )
    for aspect, stated, spec_value in limits:
        if stated is not None and (spec_value is None or float(stated) != float(spec_value)):
            shown = "(none)" if spec_value is None else _text(spec_value)
            ctx.add(label, aspect, _text(stated), shown, deviations)
    if deviations and len(ctx.findings) == before:
        # The page is silent where the spec made its recorded choice: still worth showing.
        silent = []
        if doc.type is None:
            silent.append(("type", "(no type given)", _type_text(spec_types, spec_null)))
        for aspect, stated, spec_value in limits:
            if stated is None and spec_value is not None:
                silent.append((aspect, "(not stated)", _text(spec_value)))
        if not silent:
            silent.append(
                ("schema", doc.type.text if doc.type else "(no type given)", "see x-deviation")
            )
        for aspect, page_text, spec_text in silent:
            ctx.add(label, aspect, page_text, spec_text, deviations)


def _compare_properties(
    ctx: _Context,
    part: str,
    fields: list[PageField],
    schema: Mapping[str, Any],
    raw: _Raw,
    schema_ptr: str,
    schema_deviations: list[str],
    *,
    required_deviations: list[str] | None = None,
) -> None:
    """`required_deviations`: the schema's recorded reason for which fields it requires."""
    props: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    # Fields a conditional (`if`/`then`, e.g. Sora's jobs) requires count as required: the
    # page documents one family, the spec says which fields that family owes.
    then = schema.get("then")
    required |= set(then.get("required") or ()) if isinstance(then, Mapping) else set()
    raw_props, props_ptr = raw.properties(schema_ptr)
    seen = set()
    for doc in fields:
        label = f"{part} `{doc.name}`"
        seen.add(doc.name)
        if doc.name not in props:
            ctx.add(label, "presence", "documented", "no such field", schema_deviations)
            continue
        pointer = f"{props_ptr}/properties/{doc.name}"
        deviations = raw.deviations(raw_props.get(doc.name), pointer)
        is_required = doc.name in required
        if not deviations and required_deviations and doc.required and not is_required:
            # A field the page requires and the schema leaves optional: the schema's recorded
            # choice (the reverse, a field the page leaves optional made required, is drift).
            ctx.add(
                label,
                "required",
                "required" if doc.required else "optional",
                "required" if is_required else "optional",
                required_deviations,
            )
            is_required = doc.required
        _compare_field(ctx, label, doc, props[doc.name], is_required, deviations)
    for name in props:
        if name not in seen:
            pointer = f"{props_ptr}/properties/{name}"
            own = raw.deviations(raw_props.get(name), pointer)
            label = f"{part} `{name}`"
            ctx.add(label, "presence", "not documented", "defined", own or schema_deviations)


def _success_schema(op: Operation) -> tuple[str, dict[str, Any]] | None:
    for status in sorted(op.responses):
        if status.startswith("2"):
            content = op.responses[status].get("content") or {}
            for media, body in content.items():
                if "json" in media and "schema" in body:
                    return status, body["schema"]
    return None


def _compare_auth(ctx: _Context, page: DocsPage, op: Operation, spec: Spec) -> None:
    documented = page.section("auth")
    schemes = (spec.raw.get("components") or {}).get("securitySchemes") or {}
    security = op.data.get("security", spec.raw.get("security")) or []
    optional = any(not req for req in security)
    expected: dict[str, tuple[str, bool]] = {}
    for requirement in security:
        for name in requirement:
            scheme = schemes.get(name) or {}
            if scheme.get("type") == "http" or scheme.get("type") == "oauth2":
                expected["authorization"] = ("header", not optional)
            elif scheme.get("type") == "apiKey":
                expected[str(scheme.get("name", name)).lower()] = (
                    str(scheme.get("in", "header")),
                    not optional,
                )
    for doc in documented:
        key = doc.name.lower()
        label = f"authorization `{doc.name}`"
        if key not in expected:
            ctx.add(label, "presence", "documented", "the operation has no such credential", [])
            continue
        where, needed = expected.pop(key)
        if doc.location and doc.location != where:
            ctx.add(label, "location", doc.location, where, [])
        if doc.required != needed:
            page_text = "required" if doc.required else "optional"
            ctx.add(label, "required", page_text, "required" if needed else "optional", [])
    for key, (where, _) in expected.items():
        ctx.add(f"authorization `{key}`", "presence", "not documented", f"in {where}", [])


def _param_deviations(raw: _Raw, op_ptr: str, location: str, name: str) -> list[str]:
    """The `x-deviation`s on a parameter, declared on the path item or on the operation."""
    path_ptr = op_ptr.rsplit("/", 1)[0]
    for owner in (path_ptr, op_ptr):
        owner_node = raw.node(owner)
        listed = owner_node.get("parameters") if isinstance(owner_node, Mapping) else None
        for i, item in enumerate(listed or ()):
            node, pointer = raw.deref(item, f"{owner}/parameters/{i}")
            if (
                isinstance(node, Mapping)
                and node.get("in") == location
                and node.get("name") == name
            ):
                return raw.deviations(node, pointer) + raw.deviations(
                    node.get("schema"), f"{pointer}/schema"
                )
    return []


def _compare_parameters(
    ctx: _Context, page: DocsPage, op: Operation, raw: _Raw, op_ptr: str
) -> None:
    for location in ("path", "query", "header"):
        documented = page.section(location)
        params = {p["name"]: p for p in op.parameters if p.get("in") == location}
        if location == "header":
            params = {k.lower(): v for k, v in params.items()}
        seen = set()
        for doc in documented:
            key = doc.name.lower() if location == "header" else doc.name
            seen.add(key)
            label = f"{location} parameter `{doc.name}`"
            if key not in params:
                ctx.add(label, "presence", "documented", "no such parameter", [])
                continue
            param = params[key]
            deviations = _param_deviations(raw, op_ptr, location, str(param["name"]))
            _compare_field(
                ctx, label, doc, param.get("schema") or {}, bool(param.get("required")), deviations
            )
        for key, param in params.items():
            if key not in seen and documented:
                ctx.add(
                    f"{location} parameter `{param['name']}`",
                    "presence",
                    "not documented",
                    "defined",
                    [],
                )


def compare_page(page: DocsPage, spec: Spec) -> list[Finding]:
    """Every disagreement between the page and the spec's operation for the same endpoint."""
    ctx = _Context([])
    op = find_operation(spec, page.method, page.path)
    if op is None:
        ctx.add(
            f"operation {page.method} {page.path}",
            "presence",
            "documented",
            "no such operation",
            [],
        )
        return ctx.findings
    raw = _Raw(spec)
    raw_path = next((p for p in spec.raw.get("paths", {}) if _shape(p) == _shape(op.path)), op.path)
    op_ptr = json_pointer("paths", raw_path, op.method.lower())
    op_deviations = raw.deviations(raw.node(op_ptr), op_ptr)
    _compare_auth(ctx, page, op, spec)
    _compare_parameters(ctx, page, op, raw, op_ptr)

    body_fields = page.section("body")
    media_types = list(op.request_media_types)
    if body_fields or page.content_type:
        media = page.content_type if page.content_type in media_types else None
        if page.content_type and media is None:
            ctx.add(
                "request body",
                "media type",
                page.content_type,
                _show(media_types) if media_types else "(no body)",
                op_deviations,
            )
        media = media or (media_types[0] if media_types else None)
        extra = [m for m in media_types if m != media]
        if media and extra:
            ctx.add("request body", "media types", media, _show(media_types), op_deviations)
        if media:
            body_ptr = json_pointer(
                "paths", raw_path, op.method.lower(), "requestBody", "content", media, "schema"
            )
            schema = op.request_schema(media)
            _compare_properties(ctx, "request body field", body_fields, schema, raw, body_ptr, [])

    response_fields = page.section("response")
    success = _success_schema(op)
    if response_fields and success is None:
        ctx.add("response", "presence", "documented", "no JSON success response", [])
    elif success is not None and (response_fields or page.response_example):
        status, schema = success
        schema_ptr = json_pointer("paths", raw_path, op.method.lower(), "responses", status)
        node, ptr = raw.deref(raw.node(schema_ptr), schema_ptr)
        media = next(m for m in (node.get("content") or {}) if "json" in m)
        schema_ptr = f"{ptr}/content/{media.replace('/', '~1')}/schema"
        target, target_ptr = raw.deref(raw.node(schema_ptr), schema_ptr)
        schema_deviations = (
            [f"{target_ptr}: {' '.join(str(target['x-deviation']).split())}"]
            if isinstance(target, Mapping) and "x-deviation" in target
            else []
        )
        if response_fields:
            _compare_properties(
                ctx,
                "response field",
                response_fields,
                schema,
                raw,
                schema_ptr,
                [],
                required_deviations=schema_deviations,
            )
        example = page.response_example or {}
        props = schema.get("properties") or {}
        for key in example:
            if key not in props:
                ctx.add(f"response example `{key}`", "presence", "shown", "no such field", [])
        missing = [r for r in schema.get("required") or () if r not in example]
        if example and missing:
            ctx.add(
                "response example",
                "required fields",
                f"leaves out {', '.join(missing)}",
                "required",
                schema_deviations,
            )
    return ctx.findings
