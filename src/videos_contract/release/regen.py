"""`make regen`: regenerate the client and release it under a version the changes justify.

The flow is edit `openapi.yaml` -> `make regen` -> review the diff -> commit. The spec is
compared with the last release's (`generated/openapi.released.yaml`); the highest level of the
changes picks the semver step; the config's version line, the generated package, the snapshot
and a new changelog entry are written together. A spec with no change since the release only
regenerates (the version stays).

A release not committed yet is redone rather than stacked: when the working tree's release
files differ from the last commit's (`committed_state`), `regen` starts again from the
committed release, so edit -> regen -> edit -> regen -> commit gives one entry and one bump.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, SPEC_PATH
from videos_contract.release.gate import (
    CHANGELOG_HEADER,
    CHANGELOG_NAME,
    RELEASED_SPEC_NAME,
    bump,
    load_document,
    parse_changelog,
    read_version,
    render_changes_entry,
    render_initial_entry,
    spec_fingerprint,
    version_in,
    write_version,
)
from videos_contract.release.generation import generate
from videos_contract.release.sources import git_show
from videos_contract.release.specdiff import Change, Level, diff_specs, highest_level
from videos_contract.release.surface import (
    ClientOpinion,
    Surface,
    SurfaceError,
    client_surface,
    compare_surfaces,
    judge,
    merged,
    package_in,
    surface_of,
)

__all__ = ["RegenResult", "ReleaseState", "committed_state", "regen"]


@dataclass(frozen=True)
class ReleaseState:
    """The release files as some commit has them."""

    version: str
    snapshot: str
    changelog: str


def committed_state(
    generated: Path = GENERATED_DIR, config: Path = GENERATOR_CONFIG, *, revision: str = "HEAD"
) -> ReleaseState | None:
    """The release at `revision` when the work tree holds a different, uncommitted one.

    None when git cannot tell (no repository, files not committed) or nothing is pending.
    """
    snapshot = git_show(revision, generated / RELEASED_SPEC_NAME)
    changelog = git_show(revision, generated / CHANGELOG_NAME)
    config_text = git_show(revision, config)
    if snapshot is None or changelog is None or config_text is None:
        return None
    working_snapshot = generated / RELEASED_SPEC_NAME
    working_changelog = generated / CHANGELOG_NAME
    if (
        working_snapshot.exists()
        and working_changelog.exists()
        and working_snapshot.read_text(encoding="utf-8") == snapshot
        and working_changelog.read_text(encoding="utf-8") == changelog
        and read_version(config) == version_in(config_text)
    ):
        return None
    return ReleaseState(version_in(config_text), snapshot, changelog)


@dataclass(frozen=True)
class RegenResult:
    """What `regen` did: the versions before and after, the changes that decided it, and the
    generated client's second opinion on them (None for an initial or unchanged release)."""

    previous_version: str | None
    version: str
    changes: tuple[Change, ...]
    released: bool
    client: ClientOpinion | None = None

    @property
    def level(self) -> Level | None:
        return highest_level(self.changes)


def _with_entry(changelog: Path, entry: str) -> str:
    """The changelog with `entry` above the newest existing entry."""
    text = changelog.read_text(encoding="utf-8") if changelog.exists() else CHANGELOG_HEADER
    cut = text.find("\n## ")
    if cut < 0:
        return text.rstrip("\n") + "\n\n" + entry
    return text[: cut + 1] + entry + "\n" + text[cut + 1 :]


def regen(
    *,
    spec: Path = SPEC_PATH,
    generated: Path = GENERATED_DIR,
    config: Path = GENERATOR_CONFIG,
    today: dt.date | None = None,
    base: ReleaseState | None = None,
) -> RegenResult:
    """Regenerate `generated` from `spec` and, when the spec changed, release a new version.

    With `base`, the release files are first put back as `base` has them (see
    `committed_state`), so an uncommitted release is replaced instead of followed.
    """
    date = today or dt.date.today()
    if base is not None:
        (generated / RELEASED_SPEC_NAME).write_text(base.snapshot, encoding="utf-8")
        (generated / CHANGELOG_NAME).write_text(base.changelog, encoding="utf-8")
        write_version(config, base.version)
    current = load_document(spec)
    fingerprint = spec_fingerprint(current)
    snapshot = generated / RELEASED_SPEC_NAME
    changelog = generated / CHANGELOG_NAME
    configured = read_version(config)
    changes: tuple[Change, ...] = ()
    released_surface: Surface | None = None
    if not snapshot.exists():
        # The first release: the configured version, with every operation listed.
        previous, version = None, configured
        entry = render_initial_entry(version, current, date, fingerprint)
    else:
        released = load_document(snapshot)
        changes = tuple(diff_specs(released, current))
        level = highest_level(changes)
        entries = (
            parse_changelog(changelog.read_text(encoding="utf-8")) if changelog.exists() else []
        )
        previous = entries[0].version if entries else configured
        if level is None:
            generate(generated, spec=spec, config=config)
            return RegenResult(previous, previous, (), released=False)
        version = bump(previous, level)
        try:
            released_surface = surface_of(released, config=config)
        except SurfaceError:
            released_surface = None  # no second opinion; the rules alone decide
    original_config = config.read_text(encoding="utf-8")
    client: ClientOpinion | None = None
    try:
        write_version(config, version)
        generate(generated, spec=spec, config=config)
        if released_surface is not None and previous is not None:
            # The second opinion: the released client's surface against the new one.
            fresh = client_surface(package_in(generated))
            client = judge(changes, compare_surfaces(released_surface, fresh))
            if client.disagreements:
                changes = tuple(merged(changes, client))
                widened = bump(previous, highest_level(changes) or Level.DOCUMENTATION)
                if widened != version:
                    version = widened
                    write_version(config, version)
                    generate(generated, spec=spec, config=config)
    except BaseException:
        config.write_text(original_config, encoding="utf-8")
        raise
    if previous is not None:
        entry = render_changes_entry(version, changes, date, fingerprint)
    snapshot.write_bytes(spec.read_bytes())
    changelog.write_text(_with_entry(changelog, entry), encoding="utf-8")
    return RegenResult(previous, version, changes, released=True, client=client)
