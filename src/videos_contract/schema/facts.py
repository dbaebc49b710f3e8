"""What a JSON Schema says about types, nulls and allowed values, read one way everywhere.

An enum (or const) without a `type` has the types of its values, so `enum: [4, 8]` is an
integer schema. A null member of an enum is a nullability fact, not a value: `enum_values`
leaves it out and `type_facts` reports it as `nullable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["declared_types", "enum_values", "json_type", "type_facts", "type_keyword"]


def json_type(value: Any) -> str:
    """The JSON Schema type name of a decoded JSON (or YAML) value.

    Anything else a YAML loader may produce (a date, say) is written as text in JSON, so it
    counts as a string.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def enum_values(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values a schema allows by `const` or `enum`, null left out; None when unrestricted."""
    if "const" in schema:
        return [] if schema["const"] is None else [schema["const"]]
    values = schema.get("enum")
    return [v for v in values if v is not None] if isinstance(values, list) else None


def type_keyword(schema: Mapping[str, Any]) -> list[str]:
    """The schema's own `type` keyword as a list, in the order written; empty when absent."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return [str(k) for k in kind] if isinstance(kind, list) else []


def declared_types(schema: Mapping[str, Any]) -> frozenset[str]:
    """The types the schema's own `type` names ("null" included), or those of its enum values.

    Empty when the schema states no type at this level (it may still have variants).
    """
    if "type" in schema:
        return frozenset(type_keyword(schema))
    return frozenset(json_type(v) for v in enum_values(schema) or ())


def type_facts(schema: Mapping[str, Any]) -> tuple[frozenset[str], bool]:
    """(non-null types, nullable) of a resolved schema, through `oneOf`/`anyOf` variants."""
    kinds = set(declared_types(schema))
    nullable = "null" in kinds or (isinstance(schema.get("enum"), list) and None in schema["enum"])
    kinds.discard("null")
    for key in ("oneOf", "anyOf"):
        for member in schema.get(key) or ():
            if isinstance(member, Mapping):
                sub, sub_null = type_facts(member)
                kinds |= sub
                nullable = nullable or sub_null
    return frozenset(kinds), nullable
