"""The golden-record gate: generated/ must be what the spec generates, and released with it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from videos_contract.cli import main as cli_main
from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG
from videos_contract.release.gate import CHANGELOG_NAME, RELEASED_SPEC_NAME, read_version
from videos_contract.release.generation import (
    GenerationError,
    check,
    diff_trees,
    generate,
    generate_into,
    main,
)

CURRENT = read_version(GENERATOR_CONFIG)  # the project's current release


def _add_query_parameter(root: Path) -> None:
    """An edit that changes generated code: `listVideos` gains an optional filter."""
    spec = root / "openapi.yaml"
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    doc["paths"]["/v1/videos"]["get"]["parameters"].append(
        {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}}
    )
    spec.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _check(root: Path) -> list[str]:
    return check(
        root / "generated", spec=root / "openapi.yaml", config=root / "generator-config.yaml"
    )


def test_spec_edit_without_regeneration_fails(project: Path) -> None:
    _add_query_parameter(project)
    problems = _check(project)
    assert any(p.startswith("differs: aihubmix_videos/api/videos/list_videos.py") for p in problems)
    assert any(f"openapi.yaml differs from the last release {CURRENT}" in p for p in problems)


def test_generation_without_a_release_fails(project: Path) -> None:
    """`make generate` alone is not enough: the version and changelog must follow."""
    _add_query_parameter(project)
    generate(
        project / "generated",
        spec=project / "openapi.yaml",
        config=project / "generator-config.yaml",
    )
    # The release files are not the generator's, and survive it.
    for name in (CHANGELOG_NAME, RELEASED_SPEC_NAME):
        assert (project / "generated" / name).read_bytes() == (GENERATED_DIR / name).read_bytes()
    problems = _check(project)
    assert not any(p.startswith(("differs:", "missing:", "not generated")) for p in problems)
    assert f"openapi.yaml differs from the last release {CURRENT}" in problems[0]
    assert "the largest additive" in problems[0]


def test_hand_edit_of_generated_code_fails(project: Path) -> None:
    client = project / "generated" / "aihubmix_videos" / "client.py"
    client.write_text(client.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    (project / "generated" / "aihubmix_videos" / "extra.py").write_text("x = 1\n")
    problems = _check(project)
    assert problems[0] == "not generated (stray file): aihubmix_videos/extra.py"
    assert problems[1].startswith("differs: aihubmix_videos/client.py")
    assert len(problems) == 2


def test_diff_trees_skips_only_what_it_is_told(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "pkg").mkdir(parents=True)
        (root / "pkg" / "m.py").write_text("x = 1\n")
    (b / "CHANGELOG.md").write_text("# log\n")
    assert diff_trees(a, b) == ["not generated (stray file): CHANGELOG.md"]
    assert diff_trees(a, b, skip=frozenset({"CHANGELOG.md"})) == []
    (b / "pkg" / "CHANGELOG.md").write_text("# nested\n")
    assert diff_trees(a, b, skip=frozenset({"CHANGELOG.md"})) == [
        "not generated (stray file): pkg/CHANGELOG.md"
    ]


def test_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """The committed tree itself is checked by `make check-generated` before pytest runs."""
    assert main(["bogus"]) == 2
    usage = "usage: python -m videos_contract.release.generation generate|check"
    assert usage in capsys.readouterr().err


def test_without_the_generator_regen_says_where_it_runs(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An install without openapi-python-client (the toolkit's wheel, any extra): one line,
    and nothing of the project touched."""
    before = {p: p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}
    elsewhere = tmp_path / "bin"
    elsewhere.mkdir()
    monkeypatch.setattr(sys, "executable", str(elsewhere / "python"))
    monkeypatch.setenv("PATH", str(elsewhere))
    with pytest.raises(GenerationError, match="openapi-python-client is not installed"):
        generate_into(tmp_path / "client")
    assert cli_main(["regen", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "videos-contract regen: error: openapi-python-client is not installed: generating the "
        "client runs in a checkout's dev environment (make env)\n"
    )
    assert {p: p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()} == before
