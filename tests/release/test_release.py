"""Releases: versions, the changelog, and the gate that keeps them in step with the spec."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from videos_contract.cli import main
from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, SPEC_PATH
from videos_contract.release.gate import (
    CHANGELOG_NAME,
    RELEASED_SPEC_NAME,
    bump,
    load_document,
    parse_changelog,
    read_version,
    release_problems,
    render_changes_entry,
    spec_fingerprint,
    write_version,
)
from videos_contract.release.generation import check
from videos_contract.release.regen import committed_state, regen
from videos_contract.release.specdiff import Level, diff_specs

DAY = dt.date(2026, 12, 1)
# The project's current release; the tests work on copies of it, whatever its version.
CURRENT = read_version(GENERATOR_CONFIG)
PATCH, MINOR, MAJOR = (
    bump(CURRENT, lv) for lv in (Level.DOCUMENTATION, Level.ADDITIVE, Level.BREAKING)
)


def _problems(root: Path) -> list[str]:
    return release_problems(
        root / "openapi.yaml", root / "generated", root / "generator-config.yaml"
    )


def _edit_spec(root: Path, mutate: str) -> None:
    spec = root / "openapi.yaml"
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    if mutate == "documentation":
        schemas["VideoPrompt"]["description"] = "Say what the video shows."
    elif mutate == "additive":
        schemas["VideoSeconds"]["enum"].append("16")
    elif mutate == "breaking":
        schemas["VideoStatus"]["enum"].append("expired")
    spec.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("level", "expected"),
    [(Level.BREAKING, "2.0.0"), (Level.ADDITIVE, "1.3.0"), (Level.DOCUMENTATION, "1.2.4")],
)
def test_bump(level: Level, expected: str) -> None:
    assert bump("1.2.3", level) == expected


def test_write_version_touches_only_its_line(tmp_path: Path) -> None:
    config = tmp_path / "generator-config.yaml"
    shutil.copy(GENERATOR_CONFIG, config)
    before = config.read_text(encoding="utf-8")
    write_version(config, "7.8.9")
    after = config.read_text(encoding="utf-8")
    assert read_version(config) == "7.8.9"
    assert [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b] == [
        f"package_version_override: {read_version(GENERATOR_CONFIG)}"
    ]


def test_the_current_state_is_a_consistent_release() -> None:
    entries = parse_changelog((GENERATED_DIR / CHANGELOG_NAME).read_text(encoding="utf-8"))
    assert entries[0].version == CURRENT
    assert entries[-1].version == "1.0.0"
    assert "Initial release" in entries[-1].body
    assert "`POST /v1/videos` (`createVideo`)" in entries[-1].body
    assert release_problems(SPEC_PATH, GENERATED_DIR, GENERATOR_CONFIG) == []


def test_a_copy_of_the_project_passes(project: Path) -> None:
    assert _problems(project) == []


@pytest.mark.parametrize("edit", ["documentation", "additive", "breaking"])
def test_spec_edit_without_release_fails(project: Path, edit: str) -> None:
    _edit_spec(project, edit)
    problems = _problems(project)
    assert f"openapi.yaml differs from the last release {CURRENT}" in problems[0]
    assert f"the largest {edit}" in problems[0]
    assert "make regen" in problems[0]


def test_version_bump_without_changelog_entry_fails(project: Path) -> None:
    write_version(project / "generator-config.yaml", MINOR)
    problems = _problems(project)
    assert len(problems) == 1
    assert f"version is {MINOR}" in problems[0]
    assert f"newest changelog entry is {CURRENT}" in problems[0]


def test_snapshot_replaced_without_an_entry_fails(project: Path) -> None:
    _edit_spec(project, "additive")
    shutil.copy(project / "openapi.yaml", project / "generated" / RELEASED_SPEC_NAME)
    problems = _problems(project)
    assert len(problems) == 1
    assert "released spec changed without a release" in problems[0]


def _release_by_hand(root: Path, version: str, edit: str) -> None:
    """What `regen` writes, minus generation: enough for the release gate."""
    old = load_document(root / "generated" / RELEASED_SPEC_NAME)
    _edit_spec(root, edit)
    new = load_document(root / "openapi.yaml")
    entry = render_changes_entry(version, diff_specs(old, new), DAY, spec_fingerprint(new))
    changelog = root / "generated" / CHANGELOG_NAME
    text = changelog.read_text(encoding="utf-8")
    cut = text.index("\n## ") + 1
    changelog.write_text(text[:cut] + entry + "\n" + text[cut:], encoding="utf-8")
    shutil.copy(root / "openapi.yaml", root / "generated" / RELEASED_SPEC_NAME)
    write_version(root / "generator-config.yaml", version)


def test_a_consistent_release_passes(project: Path) -> None:
    _release_by_hand(project, MAJOR, "breaking")
    assert _problems(project) == []


def test_too_small_a_bump_fails(project: Path) -> None:
    _release_by_hand(project, MINOR, "breaking")
    problems = _problems(project)
    assert len(problems) == 1
    assert f"lists breaking changes, too small a step from {CURRENT}" in problems[0]


def test_missing_release_files_fail(project: Path) -> None:
    (project / "generated" / RELEASED_SPEC_NAME).unlink()
    assert "no released spec" in _problems(project)[0]


def test_regen_releases_and_passes_the_gate(project: Path) -> None:
    """The whole flow on a copy: edit -> regen -> check passes; regen again changes nothing."""
    spec, generated, config = (
        project / "openapi.yaml",
        project / "generated",
        project / "generator-config.yaml",
    )
    before = len(parse_changelog((generated / CHANGELOG_NAME).read_text(encoding="utf-8")))
    _edit_spec(project, "additive")
    result = regen(spec=spec, generated=generated, config=config, today=DAY)
    assert (result.previous_version, result.version, result.level) == (
        CURRENT,
        MINOR,
        Level.ADDITIVE,
    )
    assert read_version(config) == MINOR
    assert f'version = "{MINOR}"' in (generated / "pyproject.toml").read_text(encoding="utf-8")
    entries = parse_changelog((generated / CHANGELOG_NAME).read_text(encoding="utf-8"))
    assert [e.version for e in entries][:2] == [MINOR, CURRENT]
    assert len(entries) == before + 1
    assert f"## {MINOR} (2026-12-01)" in (generated / CHANGELOG_NAME).read_text(encoding="utf-8")
    assert "### Additions" in entries[0].body
    assert "- request schema VideoSeconds: new enum value '16'" in entries[0].body
    assert (generated / RELEASED_SPEC_NAME).read_bytes() == spec.read_bytes()
    assert check(generated, spec=spec, config=config) == []
    # The released client's surface against the new one: a Literal gains a value.
    assert result.client is not None
    assert result.client.notes == ("the generated client agrees (additive)",)
    assert any(c.name == "models.video_seconds.VideoSeconds" for c in result.client.surface)

    again = regen(spec=spec, generated=generated, config=config, today=DAY)
    assert (again.released, again.version) == (False, MINOR)
    assert len(parse_changelog((generated / CHANGELOG_NAME).read_text(encoding="utf-8"))) == len(
        entries
    )


def test_an_uncommitted_release_is_redone_not_stacked(project: Path) -> None:
    """edit -> regen -> edit -> regen -> commit gives one entry and one bump."""

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", f"release {CURRENT}")
    spec, generated, config = (
        project / "openapi.yaml",
        project / "generated",
        project / "generator-config.yaml",
    )
    assert committed_state(generated, config) is None  # nothing pending yet
    _edit_spec(project, "additive")
    first = regen(spec=spec, generated=generated, config=config, today=DAY)
    assert first.version == MINOR
    pending = committed_state(generated, config)
    assert pending is not None and pending.version == CURRENT
    _edit_spec(project, "breaking")
    second = regen(spec=spec, generated=generated, config=config, today=DAY, base=pending)
    assert (second.previous_version, second.version) == (CURRENT, MAJOR)
    entries = parse_changelog((generated / CHANGELOG_NAME).read_text(encoding="utf-8"))
    assert [e.version for e in entries][:2] == [MAJOR, CURRENT]
    assert "new enum value '16'" in entries[0].body  # the first edit is still listed
    assert "new enum value 'expired'" in entries[0].body
    assert _problems(project) == []


def test_regen_command(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regen", "--project", str(project)]) == 0
    assert f"has not changed since release {CURRENT}" in capsys.readouterr().out
    _edit_spec(project, "documentation")
    assert main(["regen", "--project", str(project)]) == 0
    out = capsys.readouterr().out
    assert f"released {PATCH} (was {CURRENT}; largest change: documentation)" in out
    assert "request schema VideoPrompt: `description` changed [documentation]" in out
    assert (
        "Generated client (second opinion):\n  the generated client's public surface is unchanged"
        in out
    )
    assert read_version(project / "generator-config.yaml") == PATCH


def test_regen_command_on_a_broken_spec_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "openapi.yaml").write_text("paths: [unclosed\n", encoding="utf-8")
    assert main(["regen", "--project", str(project)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("videos-contract regen: error: cannot read")
    assert read_version(project / "generator-config.yaml") == CURRENT
