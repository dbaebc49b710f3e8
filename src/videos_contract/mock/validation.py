"""Request validation read from openapi.yaml: schemas, enums, limits and defaults.

Nothing of the API is retyped here. Each body and parameter schema is taken from the spec at
start-up and checked with JSON Schema (Draft 2020-12); the first violation becomes an
OpenAI-style 400 whose `param` names the field at fault.

Each schema is compiled once (`videos_contract.validator.Compiled`, shared with the client,
the audit and the proxy): jsonschema-rs answers "valid?", jsonschema walks every error of an
invalid body so that the one reported is chosen as before; both read `pattern` as ECMA-262.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from videos_contract.mock.errors import ApiError
from videos_contract.schema import coerce_text, json_type, type_keyword
from videos_contract.spec import Operation
from videos_contract.validator import Compiled, ValidationError, check_schema

__all__ = [
    "BodyRules",
    "ParameterRules",
    "coerce_text",
    "json_type",
]

_SHOWN_CHARS = 60


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _param(path: Iterable[Any]) -> str | None:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def _accepts(branch: Mapping[str, Any], type_name: str) -> bool:
    types = type_keyword(branch)
    return not types or type_name in types or (type_name == "integer" and "number" in types)


def _describe(branch: Mapping[str, Any]) -> str:
    if branch.get("format") == "binary":
        return "an uploaded file"
    if "object" in type_keyword(branch) and branch.get("properties"):
        return "an object with " + _one_of_names(branch)
    types = type_keyword(branch)
    return _article(types[0]) if types else "a value"


def _one_of_names(schema: Mapping[str, Any]) -> str:
    names = list(schema.get("properties", {}))
    if schema.get("minProperties") == 1 and schema.get("maxProperties") == 1:
        return "exactly one of " + ", ".join(names)
    return "the fields " + ", ".join(names)


def _leaf(error: ValidationError) -> ValidationError:
    """Descend through `oneOf`/`anyOf` into the branch meant for the value's type."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        kind = json_type(error.instance)
        branches = list(error.validator_value)
        meant = [i for i, branch in enumerate(branches) if _accepts(branch, kind)]
        if len(meant) != 1:
            break
        inner = [e for e in error.context if e.relative_schema_path[0] == meant[0]]
        if not inner:
            break
        error = min(inner, key=lambda e: len(e.path))
    return error


def _to_api_error(error: ValidationError, where: str) -> ApiError:
    error = _leaf(error)
    path = list(error.absolute_path)
    param = _param(path)
    name = param or where
    rule = error.validator
    value = error.instance
    bad = ApiError(
        400, f"Invalid '{name}': {error.message[:200]}", param=param, code="invalid_value"
    )
    if rule == "required":
        missing = [n for n in error.validator_value if n not in value]
        param = _param([*path, missing[0]])
        return ApiError(
            400,
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    if rule == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extras = sorted(k for k in value if k not in known)
        param = _param([*path, extras[0]])
        return ApiError(
            400,
            f"Unrecognized request argument supplied: {param}",
            param=param,
            code="unknown_parameter",
        )
    if rule in ("enum", "const"):
        allowed = error.validator_value if rule == "enum" else [error.validator_value]
        return ApiError(
            400,
            f"Invalid '{name}': '{_show(value)}'. Expected one of "
            + ", ".join(str(v) for v in allowed)
            + ".",
            param=param,
            code="invalid_value",
        )
    if rule == "type":
        expected = error.validator_value
        wanted = expected if isinstance(expected, str) else " or ".join(expected)
        if param is None:
            return ApiError(
                400,
                f"The {where} must be {_article(wanted)}, but got {_article(json_type(value))}.",
                code="invalid_type",
            )
        return ApiError(
            400,
            f"Invalid type for '{name}': expected {_article(wanted)}, "
            f"but got {_article(json_type(value))} instead.",
            param=param,
            code="invalid_type",
        )
    if rule in ("minLength", "maxLength"):
        below = rule == "minLength"
        return ApiError(
            400,
            f"Invalid '{name}': string too {'short' if below else 'long'}. Expected a string "
            f"with {'minimum' if below else 'maximum'} length {error.validator_value}, "
            f"but got a string with length {len(value)} instead.",
            param=param,
            code="string_below_min_length" if below else "string_above_max_length",
        )
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        below = rule.endswith("inimum")
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">"}.get(rule, "<")
        kind = json_type(value)
        return ApiError(
            400,
            f"Invalid '{name}': {kind} {'below minimum' if below else 'above maximum'} value. "
            f"Expected a value {sign} {error.validator_value}, but got {_show(value)} instead.",
            param=param,
            code=f"{kind}_{'below_min' if below else 'above_max'}_value",
        )
    if rule in ("minProperties", "maxProperties"):
        return ApiError(
            400,
            f"Invalid '{name}': expected an object with {_one_of_names(error.schema)}.",
            param=param,
            code="invalid_value",
        )
    if rule == "pattern":
        # The field's description says in words what the pattern allows.
        meaning = " ".join(str(error.schema.get("description", "")).split())
        return ApiError(
            400,
            f"Invalid '{name}': '{_show(value)}' does not match the pattern "
            f"{error.validator_value}." + (f" {meaning[:300]}" if meaning else ""),
            param=param,
            code="invalid_value",
        )
    if rule in ("oneOf", "anyOf"):
        forms = " or ".join(_describe(branch) for branch in error.validator_value)
        return ApiError(
            400,
            f"Invalid '{name}': expected {forms}, but got {_article(json_type(value))}.",
            param=param,
            code="invalid_value",
        )
    return bad


def _first_error(
    validator: Compiled, instance: Any, order: Mapping[str, int]
) -> ValidationError | None:
    """The error to report: whole-object problems first, then fields in spec order."""

    def rank(error: ValidationError) -> tuple[int, int, str]:
        path = list(error.path)
        if not path:
            return (0, 0, error.validator)
        return (1, order.get(str(path[0]), len(order)), error.validator)

    errors = list(validator.iter_errors(instance))
    return min(errors, key=rank) if errors else None


@dataclass(frozen=True)
class BodyRules:
    """The schema of one request body media type, ready to check decoded bodies."""

    schema: dict[str, Any]
    validator: Compiled
    where: str

    branches: tuple[BodyRules, ...] = ()
    # Cross-field rules (`if`/`then`/`else`, `allOf`) taken from another schema of the same
    # fields: the multipart form holds the JSON form's per-model rules this way.
    conditions: Compiled | None = None

    _CONDITION_KEYWORDS = ("if", "then", "else", "allOf")

    def with_conditions(self, schema: Mapping[str, Any]) -> BodyRules:
        """These rules plus the cross-field rules of `schema`."""
        kept = {k: v for k, v in schema.items() if k in self._CONDITION_KEYWORDS}
        if not kept:
            return self
        check_schema(kept)
        return BodyRules(self.schema, self.validator, self.where, self.branches, Compiled(kept))

    @classmethod
    def for_operation(cls, operation: Operation, media_type: str) -> BodyRules:
        schema = operation.request_schema(media_type)
        check_schema(schema)
        branches = tuple(
            cls(branch, Compiled(branch), "request body")
            for branch in schema.get("oneOf", ())
            if "object" in type_keyword(branch)
        )
        return cls(schema, Compiled(schema), "request body", branches)

    def branch_for(self, instance: Any) -> BodyRules:
        """The branch of a body that is a `oneOf` of objects, chosen by its `model`.

        Each branch lists its models in an enum; a model no branch lists takes the branch
        without an enum (the one for models the contract does not know). A body without
        `model` takes a branch where `model` is optional, if the spec has one.
        """
        if not self.branches:
            return self
        # Not an object at all: the default branch says what the body should have been.
        if not isinstance(instance, dict):
            return next(
                (b for b in self.branches if "model" not in b.schema.get("required", ())),
                self.branches[0],
            )
        model = instance.get("model")
        for branch in self.branches:
            prop = branch.properties.get("model", {})
            if model is None and "model" not in branch.schema.get("required", ()):
                return branch
            if isinstance(model, str) and model in prop.get("enum", ()):
                return branch
        for branch in self.branches:
            if model is not None and "enum" not in branch.properties.get("model", {}):
                return branch
        return self

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        """The body's properties (the spec's own mapping: read it, never change it)."""
        properties: dict[str, dict[str, Any]] = self.schema.get("properties", {})
        return properties

    @functools.cached_property
    def _order(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.properties)}

    @functools.cached_property
    def _defaults(self) -> tuple[tuple[str, Any], ...]:
        return tuple(
            (name, prop["default"]) for name, prop in self.properties.items() if "default" in prop
        )

    @functools.cached_property
    def _file_fields(self) -> frozenset[str]:
        names = set()
        for name, prop in self.properties.items():
            branches = [prop, *prop.get("oneOf", []), *prop.get("anyOf", [])]
            if any(branch.get("format") == "binary" for branch in branches):
                names.add(name)
        return frozenset(names)

    def file_fields(self) -> frozenset[str]:
        """Fields whose schema (or one of whose branches) is an uploaded file."""
        return self._file_fields

    def object_form(self, name: str) -> dict[str, Any] | None:
        """The object schema a field accepts (itself or its object branch), if any."""
        prop = self.properties.get(name, {})
        for branch in [prop, *prop.get("oneOf", []), *prop.get("anyOf", [])]:
            if "object" in type_keyword(branch):
                return dict(branch)
        return None

    def check(self, instance: Any) -> dict[str, Any]:
        """The body with defaults filled in; raises `ApiError` (400) at the first violation."""
        branch = self.branch_for(instance)
        if branch is not self:
            return branch.check(instance)
        order = self._order
        error = _first_error(self.validator, instance, order)
        if error is None and self.conditions is not None:
            error = _first_error(self.conditions, instance, order)
        if error is not None:
            raise _to_api_error(error, self.where)
        body = dict(instance)
        for name, default in self._defaults:
            if name not in body:
                body[name] = copy.deepcopy(default)
        return body


@dataclass(frozen=True)
class ParameterRules:
    """The query and header parameters of one operation, checked as one object."""

    query: dict[str, dict[str, Any]]
    headers: dict[str, dict[str, Any]]
    required: tuple[str, ...]
    compiled: dict[str, Compiled] = field(default_factory=dict)

    @classmethod
    def for_operation(cls, operation: Operation) -> ParameterRules:
        query: dict[str, dict[str, Any]] = {}
        headers: dict[str, dict[str, Any]] = {}
        required: list[str] = []
        for param in operation.parameters:
            where = param.get("in")
            schema = dict(param.get("schema", {}))
            check_schema(schema)
            if where == "query":
                query[param["name"]] = schema
            elif where == "header":
                headers[param["name"]] = schema
            else:
                continue
            if param.get("required"):
                required.append(param["name"])
        compiled = {name: Compiled(schema) for name, schema in {**headers, **query}.items()}
        return cls(query, headers, tuple(required), compiled)

    def _validator(self, name: str) -> Compiled:
        return self.compiled[name]

    def check(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> dict[str, Any]:
        """Typed parameter values (defaults filled in); raises `ApiError` (400)."""
        values: dict[str, Any] = {}
        for name, schema in self.query.items():
            given = query.get(name)
            if given:
                if len(given) > 1:
                    raise ApiError(
                        400,
                        f"Invalid '{name}': given {len(given)} times, expected once.",
                        param=name,
                        code="invalid_value",
                    )
                values[name] = coerce_text(given[0], schema)
        for name, schema in self.headers.items():
            header = headers.get(name.lower())
            if header is not None:
                values[name] = coerce_text(header, schema)
        for name in self.required:
            if name not in values:
                raise ApiError(
                    400,
                    f"Missing required parameter: '{name}'.",
                    param=name,
                    code="missing_required_parameter",
                )
        for name, value in values.items():
            error = _first_error(self._validator(name), value, {})
            if error is not None:
                error.path.appendleft(name)
                raise _to_api_error(error, name)
        for name, schema in self.query.items():
            if name not in values and "default" in schema:
                values[name] = copy.deepcopy(schema["default"])
        return values
