"""The schema core: JSON-Schema facts and `$ref` walking that every layer uses.

Depends only on the standard library: `spec`, the mock, the client, the audit, the docs and
release tools build on it, and it imports none of them. One meaning per rule: a schema's
types, nulls, enum values, references and form-text reading are decided here once.
"""

from videos_contract.schema.ecma import ecma_regex
from videos_contract.schema.facts import (
    declared_types,
    enum_values,
    json_type,
    type_facts,
    type_keyword,
)
from videos_contract.schema.form import coerce_text
from videos_contract.schema.refs import RefError, deref, lookup, pointer, resolve, unescape

__all__ = [
    "RefError",
    "coerce_text",
    "declared_types",
    "deref",
    "ecma_regex",
    "enum_values",
    "json_type",
    "lookup",
    "pointer",
    "resolve",
    "type_facts",
    "type_keyword",
    "unescape",
]
