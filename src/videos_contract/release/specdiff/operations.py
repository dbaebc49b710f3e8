"""The rules for everything around schemas: operations and their parameters, bodies,
responses, headers, callbacks and security; webhooks; the components' models and security
schemes; the families' lifecycle table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from videos_contract.release.specdiff.changes import Direction, Level, brief, listed, show
from videos_contract.release.specdiff.normal import param_key, path_operations, security_of
from videos_contract.release.specdiff.schemas import Differ

__all__ = ["diff_calls", "diff_components", "diff_operation"]


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


def _diff_families(d: Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
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


def diff_operation(
    d: Differ,
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
            f"operationId {show(old.get('operationId'))} -> {show(new.get('operationId'))}"
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
        _diff_security(d, where, security_of(d.old, old), security_of(d.new, new))
    _diff_parameters(d, where, old, new, sides)
    _diff_request_body(d, where, old, new, sides)
    _diff_responses(d, where, old, new, sides)
    _diff_callbacks(d, where, old.get("callbacks") or {}, new.get("callbacks") or {})


def diff_calls(
    d: Differ,
    kind: str,
    prefix: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> None:
    """Webhooks or one callback: path items whose requests the server sends to the client."""
    old_items = {k: d.deref(d.old, v)[0] for k, v in old.items()}
    new_items = {k: d.deref(d.new, v)[0] for k, v in new.items()}
    old_ops = path_operations(old_items, shapes=False)
    new_ops = path_operations(new_items, shapes=False)
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
            diff_operation(d, at, op, new_ops[key][1], _SERVER_CALLS)
    for key, (name, _) in new_ops.items():
        if key not in old_ops:
            at = f"{prefix}{name} {key[0]}"
            d.add(Level.ADDITIVE, f"{kind}-added", at, f"new {kind}: the server may call it")


def _diff_callbacks(d: Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    for name in sorted(set(old) | set(new)):
        a = d.deref(d.old, old.get(name))[0] if name in old else None
        b = d.deref(d.new, new.get(name))[0] if name in new else None
        at = f"{where} callback {name}"
        if b is None:
            d.add(Level.BREAKING, "callback-removed", at, "callback removed")
        elif a is None:
            d.add(Level.ADDITIVE, "callback-added", at, "new callback: the server may call it")
        elif isinstance(a, Mapping) and isinstance(b, Mapping):
            diff_calls(d, "callback", f"{at} ", a, b)


def _requirements(raw: list[Any]) -> dict[frozenset[str], dict[str, frozenset[str]]]:
    """Security requirements (alternatives) keyed by their schemes, each with its scopes."""
    out: dict[frozenset[str], dict[str, frozenset[str]]] = {}
    for req in raw:
        if isinstance(req, Mapping):
            out[frozenset(req)] = {k: frozenset(v or ()) for k, v in req.items()}
    return out


def _diff_security(d: Differ, where: str, a: list[Any], b: list[Any]) -> None:
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
                text = f"scheme {scheme} now needs scope(s) {listed(sorted(more))}"
                d.add(Level.BREAKING, "security-scope-added", where, text)
            if fewer:
                text = f"scheme {scheme} no longer needs scope(s) {listed(sorted(fewer))}"
                d.add(Level.ADDITIVE, "security-scope-removed", where, text)
    for schemes in new:
        if schemes not in old:
            names = " + ".join(sorted(schemes))
            text = f"new security alternative {names}"
            d.add(Level.ADDITIVE, "security-requirement-added", where, text)


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
    d: Differ,
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
                out[param_key(param)] = dict(param)
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
                text = f"{word} {brief(param.get(word), now.get(word))} (sent differently)"
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
    d: Differ,
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
    d: Differ,
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


def _diff_encoding(d: Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """How the parts of a multipart or form body are written."""
    for part in sorted(set(old) | set(new)):
        a, b = old.get(part) or {}, new.get(part) or {}
        at = f"{where} part `{part}`"
        d.docs(at, a, b)
        for key in ("contentType", "style", "explode", "allowReserved"):
            if a.get(key) != b.get(key):
                text = f"encoding {key} {brief(a.get(key), b.get(key))} (sent differently)"
                d.add(Level.BREAKING, "encoding-changed", at, text)
        if a.get("headers") != b.get("headers"):
            _diff_headers(d, at, a.get("headers") or {}, b.get("headers") or {})
        d.unclassified(
            at, a, b, frozenset({"contentType", "style", "explode", "allowReserved", "headers"})
        )


def _diff_responses(
    d: Differ,
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


def _diff_headers(d: Differ, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
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


def _diff_scheme(d: Differ, at: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> None:
    d.docs(at, a, b)
    d.unclassified(at, a, b, frozenset({*_SCHEME_WIRE, "bearerFormat", "flows"}))
    wire = [f"{k} {brief(a.get(k), b.get(k))}" for k in _SCHEME_WIRE if a.get(k) != b.get(k)]
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
            text = f"new scope(s) {listed(sorted(new_scopes - old_scopes))}"
            d.add(Level.ADDITIVE, "security-scope-offered", here, text)
        if old_scopes - new_scopes:
            text = f"scope(s) {listed(sorted(old_scopes - new_scopes))} withdrawn"
            d.add(Level.BREAKING, "security-scope-withdrawn", here, text)


def diff_components(d: Differ) -> None:
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
