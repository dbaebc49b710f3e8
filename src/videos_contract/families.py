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
    # Where the prompt, the aspect ratio and the reference image go, as dotted paths (the
    # DashScope body nests them in `input` and `parameters`), and the body's shape.
    prompt_field: str = "prompt"
    ratio_fields: tuple[str, ...] = ("ratio",)
    reference_field: str = "input_reference"
    body: str = "openai"

    @property
    def ratio_field(self) -> str:
        """The field the family's clients send the aspect ratio in (the first of its names)."""
        return self.ratio_fields[0]

    @property
    def nested(self) -> bool:
        """Whether the prompt is not at the top level (the DashScope body)."""
        return "." in self.prompt_field

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

    def field_schema(self, name: str) -> dict[str, Any]:
        """The schema of a request field, `name` a dotted path (`parameters.duration`)."""
        schema: Mapping[str, Any] = self.schema
        for part in name.split("."):
            schema = schema.get("properties", {}).get(part, {})
        return dict(schema)

    def field_default(self, name: str) -> Any:
        """The schema default of a request field (a dotted path), or None."""
        return self.field_schema(name).get("default")

    def has_field(self, name: str) -> bool:
        """Whether the family's schema names the field (a dotted path)."""
        return bool(self.field_schema(name))

    @staticmethod
    def get(body: Mapping[str, Any], name: str) -> Any:
        """The value at a dotted path of a body, or None."""
        value: Any = body
        for part in name.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value

    @staticmethod
    def put(body: Mapping[str, Any], name: str, value: Any) -> dict[str, Any]:
        """A copy of `body` with `value` at the dotted path `name` (objects made on the way)."""
        head, _, rest = name.partition(".")
        out = dict(body)
        if not rest:
            out[head] = value
            return out
        inner = out.get(head)
        out[head] = Family.put(inner if isinstance(inner, Mapping) else {}, rest, value)
        return out

    def body_of(
        self, model: str, prompt: str, fields: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """A create body of this family's shape: each of `fields` (dotted paths) in place."""
        body = self.put({"model": model}, self.prompt_field, prompt)
        for name, value in (fields or {}).items():
            body = self.put(body, name, value)
        return body

    def path_of(self, name: str) -> str:
        """The dotted path of a field named by its path or by its own name (`duration` is
        `parameters.duration` in the DashScope body); unknown names are kept as given."""
        if "." in name or name in self.properties:
            return name
        for outer, prop in self.properties.items():
            if name in prop.get("properties", {}):
                return f"{outer}.{name}"
        return name

    def reference_value(self, url: str) -> Any:
        """A reference image URL in the form the family's reference field takes: the URL
        itself, or (DashScope's `input.media`) a one-item list of the first frame."""
        schema = self.field_schema(self.reference_field)
        if "array" not in type_keyword(schema):
            return url
        kinds = schema.get("items", {}).get("properties", {}).get("type", {}).get("enum", [])
        return [{"type": kinds[0], "url": url}] if kinds else [url]

    def refused_paths(self, body: Mapping[str, Any]) -> list[str]:
        """The dotted paths the family's schema refuses in `body` ("" for the whole body); a
        member the schema does not name is reported at its own path (`parameters.size`)."""
        out = set()
        for path in self.validator().paths_at_fault(dict(body)):
            value = self.get(body, path) if path else body
            schema = self.field_schema(path) if path else dict(self.schema)
            known = schema.get("properties")
            if isinstance(value, Mapping) and isinstance(known, Mapping):
                extras = [f"{path}.{k}" if path else str(k) for k in value if k not in known]
                if extras:
                    out.update(extras)
                    continue
            out.add(path)
        return sorted(out)

    def shaped(self, flat: Mapping[str, Any]) -> dict[str, Any]:
        """A body of this family's shape from `flat`, whose keys are top-level names, dotted
        paths or a nested field's own name: for a flat family `flat` itself; for the
        DashScope body `prompt` goes to `input.prompt`, `input_reference` (a URL) becomes the
        first frame of `input.media`, `duration` goes to `parameters.duration`."""
        if not self.nested:
            return dict(flat)
        body: dict[str, Any] = {}
        for key, value in flat.items():
            if key == "prompt":
                body = self.put(body, self.prompt_field, value)
            elif key in ("input_reference", self.reference_field) and isinstance(value, str):
                body = self.put(body, self.reference_field, self.reference_value(value))
            else:
                body = self.put(body, self.path_of(key), value)
        return body

    def refuses(self, body: Mapping[str, Any], name: str) -> bool:
        """Whether the family's schema refuses the field `name` (a dotted path) of `body`
        (given flat, as `shaped` takes it)."""
        faults = self.validator().paths_at_fault(self.shaped(body))
        return any(_covers(name, fault) for fault in faults)

    def prompt_of(self, body: Mapping[str, Any]) -> Any:
        return self.get(body, self.prompt_field)

    def candidates(self, name: str) -> tuple[Any, ...]:
        """Every value the field's schema lists (the string form first when it has two)."""
        prop = self.field_schema(name)
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
        """The values of field `name` (a dotted path) that `model` takes, given the other
        fields `others` (top-level names; `reference=` puts the family's reference field)."""
        fields = {
            (self.reference_field if key == "reference" else key): value
            for key, value in others.items()
        }
        base = self.body_of(model, _PROBE_PROMPT, fields)
        out = []
        validator = self.validator()
        for value in self.candidates(name):
            faults = validator.paths_at_fault(self.put(base, name, value))
            if not any(_covers(name, fault) for fault in faults):
                out.append(value)
        return tuple(out)

    def requires(self, model: str) -> tuple[str, ...]:
        """Fields a body of `model` must carry besides its prompt and `model` (an i2v image),
        as dotted paths."""
        errors = self.validator().iter_errors(self.body_of(model, _PROBE_PROMPT))
        names = [
            ".".join([*(str(p) for p in error.absolute_path), str(name)])
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
                    prompt_field=str(row.get("prompt", "prompt")),
                    ratio_fields=_names(row.get("ratio", "ratio")),
                    reference_field=str(row.get("reference", "input_reference")),
                    body=str(row.get("body", "openai")),
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

    def shape_refusal(self, body: Any) -> tuple[str, str] | None:
        """(param, message) when a create body of a listed model has another family's shape:
        the flat body (`prompt` at the top) for a DashScope model, or the DashScope members
        (`input`, `parameters`) for a model of a flat family. None otherwise."""
        if not isinstance(body, Mapping) or not isinstance(body.get("model"), str):
            return None
        model = str(body["model"])
        if not self.known(model):
            return None
        family = self.for_model(model)
        nested = [f for f in self.all if f.nested]
        if family.nested:
            outer = family.prompt_field.split(".")[0]
            if outer not in body and "prompt" in body:
                return outer, (
                    f"Model '{model}' takes the DashScope body: the prompt goes in "
                    f"'{family.prompt_field}' and the options in 'parameters', "
                    "not at the top level."
                )
            return None
        for other in nested:
            for key in other.properties:
                if key in body and key != "model" and key not in family.properties:
                    return key, (
                        f"'{key}' belongs to the DashScope body of "
                        + ", ".join(other.models)
                        + f"; model '{model}' takes the flat body with 'prompt' at the top level."
                    )
        return None

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


def _names(value: Any) -> tuple[str, ...]:
    """A row's field name, or list of names, as a tuple."""
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _covers(name: str, fault: str) -> bool:
    """Whether an error at the dotted path `fault` is about the field `name`."""
    return (
        fault == name
        or fault.startswith(name + ".")
        or (bool(fault) and name.startswith(fault + "."))
    )


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
