"""The README's spec-change workflow, followed step by step in a copy of the checkout, ends green.

The page changes in three ways at once (a size added, a size removed, the seconds default
changed). The copy then gets exactly the edits the README's "When the documentation or the
spec changes" section asks for, runs its commands in order, and the checks of `make test` that
read the page or the spec (the drift check, the lock check, the traceability and page tests,
docs-check) pass. Only those checks run here: the whole suite would take minutes.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from videos_contract.spec import load_spec

ADDED_SIZE = "1080x1920"
# The checks of `make test` that read the page copy, its forms or the spec's values.
PAGE_TESTS = (
    "tests/spec",
    "tests/docs/test_page.py",
    "tests/docs/test_check.py",
    "tests/docs/test_page_forms.py",
)


def _section(readme: str) -> str:
    return readme.split("## When the documentation or the spec changes", 1)[1].split("\n## ")[0]


def _steps(checkout: Any) -> dict[str, str]:
    """The commands of the README's workflow section, by their first words."""
    section = _section((checkout.root / "README.md").read_text(encoding="utf-8"))
    (block,) = re.findall(r"^```sh\n(.*?)^```", section, flags=re.S | re.M)
    commands = [line.strip() for line in block.splitlines() if line.strip()]
    named: dict[str, str] = {}
    for command in commands:
        words = command.replace(".venv/bin/videos-contract ", "").split()
        # The first `docs-check` reads the page copy this test changes; a later one reads the
        # unified video page, which the change does not touch.
        named.setdefault(" ".join(words[:2]) if words[0] == "make" else words[0], command)
    assert list(named) == ["docs-check", "diff", "make regen", "make pages"], commands
    assert str(checkout.page.name) in named["docs-check"], named["docs-check"]
    return named


def _ok(result: Any) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return str(result.stdout + result.stderr)


def _replace(text: str, old: str, new: str, count: int) -> str:
    assert text.count(old) == count, (old, text.count(old))
    return text.replace(old, new)


def test_readme_workflow_after_a_page_change_ends_green(checkout: Any) -> None:
    if not checkout.page.exists():
        if os.environ.get("CI"):
            pytest.fail(f"documentation page not found at {checkout.page}")
        pytest.skip(f"documentation page not found at {checkout.page}")
    steps = _steps(checkout)
    spec = load_spec()
    sizes = list(spec.enum("VideoSize"))
    spec_text = (checkout.root / "openapi.yaml").read_text(encoding="utf-8")
    # The size to remove: not the default, and the one the spec mentions least (its examples).
    removed = min(
        (s for s in sizes if s != spec.default("VideoSize")), key=lambda s: spec_text.count(s)
    )
    new_sizes = [s for s in sizes if s != removed] + [ADDED_SIZE]
    old_seconds = spec.default("VideoSeconds")
    new_seconds = next(s for s in spec.enum("VideoSeconds") if s != old_seconds)

    # The page changed: its new text replaces the page copy.
    page = checkout.page.read_text(encoding="utf-8")
    page = _replace(page, ", ".join(sizes), ", ".join(new_sizes), 1)
    page = _replace(page, ",\n".join(sizes), ",\n".join(new_sizes), 2)
    page = _replace(
        page, f"Defaults to {old_seconds} seconds.", f"Defaults to {new_seconds} seconds.", 1
    )
    checkout.page.write_text(page, encoding="utf-8")

    # Step 1: docs-check names each difference.
    found = checkout.run(steps["docs-check"] + " --format json")
    assert found.returncode == 1, found.stdout + found.stderr
    named = found.stdout
    assert ADDED_SIZE in named and removed in named and f"{new_seconds}" in named

    # Step 2: edit openapi.yaml to match (the enum's values, wherever the spec lists them).
    spec_text = _replace(spec_text, ", ".join(sizes), ", ".join(new_sizes), 2)
    block = re.search(r"\n    VideoSeconds:\n(?:      .*\n)+", spec_text)
    assert block is not None
    seconds_block = _replace(block[0], f"default: '{old_seconds}'", f"default: '{new_seconds}'", 1)
    spec_text = spec_text.replace(block[0], seconds_block)
    (checkout.root / "openapi.yaml").write_text(spec_text, encoding="utf-8")
    assert "page and spec agree" in _ok(checkout.run(steps["docs-check"]))

    # The diff shows the change and, a size being gone, calls it breaking.
    diff = checkout.run(steps["diff"])
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert ADDED_SIZE in diff.stdout and removed in diff.stdout

    # Step 3: make regen releases a new major version.
    released = _ok(checkout.run(steps["make regen"]))
    bump = re.search(
        r"released (\d+)\.0\.0 \(was (\d+)\.\d+\.\d+; largest change: breaking\)", released
    )
    assert bump is not None and int(bump[1]) == int(bump[2]) + 1, released
    # Until the forms are rendered, the forms test says what to run.
    stale = checkout.run(".venv/bin/pytest -q -p no:cacheprovider tests/docs/test_page_forms.py")
    assert stale.returncode == 1 and "run `make pages`" in stale.stdout

    # Step 4: make pages renders the forms from the new copy.
    _ok(checkout.run(steps["make pages"]))
    assert ADDED_SIZE in (checkout.root / "tests/docs/pages/create-a-video.md").read_text("utf-8")

    # `make test`'s checks of the page and the spec pass.
    _ok(checkout.run("make check-generated"))
    _ok(checkout.run("make lock-check"))
    tests = _ok(checkout.run(".venv/bin/pytest -q -p no:cacheprovider " + " ".join(PAGE_TESTS)))
    assert re.search(r"\d+ passed", tests) and "skipped" not in tests, tests
