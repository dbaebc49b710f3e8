"""The model families of `POST /v1/videos`, read from `openapi.yaml`.

The spec gives each family its own JSON request schema (a branch of `CreateVideoJsonBody`,
with per-model rules as `if`/`then`) and lists the facts JSON Schema cannot hold in the
operation's `x-video-families` table: the family's name and vendor, its lifecycle (a
deprecation and its sunset date), its response style, which fields carry the length and the
frame size, the pixel frame each size token renders at, and per model the sources that name
it and a retirement date where a source gives one. The sources themselves (pages, the news
page, the adapter's model list, vendors' lifecycle pages) are the operation's `x-sources`
table. Everything else, the models and the values each model takes, is derived here from the
schemas themselves, so the mock, the audit, docs-check, the CLI and the client read one
source.
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

__all__ = ["Families", "Family", "Source", "families"]

CREATE_OPERATION = "createVideo"
TABLE_KEY = "x-video-families"
SOURCES_KEY = "x-sources"
# The download variant every job has (the clip itself).
DEFAULT_VARIANT = "video"


@dataclass(frozen=True)
class Source:
    """One source the contract is kept against (the operation's `x-sources` table)."""

    name: str
    kind: str
    title: str
    url: str
    copy: str | None


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
    # Per model: the sources (names in `x-sources`) that name it, and its retirement date
    # (ISO `YYYY-MM-DD`) where a source gives one.
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    retirements: Mapping[str, str] = field(default_factory=dict)
    # The companion operations its jobs take: remix, and the download variants.
    remix: bool = False
    variants: tuple[str, ...] = (DEFAULT_VARIANT,)

    def retired_on(self, model: str) -> str | None:
        """The date `model` is retired on: its own, else the family's sunset, else None."""
        return self.retirements.get(model) or self.sunset

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
        """The pixel frame a size value renders at: the `frames` table, else `WxH` (or `W*H`)."""
        if size is None:
            return None
        text = self.frames.get(size, size).replace("*", "x")  # `1920*1080`: Wan's spelling
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
        sources = operation.data.get(SOURCES_KEY) or {}
        self.sources: dict[str, Source] = {
            str(name): Source(
                name=str(name),
                kind=str(entry.get("kind", "")),
                title=str(entry.get("title", "")),
                url=str(entry.get("url", "")),
                copy=str(entry["copy"]) if entry.get("copy") else None,
            )
            for name, entry in sources.items()
        }
        found = []
        for name, row in table.items():
            schema = spec.schema(str(row["schema"]))
            model = schema.get("properties", {}).get("model", {})
            listed = row.get("models") or {}
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
                    sources={
                        str(m): tuple(str(s) for s in (entry or {}).get("sources", ()))
                        for m, entry in listed.items()
                    },
                    retirements={
                        str(m): str(entry["retired"])
                        for m, entry in listed.items()
                        if (entry or {}).get("retired")
                    },
                    remix=bool(row.get("remix", False)),
                    variants=tuple(str(v) for v in row.get("variants", (DEFAULT_VARIANT,))),
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

    def retired_on(self, model: str) -> str | None:
        """The retirement date of a listed model (its own or its family's sunset), or None."""
        if not self.known(model):
            return None
        return self.for_model(model).retired_on(model)

    def retired(self, model: str, today: str) -> bool:
        """Whether `model` is past its retirement date on `today` (ISO dates compare as text)."""
        date = self.retired_on(model)
        return date is not None and date <= today

    def named_by(self, source: str) -> tuple[str, ...]:
        """The models whose entry names `source` (a name of `x-sources`)."""
        return tuple(
            model
            for family in self.all
            for model in family.models
            if source in family.sources.get(model, ())
        )

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
