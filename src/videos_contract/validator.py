"""JSON Schema validation as the spec means it, one implementation for every layer.

The mock (requests), the client (answers), the audit and the proxy (both) and the families'
per-model rules all validate against schemas of `openapi.yaml`. They do it here, so that they
agree on every input:

- `EcmaValidator`: jsonschema's Draft 2020-12 with `pattern` read as ECMA-262, the spec's
  regex dialect (`schema.ecma_regex`: Python's `$` would also match before a final newline,
  its `\\d` non-ASCII digits). Cheap to build; use it for a schema checked once.
- `Compiled`: a schema compiled once, twice over: jsonschema-rs answers "valid?" in about a
  microsecond, jsonschema walks the errors of an invalid instance so that callers can choose
  and word the one they report. Formats are asserted by neither (the Draft 2020-12 default).
  Should the two still disagree on an instance, the refusal stands: an instance either engine
  refuses is refused, in jsonschema's words when it has them, else in jsonschema-rs's.
- `check_schema`: jsonschema's meta-check of a schema (`SchemaError` when it is not valid
  Draft 2020-12), done once per distinct schema that passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from videos_contract.schema import ecma_regex

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

    EcmaValidator: Any

__all__ = ["Compiled", "EcmaValidator", "ValidationError", "by_path", "check_schema"]

# Schemas found valid, by their canonical JSON text (bounded: cleared when full).
_VALID_SCHEMAS: set[str] = set()
_VALID_SCHEMAS_MAX = 1024


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """`pattern` read as ECMA-262, as JSON Schema (and jsonschema-rs) reads it."""
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _ecma_validator() -> Any:
    """Draft 2020-12 with `pattern` in the spec's regex dialect. jsonschema is imported on
    first use: it takes longer to import than a command's `--help` takes to print."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema.validators import extend  # type: ignore[import-untyped]

    return extend(Draft202012Validator, {"pattern": _ecma_pattern})


def __getattr__(name: str) -> Any:
    if name == "EcmaValidator":
        return _ecma_validator()
    if name == "ValidationError":
        from jsonschema.exceptions import ValidationError

        return ValidationError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_schema(schema: Mapping[str, Any]) -> None:
    """Raise jsonschema's `SchemaError` when `schema` is not a valid Draft 2020-12 schema.

    The meta-check is jsonschema's (it also compiles each `pattern`), done once per distinct
    schema: it takes about 70 ms for the create's body, and every mock app, audit and proxy
    built on the same spec asks it again for the same schemas. A schema that is not plain JSON
    is checked every time."""
    from jsonschema import Draft202012Validator

    try:
        key: str | None = json.dumps(schema, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _VALID_SCHEMAS:
        return
    Draft202012Validator.check_schema(schema)
    if key is not None:
        if len(_VALID_SCHEMAS) >= _VALID_SCHEMAS_MAX:
            _VALID_SCHEMAS.clear()
        _VALID_SCHEMAS.add(key)


def _at(instance: Any, path: list[Any]) -> Any:
    for part in path:
        instance = instance[part]
    return instance


def by_path(errors: list[ValidationError]) -> list[ValidationError]:
    """`errors` in a stable order: by the path of the value at fault."""
    return sorted(errors, key=lambda e: [str(p) for p in e.path])


class Compiled:
    """One schema compiled once: a fast validity test and jsonschema for the errors."""

    __slots__ = ("_python", "fast", "schema")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._python: Any = None
        self.fast = jsonschema_rs.Draft202012Validator(
            dict(schema), validate_formats=False, offline=True
        )

    @property
    def python(self) -> Any:
        """jsonschema's validator of the schema, built when first needed (for errors)."""
        if self._python is None:
            self._python = _ecma_validator()(self.schema)
        return self._python

    @python.setter
    def python(self, validator: Any) -> None:
        self._python = validator

    def is_valid(self, instance: Any) -> bool:
        return bool(self.fast.is_valid(instance))

    def fields_at_fault(self, instance: Any) -> set[str]:
        """The first element of the path of each error of `instance` ("" for the instance as a
        whole): which fields the schema refuses, decided and located by jsonschema-rs alone,
        so asking loads no jsonschema (`create --help` asks it for every model's values)."""
        if self.fast.is_valid(instance):
            return set()
        return {
            str(error.instance_path[0]) if error.instance_path else ""
            for error in self.fast.iter_errors(instance)
        }

    def paths_at_fault(self, instance: Any) -> set[str]:
        """The whole path of each error of `instance`, dotted (`parameters.duration`; ""
        for the instance as a whole), decided by jsonschema-rs alone like `fields_at_fault`."""
        if self.fast.is_valid(instance):
            return set()
        return {
            ".".join(str(part) for part in error.instance_path)
            for error in self.fast.iter_errors(instance)
        }

    def iter_errors(self, instance: Any) -> list[ValidationError]:
        """Every error of `instance`; empty when it is valid."""
        if self.fast.is_valid(instance):
            return []
        errors = list(self.python.iter_errors(instance))
        if errors:
            return errors
        from jsonschema.exceptions import ValidationError

        found = next(iter(self.fast.iter_errors(instance)))
        path = list(found.instance_path)
        return [
            ValidationError(
                found.message,
                validator="jsonschema-rs",
                path=path,
                instance=_at(instance, path),
                schema=self.schema,
            )
        ]
