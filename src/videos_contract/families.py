"""The model families of `POST /v1/videos`, read from `openapi.yaml`.

The spec gives each family its own JSON request schema (a branch of `CreateVideoJsonBody`,
with per-model rules as `if`/`then`) and lists the facts JSON Schema cannot hold in the
operation's `x-video-families` table: the family's name and vendor, its lifecycle (a
deprecation and its sunset date), its response style, which fields carry the length and the
frame size, and the pixel frame each size token renders at. Everything else, the models and
the values each model takes, is derived here from the schemas themselves, so the mock, the
audit, docs-check, the CLI and the client read one source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from videos_contract.schema import type_keyword
from videos_contract.spec import Spec, SpecError, load_spec

if TYPE_CHECKING:  # jsonschema is loaded when a family's body is validated, not for --help
    from videos_contract.validator import Compiled

__all__ = ["Families", "Family", "families"]

CREATE_OPERATION = "createVideo"
TABLE_KEY = "x-video-families"
# A probe body needs a prompt; its text is irrelevant to every rule.
_PROBE_PROMPT = "probe"


@dataclass(frozen=True, eq=False)
class Family:
    """One model family: its table row and its request schema (resolved)."""

    name: str
    title: str
    vendor: str
    schema_name: str
    schema: Mapping[str, Any] = field(repr=False)
    models: tuple[str, ...]
    default: bool
    deprecated: bool
    sunset: str | None
    response: str
    seconds_field: str
    size_field: str
    frames: Mapping[str, str]
    fields: tuple[str, ...]
    page: str

    @property
    def catch_all(self) -> bool:
        """Whether this family takes models the contract does not list (no model enum)."""
        return not self.models

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        return dict(self.schema.get("properties", {}))

    def field_default(self, name: str) -> Any:
        """The schema default of a request field, or None."""
        return self.properties.get(name, {}).get("default")

    def candidates(self, name: str) -> tuple[Any, ...]:
        """Every value the field's schema lists (the string form first when it has two)."""
        prop = self.properties.get(name, {})
        out: list[Any] = []
        for branch in [prop, *prop.get("oneOf", [])]:
            if "enum" in branch:
                out.extend(v for v in branch["enum"] if v not in out)
            elif "integer" in type_keyword(branch) and "maximum" in branch:
                low = int(branch.get("minimum", 0))
                out.extend(v for v in range(low, int(branch["maximum"]) + 1) if v not in out)
        strings = [v for v in out if isinstance(v, str)]
        numbers = [v for v in out if not isinstance(v, str) and str(v) not in strings]
        return (*strings, *numbers)

    def validator(self) -> Compiled:
        return _validator(self)

    def refusals(self, body: Mapping[str, Any]) -> list[str]:
        """The fields (first path element) the family's schema refuses in `body`."""
        return sorted(self.validator().fields_at_fault(dict(body)))

    def allowed(self, model: str, name: str, **others: Any) -> tuple[Any, ...]:
        """The values of field `name` that `model` takes (given the other fields `others`)."""
        base = {"prompt": _PROBE_PROMPT, "model": model, **others}
        out = []
        validator = self.validator()
        for value in self.candidates(name):
            if name not in validator.fields_at_fault({**base, name: value}):
                out.append(value)
        return tuple(out)

    def requires(self, model: str) -> tuple[str, ...]:
        """Fields a body of `model` must carry besides `prompt` and `model` (an i2v image)."""
        errors = self.validator().iter_errors({"prompt": _PROBE_PROMPT, "model": model})
        names = [
            str(name)
            for error in errors
            if error.validator == "required"
            for name in error.validator_value
            if name not in ("prompt", "model")
        ]
        return tuple(dict.fromkeys(names))

    def frame(self, size: str | None) -> tuple[int, int] | None:
        """The pixel frame a size value renders at: the `frames` table, else `WxH` itself."""
        if size is None:
            return None
        text = self.frames.get(size, size)
        width, sep, height = text.partition("x")
        if not sep or not width.isdigit() or not height.isdigit():
            return None
        return int(width), int(height)


class Families:
    """Every family of the spec, in the table's order."""

    def __init__(self, spec: Spec) -> None:
        operation = spec.operation(CREATE_OPERATION)
        table = operation.data.get(TABLE_KEY)
        if not isinstance(table, dict) or not table:
            raise SpecError(f"{CREATE_OPERATION} has no {TABLE_KEY} table")
        found = []
        for name, row in table.items():
            schema = spec.schema(str(row["schema"]))
            model = schema.get("properties", {}).get("model", {})
            found.append(
                Family(
                    name=str(name),
                    title=str(row["title"]),
                    vendor=str(row.get("vendor", "")),
                    schema_name=str(row["schema"]),
                    schema=schema,
                    models=tuple(str(m) for m in model.get("enum", ())),
                    default=bool(row.get("default", False)),
                    deprecated=bool(row.get("deprecated", False)),
                    sunset=str(row["sunset"]) if row.get("sunset") else None,
                    response=str(row["response"]),
                    seconds_field=str(row["seconds"]),
                    size_field=str(row["size"]),
                    frames={str(k): str(v) for k, v in (row.get("frames") or {}).items()},
                    fields=tuple(str(f) for f in row.get("fields", ())),
                    page=str(row.get("page", "")),
                )
            )
        self.all: tuple[Family, ...] = tuple(found)

    def __iter__(self) -> Iterator[Family]:
        return iter(self.all)

    def named(self, name: str) -> Family:
        for family in self.all:
            if family.name == name:
                return family
        raise SpecError(f"no model family {name!r}")

    @property
    def models(self) -> tuple[str, ...]:
        """Every model the spec lists, family by family."""
        return tuple(m for family in self.all for m in family.models)

    @property
    def catch_all(self) -> Family:
        for family in self.all:
            if family.catch_all:
                return family
        raise SpecError("no family takes unlisted models")

    @property
    def default_family(self) -> Family:
        for family in self.all:
            if family.default:
                return family
        raise SpecError("no default family")

    def for_model(self, model: str | None) -> Family:
        """The family of `model` (None: the default family; unlisted: the catch-all)."""
        if model is None:
            return self.default_family
        for family in self.all:
            if model in family.models:
                return family
        return self.catch_all

    def known(self, model: str) -> bool:
        return model in self.models

    def representatives(self) -> tuple[str, ...]:
        """One model per family that lists models: the first of each."""
        return tuple(family.models[0] for family in self.all if family.models)


@lru_cache(maxsize=32)
def _validator(family: Family) -> Compiled:
    from videos_contract.validator import Compiled

    return Compiled(dict(family.schema))


def families(spec: Spec | None = None) -> Families:
    """The families of `spec` (default: the project's spec)."""
    return _families(spec or load_spec())


@lru_cache(maxsize=8)
def _families(spec: Spec) -> Families:
    return Families(spec)
