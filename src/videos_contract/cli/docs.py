"""`videos-contract` docs commands: `docs-check`, `diff` and `regen`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from videos_contract.cli.common import CliError, positive
from videos_contract.docs.kinds import DEFAULT_TIMEOUT, KINDS
from videos_contract.docs.report import FORMATS as FINDING_FORMATS
from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, PROJECT_ROOT, SPEC_PATH
from videos_contract.release.report import FORMATS as CHANGE_FORMATS

if TYPE_CHECKING:
    from videos_contract.baseline import Entry
    from videos_contract.release.specdiff import Change
    from videos_contract.spec import Spec

# Each handler imports what it runs, so that `diff` (wanted fast in hooks and editors) loads
# neither the docs tools nor the audit's writers, and `docs-check` not the release tools.

__all__ = ["PACKAGED", "register"]

# The word that names the spec this toolkit carries (in a wheel: site-packages'
# videos_contract/openapi.yaml; in a checkout: its openapi.yaml), wherever it lives.
PACKAGED = "packaged"
_PACKAGED_HELP = (
    f"`{PACKAGED}`: the spec this toolkit carries ({SPEC_PATH.name} in the installed package; "
    "in a checkout, its openapi.yaml); ./packaged for a file of that name"
)


def _spec_source(word: str) -> str:
    """A spec argument: the word `packaged` names the toolkit's own spec."""
    return str(SPEC_PATH) if word == PACKAGED else word


def _is_url(word: str) -> bool:
    """A PAGE argument with a scheme (`https://...`, `file://...`) names a URL, not a file."""
    return "://" in word


def _docs_check(args: argparse.Namespace) -> int:
    from videos_contract.docs.fetch import FetchError
    from videos_contract.docs.report import render_findings
    from videos_contract.docs.sources import check_text, check_url
    from videos_contract.spec import Spec, SpecError
    from videos_contract.terminal import printable

    if args.sources == (args.page is not None):
        raise CliError(
            "name one PAGE (a file or an http(s) URL), or --sources for every source of the "
            "settings file",
            exit_code=2,
        )
    try:
        spec = Spec.from_file(Path(_spec_source(args.spec)))
    except SpecError as exc:
        raise CliError(str(exc), exit_code=2) from exc
    if args.sources:
        return _check_sources(args, spec)
    if _is_url(args.page):
        checked = check_url(args.page, spec, kind=args.kind, timeout=args.timeout)
        if checked.error is not None:
            raise CliError(f"{checked.error.reason}: {checked.error}", exit_code=2)
    else:
        page_path = Path(args.page)
        try:
            text = page_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {page_path}: {exc}", exit_code=2) from exc
        try:
            checked = check_text(page_path.name, text, spec, kind=args.kind, path=page_path)
        except FetchError as exc:
            raise CliError(str(exc), exit_code=2) from None
    report = render_findings(
        checked.findings, args.format, page=checked.name, operation=checked.operation
    )
    # A page fetched from a server is someone else's text: never printed raw.
    print(printable(report, keep_newlines=True))
    return 1 if checked.drift else 0


def _check_sources(args: argparse.Namespace, spec: Spec) -> int:
    """Every source the settings file lists (`[[docs_sources]]`), each fetched and checked;
    exit 1 when any differs, else 2 when any could not be checked, else 0."""
    import json

    from videos_contract.cli.config import CONFIG_FILE, find_config, read_config
    from videos_contract.docs.report import findings_document, render_findings
    from videos_contract.docs.sources import check_url
    from videos_contract.terminal import printable

    path: Path | None = args.config
    if path is not None and not path.is_file():
        raise CliError(f"--config {path}: no such file", 2)
    if path is None:
        path = find_config(Path.cwd())
    listed = read_config(path).values.get("docs_sources", []) if path is not None else []
    if not listed:
        where = path if path is not None else f"no {CONFIG_FILE} here"
        raise CliError(
            f"--sources: {where} lists no docs_sources (a [[docs_sources]] table per source, "
            "with url and, where the spec's x-sources does not tell, kind)",
            2,
        )
    results = [
        check_url(source["url"], spec, kind=source.get("kind"), timeout=args.timeout)
        for source in listed
    ]
    failed = [r for r in results if r.error is not None]
    differ = [r for r in results if r.drift]
    agree = len(results) - len(failed) - len(differ)
    summary = (
        f"{len(results)} source(s): {agree} agree, {len(differ)} differ, "
        f"{len(failed)} could not be checked"
    )
    if args.format == "json":
        documents: list[dict[str, object]] = []
        for r in results:
            if r.error is not None:
                error = {"reason": r.error.reason, "message": str(r.error)}
                documents.append({"page": r.name, "kind": r.kind, "error": error})
            else:
                document = findings_document(r.findings, page=r.name, operation=r.operation)
                documents.append({**document, "kind": r.kind})
        counts = {"sources": len(results), "agree": agree, "differ": len(differ)}
        document = {"sources": documents, "summary": {**counts, "failed": len(failed)}}
        print(json.dumps(document, indent=2))
    else:
        blocks = []
        for r in results:
            if r.error is not None:
                blocks.append(f"{r.name}: could not be checked ({r.error.reason}): {r.error}")
            else:
                blocks.append(
                    f"[{r.kind}] "
                    + render_findings(r.findings, "text", page=r.name, operation=r.operation)
                )
        print(printable("\n\n".join([*blocks, summary]), keep_newlines=True))
    if differ:
        return 1
    return 2 if failed else 0


def _diff(args: argparse.Namespace) -> int:
    from videos_contract.baseline import (
        BaselineError,
        compare,
        entry,
        read_baseline,
        write_baseline,
    )
    from videos_contract.release.gate import ReleaseError
    from videos_contract.release.report import render_changes
    from videos_contract.release.sources import load_spec_source
    from videos_contract.release.specdiff import Level, diff_specs, highest_level

    try:
        old = load_spec_source(_spec_source(args.old))
        new = load_spec_source(_spec_source(args.new))
    except ReleaseError as exc:
        raise CliError(str(exc), exit_code=2, lines=True) from exc
    changes = diff_specs(old, new)
    client = None
    if args.client:
        from videos_contract.release.surface import generate_and_compare, merged

        client = generate_and_compare(old, new, changes, config=GENERATOR_CONFIG)
        changes = merged(changes, client)
    breaking = {entry(c.rule, c.where) for c in changes if c.level is Level.BREAKING}
    if args.format == "github":
        accepted: set[Entry] = set()
        if args.baseline is not None and args.update_baseline is None:
            try:
                accepted = read_baseline(args.baseline, "diff")
            except BaselineError as exc:
                raise CliError(str(exc), exit_code=2) from None
        print(_annotations(changes, accepted, old=args.old, new=args.new))
        if client is not None:
            from videos_contract.audit.reports.github import annotation

            for note in client.notes:
                print(annotation("notice", "videos-contract diff: generated client", note))
    else:
        print(render_changes(changes, args.format, old=args.old, new=args.new, client=client))
    try:
        if args.update_baseline is not None:
            written = write_baseline(args.update_baseline, "diff", breaking)
            print(
                f"baseline: {written} breaking change(s) accepted in {args.update_baseline}",
                file=sys.stdout if args.format == "text" else sys.stderr,
            )
            return 0
        if args.baseline is None:
            return 1 if highest_level(changes) is Level.BREAKING else 0
        seen = compare(breaking, read_baseline(args.baseline, "diff"))
    except BaselineError as exc:
        raise CliError(str(exc), exit_code=2) from None
    # Beside JSON or Markdown output the baseline's lines go to stderr, leaving stdout parsable.
    out = sys.stdout if args.format == "text" else sys.stderr
    print(
        f"baseline {args.baseline}: {len(seen.known)} accepted breaking change(s), "
        f"{len(seen.new)} new",
        file=out,
    )
    for rule, where in seen.new:
        print(f"  new: {where} [{rule}]", file=out)
    for rule, where in seen.gone:
        print(f"  no longer occurs: {where} [{rule}]", file=out)
    return 1 if seen.new else 0


# GitHub annotations: a breaking change fails (error) unless the baseline accepts it (warning).
_ANNOTATION_LEVELS = {"breaking": "error", "additive": "notice", "documentation": "notice"}


def _annotations(changes: list[Change], accepted: set[Entry], *, old: str, new: str) -> str:
    """One workflow command per change, written by the audit's annotation writer."""
    from videos_contract.audit.reports.github import annotation
    from videos_contract.baseline import entry
    from videos_contract.release.specdiff import Level

    lines = []
    for change in changes:
        level = _ANNOTATION_LEVELS[change.level.label]
        if change.level is Level.BREAKING and entry(change.rule, change.where) in accepted:
            level = "warning"
        title = f"videos-contract diff: {change.level.label} ({change.rule})"
        lines.append(annotation(level, title, f"{change.where}: {change.message}"))
    if not lines:
        lines.append(annotation("notice", "videos-contract diff", f"no changes: {old} -> {new}"))
    return "\n".join(lines)


def _regen(args: argparse.Namespace) -> int:
    # Imported here: regeneration pulls in the generator machinery the other commands skip.
    from videos_contract.release.gate import ReleaseError
    from videos_contract.release.generation import GenerationError
    from videos_contract.release.regen import committed_state, regen
    from videos_contract.release.report import render_changes

    root = Path(args.project)
    spec, generated, config = (
        root / SPEC_PATH.name,
        root / GENERATED_DIR.name,
        root / GENERATOR_CONFIG.name,
    )
    try:
        base = committed_state(generated, config)
        if base is not None:
            print(f"an uncommitted release is redone from the committed release {base.version}")
        result = regen(spec=spec, generated=generated, config=config, base=base)
    except (ReleaseError, GenerationError) as exc:
        lines = str(exc).strip().splitlines()
        raise CliError(" ".join(lines[:2]) if lines else type(exc).__name__) from exc
    if not result.released:
        print(f"openapi.yaml has not changed since release {result.version}; client regenerated")
        return 0
    if result.previous_version is None:
        print(f"released {result.version}: initial release (generated/CHANGELOG.md)")
        return 0
    level = result.level.label if result.level else "no"
    print(
        f"released {result.version} (was {result.previous_version}; largest change: {level}); "
        "review generated/CHANGELOG.md and the diff, then commit"
    )
    print(
        render_changes(
            result.changes,
            "text",
            old=result.previous_version,
            new=result.version,
            client=result.client,
        )
    )
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `docs-check`, `diff` and `regen`."""
    check = subparsers.add_parser(
        "docs-check",
        help="compare a documentation page (a copy or its URL) with the spec",
        description=(
            "Read a documentation page (browser text copy, HTML, Markdown or Mintlify source; "
            "a file or an http(s) URL) and compare what it documents with the spec: an "
            "operation's parameters and fields, the unified video page per model family, "
            "the news page's and the adapter's model lists. --sources checks every source "
            "the settings file lists. Exit 0 when they agree (known deviations recorded with "
            "x-deviation are listed, not counted), 1 on differences, 2 when the page or the "
            "spec cannot be read or fetched (one line says why: dns, timeout, status, "
            "too-big, redirect, not-text, kind)."
        ),
    )
    check.add_argument(
        "page",
        nargs="?",
        metavar="PAGE",
        help="the page: a file (.txt, .html, .md, .mdx) or an http(s) URL",
    )
    check.add_argument(
        "--sources",
        action="store_true",
        help=(
            "check every source of the settings file ([[docs_sources]] in "
            "videos-contract.toml): fetch each, report per source"
        ),
    )
    check.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help=(
            "settings file for --sources (default: videos-contract.toml in the current "
            "folder, else [tool.videos-contract] in its pyproject.toml)"
        ),
    )
    check.add_argument(
        "--kind",
        choices=KINDS,
        default=None,
        help=(
            "what the page is, when it cannot be told from its address (the spec's x-sources) "
            "or its text: unified page, a family's page, news page, adapter's model list, "
            "an operation's page"
        ),
    )
    check.add_argument(
        "--timeout",
        type=positive,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"the most a fetch of one URL may take, redirects included (default: "
        f"{DEFAULT_TIMEOUT:g})",
    )
    check.add_argument(
        "--spec",
        default=PACKAGED,
        metavar="PATH",
        help=f"the spec to compare with: a file, or {_PACKAGED_HELP} (default: {PACKAGED}, "
        "not ./openapi.yaml: pass --spec openapi.yaml for the copy in this folder)",
    )
    check.add_argument(
        "--format",
        choices=FINDING_FORMATS,
        default="text",
        help="text for people, json for scripts (default: text)",
    )
    check.set_defaults(handler=_docs_check)

    diff = subparsers.add_parser(
        "diff",
        help="classify the changes between two specs as breaking or not",
        description=(
            "Compare two specs, each a file, a git revision (REVISION:PATH, e.g. "
            f"HEAD~1:openapi.yaml) or `{PACKAGED}` (the spec this toolkit carries), and "
            "classify every change for client users: breaking, additive or documentation "
            "only. Exit 1 when anything breaks."
        ),
    )
    diff.add_argument(
        "old",
        metavar="OLD",
        help="the earlier spec: a file, REVISION:PATH such as HEAD~1:openapi.yaml, or "
        + _PACKAGED_HELP,
    )
    diff.add_argument(
        "new",
        metavar="NEW",
        help="the later spec: a file, REVISION:PATH such as HEAD:openapi.yaml, or "
        + _PACKAGED_HELP,
    )
    diff.add_argument(
        "--format",
        choices=(*CHANGE_FORMATS, "github"),
        default="text",
        help=(
            f"{', '.join(CHANGE_FORMATS)} or github (default: text; markdown suits a pull "
            "request; github: one ::error/::warning/::notice annotation per change)"
        ),
    )
    diff.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="FILE",
        help="accepted breaking changes: exit 1 only for breaking changes not in FILE",
    )
    diff.add_argument(
        "--update-baseline",
        type=Path,
        default=None,
        metavar="FILE",
        help="write this diff's breaking changes to FILE as accepted (exit 0)",
    )
    diff.add_argument(
        "--client",
        action="store_true",
        help=(
            "second opinion: generate the client of both specs in a temporary folder and "
            "compare its public surface; a disagreement with the rules is reported, and the "
            "larger level counts (needs openapi-python-client and generator-config.yaml)"
        ),
    )
    diff.set_defaults(handler=_diff)

    regen = subparsers.add_parser(
        "regen",
        help="regenerate the client and release it with a version the changes justify",
        description=(
            "Regenerate generated/ from openapi.yaml; when the spec changed since the last "
            "release, bump the client's version (breaking: major, additive: minor, "
            "documentation: patch) and add a changelog entry."
        ),
    )
    regen.add_argument(
        "--project",
        default=str(PROJECT_ROOT),
        metavar="DIR",
        help="folder with openapi.yaml, generator-config.yaml and generated/ (default: this one)",
    )
    regen.set_defaults(handler=_regen)
