"""`videos-contract` docs commands: `docs-check`, `diff` and `regen`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from videos_contract.cli.common import CliError
from videos_contract.docs.report import FORMATS as FINDING_FORMATS
from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, PROJECT_ROOT, SPEC_PATH
from videos_contract.release.report import FORMATS as CHANGE_FORMATS

if TYPE_CHECKING:
    from videos_contract.baseline import Entry
    from videos_contract.release.specdiff import Change

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


def _docs_check(args: argparse.Namespace) -> int:
    from videos_contract.docs.catalogue import catalogue_source, compare_catalogue
    from videos_contract.docs.drift import compare_page, find_operation
    from videos_contract.docs.page import PageError, read_page
    from videos_contract.docs.report import render_findings
    from videos_contract.docs.unified import compare_unified, is_unified, read_unified
    from videos_contract.families import CREATE_OPERATION
    from videos_contract.spec import Spec, SpecError

    page_path = Path(args.page)
    try:
        spec = Spec.from_file(Path(_spec_source(args.spec)))
    except SpecError as exc:
        raise CliError(str(exc), exit_code=2) from exc
    try:
        text = page_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {page_path}: {exc}", exit_code=2) from exc
    source = catalogue_source(page_path, spec)
    if source is not None:
        # The news page or the adapter's model list: the models it names, per model.
        found = compare_catalogue(source, text, spec)
        where = f"POST /v1/videos ({CREATE_OPERATION}), the model catalogue of {source.title}"
        print(render_findings(found, args.format, page=page_path.name, operation=where))
        return 1 if any(not f.known for f in found) else 0
    if is_unified(text, spec):
        # The unified video page: every model family, compared field by field.
        unified = read_unified(page_path, spec)
        found = compare_unified(unified, spec, folder=page_path.parent)
        where = f"POST /v1/videos ({CREATE_OPERATION}), per model family"
        print(render_findings(found, args.format, page=page_path.name, operation=where))
        return 1 if any(not f.known for f in found) else 0
    try:
        page = read_page(page_path)
    except PageError as exc:
        raise CliError(str(exc), exit_code=2) from exc
    findings = compare_page(page, spec)
    op = find_operation(spec, page.method, page.path)
    name = f"{page.method} {page.path}" + (f" ({op.operation_id})" if op else "")
    print(render_findings(findings, args.format, page=page_path.name, operation=name))
    return 1 if any(not f.known for f in findings) else 0


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
        help="compare a copy of a documentation page with the spec",
        description=(
            "Read a documentation page (browser text copy, HTML or Markdown) and compare every "
            "parameter and field it documents with the spec's operation. Exit 0 when they agree "
            "(known deviations recorded with x-deviation are listed, not counted), 1 on "
            "differences, 2 when the page or the spec cannot be read."
        ),
    )
    check.add_argument("page", metavar="PAGE", help="the page file (.txt, .html or .md)")
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
