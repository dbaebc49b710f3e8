"""Releases of the generated client: its version, its changelog and the spec it was released from.

A release is three things kept in step, all beside the generated package so that they travel
with it: the version (`package_version_override` in `generator-config.yaml`), an entry at the
top of `generated/CHANGELOG.md`, and `generated/openapi.released.yaml`, a copy of the spec it
was generated from. Each changelog entry carries the fingerprint of its spec, so a snapshot
replaced by hand (without an entry) is caught as surely as a spec edited without a release.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from videos_contract.release.specdiff import Change, Level, diff_specs, highest_level
from videos_contract.spec import HTTP_METHODS

__all__ = [
    "CHANGELOG_NAME",
    "RELEASED_SPEC_NAME",
    "RELEASE_FILES",
    "ChangelogEntry",
    "ReleaseError",
    "bump",
    "check_document",
    "load_document",
    "parse_changelog",
    "parse_yaml",
    "read_version",
    "release_problems",
    "render_changes_entry",
    "render_initial_entry",
    "spec_fingerprint",
    "version_in",
    "write_version",
]

CHANGELOG_NAME = "CHANGELOG.md"
RELEASED_SPEC_NAME = "openapi.released.yaml"
# Files in generated/ that belong to the release, not to the generator's output.
RELEASE_FILES = frozenset({CHANGELOG_NAME, RELEASED_SPEC_NAME})

CHANGELOG_HEADER = """# Changelog of aihubmix-videos

Releases of the client generated from `openapi.yaml`, newest first. `make regen` writes each
entry from the classified changes between the last release's spec (`openapi.released.yaml`)
and the new one; the rules and the version policy are in the project's `docs/regeneration.md`.
"""

_VERSION_KEY = "package_version_override"
_VERSION_LINE = re.compile(rf"^(?P<key>{_VERSION_KEY}:[ \t]*)(?P<value>\S+)[ \t]*$", re.M)
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_ENTRY = re.compile(r"^## (?P<version>\d+\.\d+\.\d+)\b.*$", re.M)
_FINGERPRINT = re.compile(r"<!-- spec sha256: (?P<digest>[0-9a-f]{64}) -->")
_SECTIONS = {
    Level.BREAKING: "Breaking changes",
    Level.ADDITIVE: "Additions",
    Level.DOCUMENTATION: "Documentation",
}


class ReleaseError(ValueError):
    """A release file is missing or unreadable; the message says which and why."""


# libyaml's loader when PyYAML has it: ten times faster on the spec, the same documents.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """YAML text parsed with the safe loader (`yaml.YAMLError` when it is not YAML)."""
    return yaml.load(text, Loader=_LOADER)


def load_document(path: Path) -> dict[str, Any]:
    """A spec file as parsed YAML (no `$ref` resolution: the diff follows references itself)."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReleaseError(f"cannot read {path}: {exc}") from exc
    return check_document(raw, str(path))


def check_document(raw: Any, name: str) -> dict[str, Any]:
    """`raw` when it is shaped as an OpenAPI document the diff can read; else `ReleaseError`."""
    if not isinstance(raw, dict) or "paths" not in raw:
        raise ReleaseError(f"{name} is not an OpenAPI document")
    for key in ("paths", "components", "webhooks"):
        if raw.get(key) is not None and not isinstance(raw[key], dict):
            raise ReleaseError(f"{name} is not an OpenAPI document: `{key}` is not a mapping")
    return raw


def spec_fingerprint(document: Mapping[str, Any]) -> str:
    """A digest of the spec's content: comments and key order do not change it."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def version_in(config_text: str, *, source: str = "the generator config") -> str:
    """The version that a generator config's text sets."""
    match = _VERSION_LINE.search(config_text)
    if match is None or not _SEMVER.match(match["value"]):
        raise ReleaseError(f"{source} has no `{_VERSION_KEY}: MAJOR.MINOR.PATCH` line")
    return match["value"]


def read_version(config: Path) -> str:
    """The generated package's version, from the generator's config."""
    try:
        text = config.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReleaseError(f"cannot read {config}: {exc}") from exc
    return version_in(text, source=str(config))


def write_version(config: Path, version: str) -> None:
    """Rewrite only the version line, so the config's comments stay as written."""
    text = config.read_text(encoding="utf-8")
    new, count = _VERSION_LINE.subn(lambda m: f"{m['key']}{version}", text, count=1)
    if count != 1:
        raise ReleaseError(f"{config} has no `{_VERSION_KEY}:` line")
    config.write_text(new, encoding="utf-8")


def _parts(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version)
    if match is None:
        raise ReleaseError(f"not a MAJOR.MINOR.PATCH version: {version!r}")
    return int(match[1]), int(match[2]), int(match[3])


def bump(version: str, level: Level) -> str:
    """The next version: breaking -> major, additive -> minor, documentation -> patch."""
    major, minor, patch = _parts(version)
    if level is Level.BREAKING:
        return f"{major + 1}.0.0"
    if level is Level.ADDITIVE:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True)
class ChangelogEntry:
    """One release as the changelog records it."""

    version: str
    fingerprint: str | None
    body: str

    @property
    def levels(self) -> set[Level]:
        """The levels whose sections the entry has."""
        return {lvl for lvl, title in _SECTIONS.items() if f"\n### {title}\n" in f"\n{self.body}"}


def parse_changelog(text: str) -> list[ChangelogEntry]:
    """The entries of a changelog, newest first, as written."""
    heads = list(_ENTRY.finditer(text))
    entries = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[head.end() : end]
        mark = _FINGERPRINT.search(body)
        entries.append(ChangelogEntry(head["version"], mark["digest"] if mark else None, body))
    return entries


def _entry_head(version: str, date: dt.date, fingerprint: str) -> str:
    return f"## {version} ({date.isoformat()})\n\n<!-- spec sha256: {fingerprint} -->\n"


def render_initial_entry(
    version: str, document: Mapping[str, Any], date: dt.date, fingerprint: str
) -> str:
    """The first release's entry: the operations the client offers."""
    info = document.get("info") or {}
    lines = [
        _entry_head(version, date, fingerprint),
        f"Initial release, generated from {info.get('title', 'the spec')} "
        f"{info.get('version', '')}.".replace(" .", "."),
        "",
        "### Operations",
        "",
    ]
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, Mapping) else None
            if isinstance(op, Mapping):
                summary = op.get("summary", "")
                lines.append(
                    f"- `{method.upper()} {path}` (`{op.get('operationId')}`): {summary}".rstrip()
                )
    return "\n".join(lines) + "\n"


def render_changes_entry(
    version: str, changes: Sequence[Change], date: dt.date, fingerprint: str
) -> str:
    """A release's entry: every classified change, grouped by level."""
    lines = [_entry_head(version, date, fingerprint)]
    for level in sorted(_SECTIONS, reverse=True):
        picked = [c for c in changes if c.level is level]
        if not picked:
            continue
        lines += [f"### {_SECTIONS[level]}", ""]
        lines += [f"- {c.where}: {c.message} (`{c.rule}`)" for c in picked]
        lines.append("")
    return "\n".join(lines)


def _minimum_bump_ok(previous: str, current: str, levels: set[Level]) -> bool:
    """Whether `current` is a large enough step from `previous` for the levels listed."""
    old, new = _parts(previous), _parts(current)
    if new <= old:
        return False
    if Level.BREAKING in levels:
        return new[0] > old[0]
    if Level.ADDITIVE in levels:
        return new[:2] > old[:2]
    return True


def release_problems(spec: Path, generated: Path, config: Path) -> list[str]:
    """Why the spec, the version, the changelog and the released snapshot disagree (if they do).

    Empty when the current spec is the last release's spec, the version in the config is that
    release's, and the changelog's newest entry records exactly that spec.
    """
    snapshot = generated / RELEASED_SPEC_NAME
    changelog = generated / CHANGELOG_NAME
    problems: list[str] = []
    try:
        version = read_version(config)
        current = load_document(spec)
    except ReleaseError as exc:
        return [str(exc)]
    if not snapshot.exists():
        return [f"no released spec at {snapshot}; run `make regen`"]
    if not changelog.exists():
        return [f"no changelog at {changelog}; run `make regen`"]
    try:
        released = load_document(snapshot)
    except ReleaseError as exc:
        return [str(exc)]
    entries = parse_changelog(changelog.read_text(encoding="utf-8"))
    if not entries:
        return [f"{changelog} has no release entry (`## MAJOR.MINOR.PATCH`); run `make regen`"]
    top = entries[0]
    if top.version != version:
        problems.append(
            f"the client's version is {version} ({config.name}) but the newest changelog entry "
            f"is {top.version}: a version change needs its changelog entry (`make regen`)"
        )
    if top.fingerprint != spec_fingerprint(released):
        problems.append(
            f"{snapshot.name} is not the spec that changelog entry {top.version} records: "
            "the released spec changed without a release (`make regen`)"
        )
    if len(entries) > 1:
        previous = entries[1]
        try:
            if not _minimum_bump_ok(previous.version, top.version, top.levels):
                levels = ", ".join(sorted(lvl.label for lvl in top.levels)) or "no"
                problems.append(
                    f"changelog entry {top.version} lists {levels} changes, too small a step "
                    f"from {previous.version} (breaking -> major, additive -> minor)"
                )
        except ReleaseError as exc:
            problems.append(str(exc))
    if spec_fingerprint(current) != spec_fingerprint(released):
        changes = diff_specs(released, current)
        level = highest_level(changes)
        label = level.label if level else "no"
        problems.append(
            f"{spec.name} differs from the last release {top.version} ({RELEASED_SPEC_NAME}) "
            f"by {len(changes)} change(s), the largest {label}: run `make regen` to bump the "
            "version and add a changelog entry"
        )
        problems += [f"  {c.level.label}: {c.where}: {c.message}" for c in changes[:10]]
    return problems
