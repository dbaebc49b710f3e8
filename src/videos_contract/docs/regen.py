"""`make regen`: regenerate the client and release it under a version the changes justify.

The flow is edit `openapi.yaml` -> `make regen` -> review the diff -> commit. The spec is
compared with the last release's (`generated/openapi.released.yaml`); the highest level of the
changes picks the semver step; the config's version line, the generated package, the snapshot
and a new changelog entry are written together. A spec with no change since the release only
regenerates (the version stays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from videos_contract.docs.release import (
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
    write_version,
)
from videos_contract.docs.specdiff import Change, Level, diff_specs, highest_level
from videos_contract.generation import generate
from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, SPEC_PATH

__all__ = ["RegenResult", "regen"]


@dataclass(frozen=True)
class RegenResult:
    """What `regen` did: the versions before and after, and the changes that decided it."""

    previous_version: str | None
    version: str
    changes: tuple[Change, ...]
    released: bool

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
) -> RegenResult:
    """Regenerate `generated` from `spec` and, when the spec changed, release a new version."""
    date = today or dt.date.today()
    current = load_document(spec)
    fingerprint = spec_fingerprint(current)
    snapshot = generated / RELEASED_SPEC_NAME
    changelog = generated / CHANGELOG_NAME
    configured = read_version(config)
    changes: tuple[Change, ...] = ()
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
        entry = render_changes_entry(version, changes, date, fingerprint)
    original_config = config.read_text(encoding="utf-8")
    write_version(config, version)
    try:
        generate(generated, spec=spec, config=config)
    except BaseException:
        config.write_text(original_config, encoding="utf-8")
        raise
    snapshot.write_bytes(spec.read_bytes())
    changelog.write_text(_with_entry(changelog, entry), encoding="utf-8")
    return RegenResult(previous, version, changes, released=True)
