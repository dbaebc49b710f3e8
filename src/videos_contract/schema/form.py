"""Form fields and query values are text: read them as the types their schemas ask for.

The mock parses requests with this, and the audit uses it to decide whether the bytes a
fuzzer sent really broke the spec, so both read `"12"`, `"true"` and `"null"` the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from videos_contract.schema.facts import type_keyword

__all__ = ["coerce_text"]

_INTEGER = re.compile(r"-?\d{1,30}")
_NUMBER = re.compile(r"-?\d{1,30}(\.\d{1,30})?([eE][-+]?\d{1,4})?")


def coerce_text(value: str, schema: Mapping[str, Any]) -> Any:
    """Turn a form field or query value (always text) into the type its schema asks for.

    Text that does not fit the type stays text, so that the schema reports the type error.
    Only plain decimal numbers count (no `+`, spaces, `_` or `nan`), and `null` only where
    the schema allows null.
    """
    types = type_keyword(schema)
    if not types or "string" in types:
        return value
    if "integer" in types and _INTEGER.fullmatch(value):
        return int(value)
    if "number" in types and _NUMBER.fullmatch(value):
        return float(value)
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    if "null" in types and value == "null":
        return None
    return value
