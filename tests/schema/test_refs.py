"""The one `$ref` walker: pointers, chains, siblings, cycles and references to nothing."""

from __future__ import annotations

from typing import Any

import pytest

from videos_contract.schema import RefError, deref, lookup, pointer, resolve, unescape

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B", "description": "A's own words"},
            "B": {"type": "string", "description": "B", "enum": ["x", "y"]},
            "Loop": {"$ref": "#/components/schemas/Loop"},
            "Holder": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "a/b~c": {"type": "integer"},
        }
    }
}


def test_pointer_escapes_and_unescapes() -> None:
    ref = pointer("components", "schemas", "a/b~c")
    assert ref == "#/components/schemas/a~1b~0c"
    assert unescape("a~1b~0c") == "a/b~c"
    assert lookup(DOC, ref) == {"type": "integer"}


def test_lookup_refuses_foreign_and_missing_references() -> None:
    with pytest.raises(RefError, match="only local"):
        lookup(DOC, "other.yaml#/x")
    with pytest.raises(RefError, match="unresolvable"):
        lookup(DOC, "#/components/schemas/Nope")


def test_deref_follows_a_chain_and_siblings_win() -> None:
    node, where = deref(DOC, {"$ref": "#/components/schemas/A"}, "#/start")
    assert where == "#/components/schemas/B"
    assert node["type"] == "string"
    assert node["description"] == "A's own words"


def test_deref_without_a_reference_keeps_the_pointer() -> None:
    node = {"type": "string"}
    assert deref(DOC, node, "#/here") == (node, "#/here")


def test_deref_stops_at_a_cycle_and_reads_nothing_as_an_empty_schema() -> None:
    node, where = deref(DOC, {"$ref": "#/components/schemas/Loop"})
    assert node == {"$ref": "#/components/schemas/Loop"}
    assert where == "#/components/schemas/Loop"
    assert deref(DOC, {"$ref": "#/components/schemas/Nope", "title": "t"})[0] == {"title": "t"}


def test_resolve_replaces_every_reference_and_refuses_cycles() -> None:
    resolved = resolve(DOC, DOC["components"]["schemas"]["Holder"])
    assert resolved == {"properties": {"b": DOC["components"]["schemas"]["B"]}}
    assert resolved["properties"]["b"] is not DOC["components"]["schemas"]["B"]
    with pytest.raises(RefError, match="circular"):
        resolve(DOC, {"$ref": "#/components/schemas/Loop"})
