"""Check one documentation source, a file or a URL, against the spec: what `docs-check` runs.

A source is of one kind, each compared in its own way:

- `unified`: the gateway's unified video page ("Video-Gen"), compared family by family and
  field by field (`docs.unified`);
- `family`: a family's own page (Seedance's), compared the same way for the families it names;
- `news`: the news page ("更新日志"), its models against the contract's (`docs.catalogue`);
- `adapter`: the adapter code's model list (its copy, or `src/seed.ts` itself), the same way;
- `operation`: an operation's page (create a video), its parameters and fields (`docs.drift`).

The kind is given, or inferred where that is unambiguous: from the address when the spec's
`x-sources` lists it (a source of kind `page` there is `unified` when the text names models of
two or more families, `family` otherwise), from the path of a file copy as before, else from
the text: a page that names models of two families, or of a family other than the default
one, is read as the unified page; any other as an operation's page. The news page and the
adapter's list name models of every family, so they are never inferred from their text.

A source that was fetched but is not of the kind expected (an HTML login page where the news
page was, a page that names no model) is a `FetchError` of reason `kind`: comparing it would
report every model as gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from videos_contract.docs.catalogue import CATALOGUE_KINDS, catalogue_source, compare_catalogue
from videos_contract.docs.catalogue import models_named as catalogue_models
from videos_contract.docs.drift import Finding, compare_page, find_operation
from videos_contract.docs.fetch import FetchError, fetch
from videos_contract.docs.kinds import DEFAULT_TIMEOUT, KINDS
from videos_contract.docs.mdx import page_families, unified_from_text
from videos_contract.docs.page import PageError, lines_from_html, page_from_text
from videos_contract.docs.unified import compare_unified
from videos_contract.families import CREATE_OPERATION, Source, families
from videos_contract.spec import Spec

__all__ = ["KINDS", "Checked", "check_text", "check_url", "kind_of_url", "source_of_url"]

# The `x-sources` kind of the pages compared family by family.
_PAGE = "page"


@dataclass
class Checked:
    """One source checked: its name (file name or URL), kind, the operation it is about, and
    the findings; or the `FetchError` that kept it from being checked."""

    name: str
    kind: str | None
    operation: str = ""
    findings: list[Finding] = field(default_factory=list)
    error: FetchError | None = None

    @property
    def drift(self) -> bool:
        return any(not f.known for f in self.findings)


def _normal(url: str) -> str:
    """An address as compared with `x-sources`: no fragment, query, trailing `/`, `.md`."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if path.endswith(".md"):
        path = path[: -len(".md")]
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def source_of_url(url: str, spec: Spec) -> Source | None:
    """The `x-sources` entry at `url` (Mintlify's `.md` form of a page counts as the page)."""
    wanted = _normal(url)
    for source in families(spec).sources.values():
        if source.url and _normal(source.url) == wanted:
            return source
    return None


def kind_of_url(url: str, spec: Spec) -> str | None:
    """The kind the spec's `x-sources` gives `url`: `news`, `adapter`, `page` (unified or
    family, decided by its text), another `x-sources` kind, or None when it is not listed."""
    source = source_of_url(url, spec)
    return source.kind if source is not None else None


def _catalogue(kind: str, url: str, spec: Spec) -> Source:
    """The `x-sources` entry a news or adapter source is compared as: the one at `url`, else
    the one source of that kind."""
    listed = source_of_url(url, spec)
    if listed is not None and listed.kind == kind:
        return listed
    of_kind = [s for s in families(spec).sources.values() if s.kind == kind]
    if len(of_kind) != 1:
        raise FetchError("kind", f"{url}: the spec lists {len(of_kind)} x-sources of kind {kind}")
    return of_kind[0]


def _is_html(text: str, media_type: str) -> bool:
    head = text.lstrip()[:200].lower()
    return media_type == "text/html" or head.startswith(("<!doctype html", "<html"))


def check_text(
    name: str,
    text: str,
    spec: Spec,
    *,
    kind: str | None = None,
    path: Path | None = None,
    media_type: str = "",
) -> Checked:
    """Compare the text of one source with the spec. `kind` None infers it (see the module's
    text); `path` is the file a copy was read from (its folder holds the pages an older
    generation is superseded by). Raises `FetchError("kind")` when the text is not of the
    kind expected, `PageError` when an operation's page holds no operation."""
    html = _is_html(text, media_type)
    words = "\n".join(lines_from_html(text)) if html else text
    if kind is None and path is not None:
        source = catalogue_source(path, spec)
        if source is not None:
            kind = source.kind
    if kind in CATALOGUE_KINDS:
        source = catalogue_source(path, spec) if path is not None else None
        if source is None or source.kind != kind:
            source = _catalogue(kind, name, spec)
        named = catalogue_models(source, words, spec)
        if not named:
            raise FetchError("kind", f"{name}: names no video model; not {source.title}")
        where = f"POST /v1/videos ({CREATE_OPERATION}), the model catalogue of {source.title}"
        return Checked(name, kind, where, compare_catalogue(source, words, spec))
    named_families = page_families(words, spec)
    default = families(spec).default_family.name
    if kind is None or kind == _PAGE:
        if len(named_families) >= 2:
            kind = "unified"
        elif named_families - {default} or kind == _PAGE:
            kind = "family"
        else:
            kind = "operation"
    if kind == "unified" and len(named_families) < 2:
        raise FetchError(
            "kind",
            f"{name}: names models of {len(named_families)} family(ies); not the unified page",
        )
    if kind == "family" and not named_families:
        raise FetchError("kind", f"{name}: names no model of any family; not a family's page")
    if kind in ("unified", "family"):
        page = unified_from_text(name, words, spec)
        folder = path.parent if path is not None else None
        where = f"POST /v1/videos ({CREATE_OPERATION}), per model family"
        return Checked(name, kind, where, compare_unified(page, spec, folder=folder))
    if kind != "operation":
        raise FetchError("kind", f"{name}: sources of kind {kind} are not compared by docs-check")
    suffix = path.name if path is not None else PurePosixPath(urlsplit(name).path).name
    try:
        docs_page = page_from_text(text, suffix)
    except PageError as exc:
        raise FetchError("kind", f"{name}: not an operation's page: {exc}") from None
    op = find_operation(spec, docs_page.method, docs_page.path)
    where = f"{docs_page.method} {docs_page.path}" + (f" ({op.operation_id})" if op else "")
    return Checked(name, kind, where, compare_page(docs_page, spec))


def check_url(
    url: str, spec: Spec, *, kind: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Checked:
    """Fetch `url` and check it; a source that cannot be fetched or is not of the kind expected
    comes back with its `error`, never raised."""
    try:
        if kind is None:
            kind = kind_of_url(url, spec)
        fetched = fetch(url, timeout=timeout)
        return check_text(url, fetched.text, spec, kind=kind, media_type=fetched.media_type)
    except FetchError as exc:
        return Checked(url, kind, error=exc)
