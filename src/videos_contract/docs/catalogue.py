"""Catalogue drift: the models a source names against the models the contract lists.

Two kinds of source (the create operation's `x-sources`) are lists of models rather than
pages of fields: the gateway's news page (`kind: news`) and the public adapter code's model
list (`kind: adapter`). For a copy of either, `compare_catalogue` reports, per model, what the
source names that the contract lacks and what the contract says comes from this source
(`sources` of the model in `x-video-families`) that the source no longer names.

A copy is recognised by its path: it ends with the source's `copy` (e.g. `news/news.cn.mdx`).
The adapter's list comes in two forms: the copy's table, whose first column is the model, or
the code itself (`src/seed.ts` fetched by URL), whose entries name each model as `id: '...'`.
On the news page, a video model
is a backticked name whose stem (its leading words, e.g. `wan`, `doubao-seedance`) is the
stem of a model the contract lists, so the page's chat and image models are not read as
video models.
"""

from __future__ import annotations

import re
from pathlib import Path

from videos_contract.docs.drift import Finding
from videos_contract.families import Source, families
from videos_contract.spec import Spec

__all__ = ["CATALOGUE_KINDS", "catalogue_source", "compare_catalogue", "models_named"]

CATALOGUE_KINDS = ("news", "adapter")
_BACKTICKED = re.compile(r"`([A-Za-z0-9][A-Za-z0-9._-]*)`")
_STEM = re.compile(r"[a-z]+(?:-[a-z]+)*")
# An entry of the adapter's model table in its code: `{ id: 'doubao-seedance-2-0-260128', ...`.
_CODE_ID = re.compile(r"""(?<![\w$])id\s*:\s*['"`]([A-Za-z0-9][A-Za-z0-9._:-]*)['"`]""")


def catalogue_source(path: Path, spec: Spec) -> Source | None:
    """The news or adapter source whose copy `path` is, or None."""
    where = path.as_posix()
    for source in families(spec).sources.values():
        if source.kind in CATALOGUE_KINDS and source.copy and where.endswith(source.copy):
            return source
    return None


def _body(text: str) -> str:
    """The copy without its `<!-- page-copy ... -->` header."""
    if text.lstrip().startswith("<!-- page-copy"):
        return text.split("-->", 1)[1] if "-->" in text else ""
    return text


def _stem(model: str) -> str:
    found = _STEM.match(model.lower())
    return found.group() if found else ""


def models_named(source: Source, text: str, spec: Spec) -> tuple[str, ...]:
    """The video models a copy of `source` names, in the order first named."""
    body = _body(text)
    if source.kind == "adapter":
        in_code = _CODE_ID.findall(body)
        if in_code:
            return tuple(dict.fromkeys(in_code))
        rows = [line.split("|", 1)[0].strip() for line in body.splitlines() if "|" in line]
        return tuple(dict.fromkeys(r for r in rows if r and r != "model"))
    stems = {_stem(m) for m in families(spec).models} - {""}
    tokens = (t for t in _BACKTICKED.findall(body) if any(c.isdigit() for c in t))
    return tuple(dict.fromkeys(t for t in tokens if _stem(t) in stems))


def compare_catalogue(source: Source, text: str, spec: Spec) -> list[Finding]:
    """Per model: named by the source and not in the contract, or attributed to the source
    by the contract and no longer named by it."""
    catalogue = families(spec)
    named = models_named(source, text, spec)
    findings = [
        Finding(
            f"model `{model}`",
            "catalogue",
            f"named by {source.title}",
            "not in the spec",
        )
        for model in named
        if not catalogue.known(model)
    ]
    findings += [
        Finding(
            f"model `{model}`",
            "catalogue",
            "not named any more",
            f"listed with source `{source.name}` (x-video-families)",
        )
        for model in catalogue.named_by(source.name)
        if model not in named
    ]
    return findings
