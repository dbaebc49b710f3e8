"""The rules' catalogue: every rule id a diff reports, and the schema keywords the rules
handle (a keyword no rule handles is `unclassified`, breaking)."""

from __future__ import annotations

__all__ = ["CONSTRAINTS", "LOWER", "RULE_IDS", "SCHEMA_KEYS", "UPPER", "is_doc_key"]


# Keywords that never change the interface: they describe it.
_DOC_KEYS = frozenset(
    {"description", "summary", "title", "example", "examples", "$comment", "externalDocs", "xml"}
)


# Lower bounds: raising one narrows. Upper bounds: lowering one narrows.
LOWER = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")


UPPER = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")


# Keywords that add a constraint when present and drop it when absent.
CONSTRAINTS = ("pattern", "multipleOf", "contentMediaType", "contentEncoding")


# Schema keywords the rules below handle; anything else that changes is "unclassified".
SCHEMA_KEYS = frozenset(
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
        *LOWER,
        *UPPER,
        *CONSTRAINTS,
        "uniqueItems",
    }
)


# Every rule id `diff` reports (`Change.rule`); docs/regeneration.md describes each one.
RULE_IDS = frozenset(
    {
        "documentation",
        "unclassified",
        *(f"{key}-{way}" for key in (*LOWER, *UPPER) for way in ("narrowed", "widened")),
        *(f"{key}-{way}" for key in CONSTRAINTS for way in ("added", "removed", "changed")),
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


def is_doc_key(key: str) -> bool:
    return key in _DOC_KEYS or key.startswith("x-")
