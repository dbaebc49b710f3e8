"""Read `openapi.yaml`: the one place the API's enums, limits and defaults are written.

Everything that needs a constant of the API (the mock's validation, the audit's expectations,
the docs tools) asks this module instead of retyping it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from videos_contract.paths import SPEC_PATH
from videos_contract.schema import refs

__all__ = ["HTTP_METHODS", "Operation", "Spec", "SpecError", "load_spec"]

_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """The spec lacks something the caller relies on, or cannot be read."""


@dataclass(frozen=True)
class Operation:
    """One operation of the spec with its `$ref`s resolved."""

    operation_id: str
    method: str
    path: str
    data: Mapping[str, Any]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Path-level and operation-level parameters, resolved."""
        return list(self.data.get("parameters", []))

    def parameter(self, name: str) -> dict[str, Any]:
        for param in self.parameters:
            if param["name"] == name:
                return param
        raise SpecError(f"{self.operation_id} has no parameter {name!r}")

    @property
    def request_media_types(self) -> dict[str, dict[str, Any]]:
        body = self.data.get("requestBody") or {}
        return dict(body.get("content", {}))

    def request_schema(self, media_type: str) -> dict[str, Any]:
        try:
            schema: dict[str, Any] = self.request_media_types[media_type]["schema"]
        except KeyError as exc:
            raise SpecError(f"{self.operation_id} takes no {media_type} body") from exc
        return schema

    @property
    def responses(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("responses", {}))

    @property
    def billed(self) -> bool:
        """Whether an accepted call starts a billed job (`x-billed`)."""
        return bool(self.data.get("x-billed", False))


class Spec:
    """A loaded spec, with helpers that resolve local `$ref`s."""

    def __init__(self, raw: Mapping[str, Any], path: Path | None = None) -> None:
        self.raw: dict[str, Any] = dict(raw)
        self.path = path

    @classmethod
    def from_file(cls, path: Path) -> Spec:
        try:
            # libyaml's safe loader where PyYAML has it: the same documents, ten times faster,
            # and every command reads the spec as it starts.
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except (OSError, yaml.YAMLError) as exc:
            raise SpecError(f"cannot read spec {path}: {exc}") from exc
        if not isinstance(raw, dict) or "paths" not in raw:
            raise SpecError(f"{path} is not an OpenAPI document")
        return cls(raw, path)

    def lookup(self, ref: str) -> Any:
        try:
            return refs.lookup(self.raw, ref)
        except refs.RefError as exc:
            raise SpecError(str(exc)) from exc

    def resolve(self, node: Any) -> Any:
        """A deep copy of `node` with every `$ref` replaced by its target.

        Sibling keywords of a `$ref` (allowed in OpenAPI 3.1) override the target's.
        """
        try:
            return refs.resolve(self.raw, node)
        except refs.RefError as exc:
            raise SpecError(str(exc)) from exc

    def schema(self, name: str) -> dict[str, Any]:
        """A component schema, fully resolved."""
        try:
            raw = self.raw["components"]["schemas"][name]
        except KeyError as exc:
            raise SpecError(f"no component schema {name!r}") from exc
        resolved: dict[str, Any] = self.resolve(raw)
        return resolved

    def enum(self, name: str) -> tuple[str, ...]:
        """The allowed values of an enum component schema, in spec order."""
        values = self.schema(name).get("enum")
        if not values:
            raise SpecError(f"schema {name!r} is not an enum")
        return tuple(str(v) for v in values)

    def default(self, name: str) -> Any:
        schema = self.schema(name)
        if "default" not in schema:
            raise SpecError(f"schema {name!r} has no default")
        return schema["default"]

    def operations(self) -> Iterator[Operation]:
        for path, item in self.raw.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    yield self._operation(path, item, method)

    def _operation(self, path: str, item: dict[str, Any], method: str) -> Operation:
        """The operation under `method` of the path item, resolved (a fresh copy)."""
        data = self.resolve(item[method])
        data["parameters"] = self.resolve(item.get("parameters", [])) + data.get("parameters", [])
        return Operation(data["operationId"], method.upper(), path, data)

    def operation(self, operation_id: str) -> Operation:
        # Found in the raw document first: only the operation asked for is resolved.
        for path, item in self.raw.get("paths", {}).items():
            for method in HTTP_METHODS:
                raw = item.get(method)
                if isinstance(raw, dict) and raw.get("operationId") == operation_id:
                    return self._operation(path, item, method)
        raise SpecError(f"no operation {operation_id!r}")

    def methods_for(self, path: str) -> tuple[str, ...]:
        """The HTTP methods the spec lists on a path (for `Allow` headers)."""
        item = self.raw.get("paths", {}).get(path, {})
        return tuple(m.upper() for m in HTTP_METHODS if m in item)


@lru_cache(maxsize=8)
def _load(path: Path) -> Spec:
    return Spec.from_file(path)


def load_spec(path: Path | None = None) -> Spec:
    """The spec at `path` (default: the project's `openapi.yaml`), cached per path."""
    return _load((path or SPEC_PATH).resolve())
