# The page's own punctuation (full-width, multiplication sign) is matched and quoted here.
# ruff: noqa: RUF001, RUF002
"""Read a copy of the gateway's unified video page ("Video-Gen"), or of a family's own page,
into statements about each model family.

The unified page documents `POST /v1/videos` for several vendors' models at once, each with
its own lengths, sizes and reference forms, in English or Chinese, and in several generations
that lay the facts out differently: per-family tables (`| 时长 (seconds) | "4"（默认）、"8" |`),
per-model tables, bullet lists under a field (`- sora：720×1280（默认）、1280×720`) and prose
(`Supported video lengths: 4 / 8 / 12 seconds (default: 4s)`). This module turns each of
those into statements, "for these models of this family, this field takes these values (and
this default)"; `videos_contract.docs.unified` compares them with the spec.

Which models a statement is about comes from the page: the models it names, a version it
names (`Veo 2`, `wan2.6`), or else every model of the family that the page names anywhere
(an older page that lists two Veo models speaks about those two).

A copy may start with a `<!-- page-copy` ... `-->` header (address, language, generation,
dates): it is read apart from the page's text, and a generation other than `newest` marks the
copy as superseded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from videos_contract.families import Families, Family, families
from videos_contract.spec import Spec

__all__ = [
    "HEADER_CLOSE",
    "HEADER_OPEN",
    "Statement",
    "UnifiedPage",
    "is_unified",
    "page_families",
    "read_unified",
    "unified_from_text",
]

HEADER_OPEN = "<!-- page-copy"
HEADER_CLOSE = "-->"

# The page's own names for the families, in the languages it is written in, besides the
# family's key and the words of its title and vendor (which come from the spec).
PAGE_NAMES: dict[str, tuple[str, ...]] = {
    "wan": ("通义万相", "万相", "tongyi wanxiang"),
    "jimeng": ("即梦",),
    "seedance": ("豆包",),
    # The English page names Kling with its image fields but no model: those fields belong to
    # the rules for models the contract does not list.
    "unlisted": ("kling", "可灵"),
}
# Row labels that name a field without writing its name, by the field's role in the family.
ROLE_LABELS: dict[str, tuple[str, ...]] = {
    "model": ("模型", "model"),
    "seconds": ("时长", "seconds", "duration", "video lengths", "生成视频长度"),
    "size": ("分辨率", "size", "尺寸", "resolution"),
    "reference": ("图生视频", "image-to-video"),
}
DEFAULT_WORDS = ("默认", "default")
# Full-width punctuation of the Chinese pages and markdown escapes, to their plain forms.
_PLAIN = str.maketrans(
    {"，": ",", "、": ",", "；": ";", "：": ":", "（": "(", "）": ")", "×": "x", "～": "~"}
)
_VALUE = re.compile(r"^-?\d+(?:s|x\d+|p|P|k|K|:\d+)?$|^adaptive$")
_RANGE = re.compile(r"`\"?[^`\d-]*(-?\d+)\"?`\s*~\s*`\"?(-?\d+)\"?`")
_TICKED = re.compile(r"`([^`]+)`")
# A value followed by "(默认)" or "(default, ...)": the default (not "(默认 `"8"`)").
_MARKED_DEFAULT = r"`\"?([^`\"]+)\"?`\s*\((?:默认|default)\s*[),]"
_BARE = re.compile(r"(?<![\w.\-])(-?\d+(?:x\d+|[pPkK]|s)?)(?![\w.\-])|(?<![\w:])(\d+:\d+)(?!\w)")


@dataclass(frozen=True)
class Statement:
    """What one place of the page says about one field of one family."""

    family: str
    field: str
    models: tuple[str, ...]  # the models it is about
    values: tuple[str, ...] = ()  # the values it lists (empty: none listed)
    default: str | None = None
    type: str | None = None  # a JSON type the page gives the field
    presence: bool = False  # the page names a field (a reference field, an old name)
    frame: str | None = None  # the pixel frame the page says its values render at
    example: Mapping[str, Any] | None = None  # a request body the page shows (`-d '{...}'`)
    where: str = ""  # the page's own words, shortened

    @property
    def subject(self) -> str:
        return ", ".join(self.models)


@dataclass
class UnifiedPage:
    """The statements of one copy of the unified page."""

    name: str
    header: dict[str, str]
    models: tuple[str, ...]  # every model-like name on the page, in order
    statements: list[Statement] = field(default_factory=list)

    @property
    def superseded(self) -> bool:
        """The copy's header says it is not of the newest generation."""
        generation = self.header.get("generation")
        return generation is not None and not generation.startswith("newest")


def _split_header(text: str) -> tuple[dict[str, str], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != HEADER_OPEN or HEADER_CLOSE not in lines:
        return {}, text
    end = lines.index(HEADER_CLOSE)
    header: dict[str, str] = {}
    key = ""
    for line in lines[1:end]:
        if line.startswith("  ") and key:
            header[key] += " " + line.strip()
            continue
        key, _, value = line.partition(": ")
        header[key] = value
    return header, "\n".join(lines[end + 1 :])


def _plain(line: str) -> str:
    return line.translate(_PLAIN).replace("\\*", "*").replace("\\+", "+").replace("\\_", "_")


class _Reader:
    """Walks the page's lines, keeping the family, field and table they are under."""

    def __init__(self, catalogue: Families, text: str) -> None:
        self.catalogue = catalogue
        self.lines = [_plain(line) for line in text.split("\n")]
        self.models = self._page_models("\n".join(self.lines))
        self.statements: list[Statement] = []
        self.section_models: dict[str, list[str]] = {}

    def flush(self) -> None:
        """The model rows of the section just read, as one statement per family."""
        for name, models in self.section_models.items():
            family = self.catalogue.named(name)
            listed = tuple(models)
            self.add(family, "model", listed, f"{family.title}: {', '.join(listed)}", values=listed)
        self.section_models = {}

    # -- names --------------------------------------------------------------------------
    def _stems(self) -> dict[str, str]:
        """Each family's model stem (`sora`, `veo`, `wan`...): the letters its models share."""
        stems = {}
        for family in self.catalogue:
            letters = re.match(r"[a-z]+", family.models[0]) if family.models else None
            if letters is not None:
                stems[letters.group(0)] = family.name
        return stems

    def _page_models(self, text: str) -> tuple[str, ...]:
        stems = "|".join(sorted(self._stems(), key=len, reverse=True))
        # The stem in any case (the oldest page writes `Veo-3.1-...`); the rest in lower case, so
        # a name glued to the next word of a rendered table (`sora-2-proHigh`) ends there.
        pattern = re.compile(rf"(?<![\w.\-])(?i:{stems})[a-z0-9.\-]*[a-z0-9](?![*a-z0-9.\-])")
        found: list[str] = []
        for match in pattern.finditer(text):
            name = match.group(0)
            # A model name has a version and a dash (`sora-2`); `wan2.6` alone is a version.
            if "-" in name and re.search(r"\d", name) and name not in found:
                found.append(name)
        return tuple(found)

    def family_named(self, text: str) -> Family | None:
        """The family a heading, a bullet's lead or a row's first cell names."""
        low = text.lower()
        for family in self.catalogue:
            # The catch-all's title ("Unlisted models") names no family a page writes about.
            title = () if family.catch_all else family.title.lower().split()
            names = [family.name, *title, *PAGE_NAMES.get(family.name, ())]
            if family.vendor:
                names.append(family.vendor.lower())
            for name in names:
                if re.search(rf"(?<![a-z]){re.escape(name.lower())}(?![a-z])", low):
                    return family
        for model in re.findall(r"[a-z][a-z0-9.\-]*", low):
            if model in self.catalogue.models:
                return self.catalogue.for_model(model)
        return None

    def subject(self, family: Family, text: str) -> tuple[str, ...]:
        """The models of `family` a statement is about, from the words that introduce it."""
        low = text.lower()
        named = [
            m for m in family.models if re.search(rf"(?<![\w.\-]){re.escape(m)}(?![\w.\-])", low)
        ]
        for wildcard in re.findall(r"([a-z][a-z0-9.\-]*-)\*", low):
            named += [m for m in family.models if m.startswith(wildcard) and m not in named]
        if named:
            return tuple(named)
        stem = (
            re.escape(family.models[0].split("-")[0].rstrip("0123456789.")) if family.models else ""
        )
        versions = re.findall(rf"{stem}\s*((?:\d+(?:\.\d+)?)(?:\s*/\s*\d+(?:\.\d+)?)*)", low)
        picked: list[str] = []
        for group in versions:
            for version in re.split(r"\s*/\s*", group):
                picked += [
                    m
                    for m in family.models
                    if re.search(rf"(?<![\d.]){re.escape(version)}(?=[.\-]|$)", m)
                    and m not in picked
                ]
        if picked:
            return tuple(picked)
        on_page = [m for m in family.models if m in self.models]
        return tuple(on_page or family.models)

    # -- values -------------------------------------------------------------------------
    @staticmethod
    def values(text: str) -> tuple[tuple[str, ...], str | None]:
        """(values listed, the default) in a statement's text."""
        default = None
        marked = re.search(
            r"(?:默认|default)(?:s\s+to)?\s*:?\s*`?\"?([^`\"\s),]+)\"?`?", text, re.I
        )
        ranges: list[str] = []
        for low, high in _RANGE.findall(text):
            ranges += [str(v) for v in range(int(low), int(high) + 1)]
        text_wo_ranges = _RANGE.sub(" ", text)
        ticked = _TICKED.findall(re.sub(r"\([^()]*\)", " ", text_wo_ranges))
        if ticked or ranges:
            raw = [t.strip().strip('"') for t in ticked]
            # A value followed by "(默认" / "(default" is the default.
            for match in re.finditer(_MARKED_DEFAULT, text_wo_ranges, re.I):
                default = match.group(1)
        else:
            raw = [a or b for a, b in _BARE.findall(text_wo_ranges)]
            after = re.search(r"(-?\d+(?:x\d+|[pPkK]|s)?)\s*\((?:默认|default)\s*[),]", text, re.I)
            if after:
                default = after.group(1)
        if default is None and marked:
            default = marked.group(1)
        if default is not None:
            default = _value(default)
        listed = [_value(v) for v in raw]
        # A value introduced by the default word alone is the default, not a listed value.
        if (
            marked
            and not ranges
            and listed == [default]
            and not re.search(rf"`\"?{re.escape(str(default))}\"?`\s*\(", text)
        ):
            listed = []
        values = [v for v in ranges + listed if _VALUE.match(v)]
        if not ticked and any("x" in v for v in values):
            # Prose that groups pixel sizes under tier names (`480P(832x480, ...)`).
            values = [v for v in values if not re.fullmatch(r"\d+[pP]", v)]
        return tuple(dict.fromkeys(values)), default

    # -- fields -------------------------------------------------------------------------
    def field_of(self, family: Family, label: str) -> str | None:
        """The request field a row label or a heading names, for this family."""
        low = label.lower()
        explicit = re.search(r"\(\s*([a-z_]+)\s*\)", low) or re.search(r"`([a-z_]+)`", low)
        if explicit:
            return explicit.group(1)
        for role, words in ROLE_LABELS.items():
            if any(word in low for word in words):
                if role == "seconds":
                    return family.seconds_field
                if role == "size":
                    return family.size_field
                return role
        return None

    def add(
        self, family: Family, name: str, models: Sequence[str], text: str, **facts: Any
    ) -> None:
        where = " ".join(text.split())
        where = where if len(where) <= 90 else where[:87] + "..."
        self.statements.append(Statement(family.name, name, tuple(models), where=where, **facts))

    def state(self, family: Family, name: str, models: Sequence[str], text: str) -> None:
        """A value statement (`values`, default) for `name`, split at `;` into its parts."""
        for part in text.split(";"):
            lead, sep, rest = part.partition(":")
            sub = models
            body = part
            if sep and not re.search(r"\d+:\d+|`", lead) and lead.strip():
                sub = (
                    self.subject(family, lead)
                    if self.family_named(lead) or re.search(r"\d", lead)
                    else models
                )
                body = rest
            values, default = self.values(body)
            if values or default is not None:
                self.add(family, name, sub, part, values=values, default=default)

    # -- the walk -----------------------------------------------------------------------
    def read(self) -> list[Statement]:
        family: Family | None = None
        family_level = 0
        heading_field: str | None = None
        response_field: str | None = None
        table_header: list[str] = []
        tiers: dict[str, tuple[str, ...]] = {}
        for line in self.lines:
            stripped = line.strip()
            if stripped.startswith("#"):
                self.flush()
                level = len(stripped) - len(stripped.lstrip("#"))
                named = self.family_named(stripped)
                if named is not None or level <= family_level:
                    # A sub-heading without a family name stays in its family's section.
                    family, family_level = named, level
                heading_field = None if family else self._heading_field(stripped)
                table_header = []
                continue
            field_tag = re.match(r'<ResponseField name="([a-z_]+)" type="(\w+)"', stripped)
            if field_tag:
                response_field = field_tag.group(1)
                if response_field == "seconds":
                    for each in self._typed_families():
                        self.add(
                            each, "seconds", each.models, stripped, type=field_tag.group(2).lower()
                        )
                continue
            if stripped.startswith("</ResponseField"):
                response_field = None
                continue
            if stripped.startswith("|"):
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                if all(re.fullmatch(r":?-+:?", c) for c in cells):
                    continue
                if not table_header:
                    table_header = cells
                    continue
                self._row(family, heading_field, table_header, cells, tiers)
                continue
            table_header = [] if not stripped.startswith("|") else table_header
            if response_field and stripped.startswith("-"):
                lead = stripped.lstrip("- ").partition(":")[0]
                owner = self.family_named(lead)
                if owner and owner.models:
                    name = self.field_of(owner, response_field) or response_field
                    name = owner.size_field if response_field == "size" else name
                    name = owner.seconds_field if response_field == "seconds" else name
                    self.state(owner, name, self.subject(owner, lead), stripped.partition(":")[2])
                continue
            self._prose(family, stripped, tiers)
        self.flush()
        self._examples()
        return self.statements

    def _examples(self) -> None:
        """The JSON bodies of the page's curl examples, each a statement of its family.

        Text that is not JSON (a prompt with raw line breaks) and bodies whose model the spec
        does not list (`<model_path>`, a model of no listed family) say nothing to compare.
        """
        text = "\n".join(self.lines)
        for match in re.finditer(r"-d '(\{.*?\})'", text, re.S):
            try:
                body = json.loads(match.group(1))
            except ValueError:
                continue
            model = body.get("model") if isinstance(body, dict) else None
            if not isinstance(model, str) or not self.catalogue.known(model):
                continue
            family = self.catalogue.for_model(model)
            shown = json.dumps(body, ensure_ascii=False)
            self.add(family, "example", (model,), shown, example=body)

    def _typed_families(self) -> Iterator[Family]:
        """Families whose length field is `seconds` and whose models are listed."""
        return (f for f in self.catalogue if f.seconds_field == "seconds" and f.models)

    @staticmethod
    def _heading_field(heading: str) -> str | None:
        low = heading.lower()
        for role in ("seconds", "size"):
            if f"`{role}`" in low or f"{role} " in low:
                return role
        return None

    def _row(
        self,
        family: Family | None,
        heading_field: str | None,
        header: list[str],
        cells: list[str],
        tiers: dict[str, tuple[str, ...]],
    ) -> None:
        first = cells[0]
        if family is None and heading_field is None:
            # The request-body table: `| `seconds` | string | ... |`.
            if (
                first.strip("`") == "seconds"
                and len(cells) > 1
                and re.fullmatch(r"[a-z]+", cells[1])
            ):
                for each in self._typed_families():
                    self.add(each, "seconds", each.models, " | ".join(cells), type=cells[1])
            return
        if family is None and heading_field is not None:
            # A table of values per family (the FAQ's): subject, values[, default].
            owner = self.family_named(first)
            if owner and owner.models and heading_field == "seconds":
                values, default = self.values(cells[1]) if len(cells) > 1 else ((), None)
                if len(cells) > 2:
                    picked = self.values(cells[2])[0]
                    default = picked[0] if picked else default
                if values or default is not None:
                    self.add(
                        owner,
                        owner.seconds_field,
                        self.subject(owner, first),
                        " | ".join(cells),
                        values=values,
                        default=default,
                    )
            return
        assert family is not None
        head = " ".join(header).lower()
        if re.fullmatch(r"\d+P", first):
            # A tier of sizes (Wan: `| 480P | 832x480, ... |`).
            values, default = self.values(cells[1])
            tiers[first] = values
            if default is not None:
                self.add(
                    family, family.size_field, family.models, " | ".join(cells), default=default
                )
            return
        if "seconds" in head or "duration" in head:
            models = self.subject(family, first)
            values, default = self.values(cells[1])
            if len(cells) > 2:
                picked = self.values(cells[2])[0]
                default = picked[0] if picked else default
            self.add(
                family,
                family.seconds_field,
                models,
                " | ".join(cells),
                values=values,
                default=default,
            )
            return
        column = re.search(r"\(\s*([a-z_]+)\s*\)", header[0])
        if column and len(cells) > 1:
            # Values and the frame each renders at (`| `16:9` 或 `1920x1080` | 1920x1088 |`).
            frame = re.search(r"\d+x\d+", cells[1])
            values = tuple(v.strip('"') for v in _TICKED.findall(first))
            self.add(
                family,
                column.group(1),
                family.models,
                " | ".join(cells),
                values=values,
                presence=True,
                frame=frame.group(0) if frame else None,
            )
            return
        fields = [m.group(1) for c in header for m in [re.search(r"`([a-z_]+)`", c)] if m]
        if fields:
            # A table of reference items (`type`, `role`): each value must be allowed.
            for column_name, cell in zip(header, cells, strict=False):
                match = re.search(r"`([a-z_]+)`", column_name)
                value = _TICKED.findall(cell)
                if match and value:
                    self.add(
                        family,
                        match.group(1),
                        family.models,
                        " | ".join(cells),
                        values=tuple(value),
                        presence=True,
                    )
            return
        name = self.field_of(family, first)
        if name is None or len(cells) < 2:
            return
        if name == "reference":
            for ref in _TICKED.findall(cells[1]):
                if re.fullmatch(r"[a-z_]+", ref):
                    self.add(family, ref, family.models, " | ".join(cells), presence=True)
            return
        if name == "model":
            # A family's models may take several rows (text- and image-to-video): one list.
            rows = self.section_models.setdefault(family.name, [])
            rows += [m for m in self._page_models(cells[1]) if m not in rows]
            return
        self.state(family, name, self.subject(family, ""), cells[1])

    def _prose(self, family: Family | None, line: str, tiers: dict[str, tuple[str, ...]]) -> None:
        low = line.lower()
        if family is not None and tiers and any(t in line for t in tiers):
            # "wan2.6 仅支持 720P 和 1080P; wan2.5 支持 480P, 720P, 1080P; ..."
            for part in line.split(";"):
                named = [t for t in tiers if re.search(rf"(?<!\d){t}", part)]
                if not named:
                    continue
                lead = part[: part.index(named[0])]
                models = self.subject(family, lead)
                values = tuple(v for t in named for v in tiers[t])
                self.add(family, family.size_field, models, part, values=values)
            return
        if re.search(r"seconds.{0,40}(?:always passed as a string|统一使用字符串)", low):
            for each in self._typed_families():
                self.add(each, "seconds", each.models, line, type="string")
        uses = re.search(r"\b([a-z]+) uses ([a-z_ /]+?) to pass", low)
        if uses:
            owner = self.family_named(uses.group(1))
            if owner is not None:
                for name in re.split(r"\s*/\s*", uses.group(2).strip()):
                    self.add(owner, name, owner.models, line, presence=True)
        if family is not None and re.search(r"video lengths|defaults? to", low):
            ticked = re.search(r"`([a-z_A-Z]+)`", line)
            field_name = ticked.group(1) if ticked else self.field_of(family, line)
            if field_name is not None:
                if ticked and field_name not in family.properties:
                    self.add(family, field_name, family.models, line, presence=True)
                else:
                    self.state(family, field_name, self.subject(family, ""), line)


def _value(text: str) -> str:
    text = text.strip().strip('"')
    if re.fullmatch(r"-?\d+s", text):
        return text[:-1]
    return text


def page_families(text: str, spec: Spec) -> frozenset[str]:
    """The families whose models a page (with or without its `page-copy` header) names."""
    catalogue = families(spec)
    reader = _Reader(catalogue, _split_header(text)[1])
    return frozenset(catalogue.for_model(m).name for m in reader.models if catalogue.known(m))


def is_unified(text: str, spec: Spec) -> bool:
    """Whether a page documents families by model: it names models of two or more families
    (the unified page) or of a family other than the default one (a family's own page, such
    as Seedance's). A page that names only the default family's models is the create page."""
    named = page_families(text, spec)
    return len(named) >= 2 or bool(named - {families(spec).default_family.name})


def unified_from_text(name: str, text: str, spec: Spec) -> UnifiedPage:
    """The statements of a copy of the unified page (its `page-copy` header set aside), read
    from its text; `name` is what reports call it (a file name, a URL)."""
    header, body = _split_header(text)
    reader = _Reader(families(spec), body)
    statements = reader.read()
    return UnifiedPage(name, header, reader.models, statements)


def read_unified(path: Path, spec: Spec) -> UnifiedPage:
    """The statements of a copy of the unified page in a file."""
    return unified_from_text(path.name, path.read_text(encoding="utf-8"), spec)
