"""Local `$ref`s and JSON pointers: the one walker every tool of the project uses.

Two ways to follow a reference, because the tools need both: `deref` follows a chain of
`$ref`s at one node and says where it ended (the docs check reports that pointer, the diff
compares a shared component once under its own name); `resolve` replaces every `$ref` in a
tree (the spec's operations and schemas as the mock and the audit use them). In both,
sibling keywords of a `$ref` (allowed in OpenAPI 3.1) override the target's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["RefError", "deref", "lookup", "pointer", "resolve", "unescape"]


class RefError(ValueError):
    """A reference that is not local, does not resolve, or refers to itself."""


def pointer(*parts: str) -> str:
    """The local JSON pointer (`#/a/b~1c`) to the node reached through `parts`."""
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def unescape(part: str) -> str:
    """One token of a JSON pointer as the key it names."""
    return part.replace("~1", "/").replace("~0", "~")


def lookup(doc: Any, ref: str) -> Any:
    """The node that the local reference `ref` points to in `doc`; raises `RefError`."""
    if not ref.startswith("#/"):
        raise RefError(f"only local references are supported: {ref}")
    node: Any = doc
    for part in ref[2:].split("/"):
        try:
            node = node[unescape(part)]
        except (KeyError, TypeError, IndexError) as exc:
            raise RefError(f"unresolvable reference {ref}") from exc
    return node


def deref(doc: Any, node: Any, where: str | None = None) -> tuple[Any, str | None]:
    """Follow the chain of `$ref`s at `node`: the node it ends at, and its pointer.

    `where` is the pointer of `node` itself, returned when it holds no `$ref`. The walk stops
    at a reference that is not local or that comes round again (the node is returned as it
    stands); a local reference to nothing counts as an empty schema.
    """
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = str(node["$ref"])
        if ref in seen or not ref.startswith("#/"):
            break
        seen.add(ref)
        try:
            target = lookup(doc, ref)
        except RefError:
            target = {}
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **siblings} if isinstance(target, Mapping) else target
        where = ref
    return node, where


def resolve(doc: Any, node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """A deep copy of `node` with every `$ref` replaced by its target; raises `RefError`."""
    if isinstance(node, list):
        return [resolve(doc, item, _seen) for item in node]
    if not isinstance(node, Mapping):
        return copy.deepcopy(node)
    if "$ref" in node:
        ref = str(node["$ref"])
        if ref in _seen:
            raise RefError(f"circular reference {ref}")
        target = resolve(doc, lookup(doc, ref), (*_seen, ref))
        siblings = {k: resolve(doc, v, _seen) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings} if isinstance(target, dict) else target
    return {key: resolve(doc, value, _seen) for key, value in node.items()}
