"""The README's spec-change workflow, followed step by step in a copy of the checkout, ends green.

The page changes in four ways at once (a size added, a size removed, the seconds default
changed, and a length changed: the longest becomes one between the two longest, as 4, 8, 12
becoming 4, 8, 10). The copy then gets exactly the edits the README's "When the documentation
or the spec changes" section asks for, runs its commands in order, and the checks of
`make test` that read the page, the unified page's copies or the spec (the drift check, the
lock check, the traceability and page tests, docs-check, the diff's rules) pass. Only those
checks run here: the whole suite would take minutes.

The unified video page's copies are not edited (the gateway changed one page, not the other):
the README's step 2 says to record their values as a deviation of Sora's field, and this test
does exactly that.
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
    "tests/docs",
    "tests/release/test_specdiff.py",
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
    (unified,) = [c for c in commands if "docs-check" in c and "video-gen" in c]
    named["docs-check unified"] = unified
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
    # A value changed, not only added: the longest length becomes one between the two longest.
    lengths = list(spec.enum("VideoSeconds"))
    dropped = lengths[-1]
    changed = str((int(lengths[-2]) + int(dropped)) // 2)
    assert changed not in lengths
    new_lengths = [*lengths[:-1], changed]

    # The page changed: its new text replaces the page copy.
    page = checkout.page.read_text(encoding="utf-8")
    page = _replace(page, ", ".join(sizes), ", ".join(new_sizes), 1)
    page = _replace(page, ",\n".join(sizes), ",\n".join(new_sizes), 2)
    page = _replace(
        page, f"Defaults to {old_seconds} seconds.", f"Defaults to {new_seconds} seconds.", 1
    )
    page = _replace(page, ", ".join(lengths), ", ".join(new_lengths), 1)
    page = _replace(page, ",\n".join(lengths), ",\n".join(new_lengths), 1)
    checkout.page.write_text(page, encoding="utf-8")

    # Step 1: docs-check names each difference.
    found = checkout.run(steps["docs-check"] + " --format json")
    assert found.returncode == 1, found.stdout + found.stderr
    named = found.stdout
    assert ADDED_SIZE in named and removed in named and f"{new_seconds}" in named
    assert f"not in the spec: {changed}" in named and f"missing on the page: {dropped}" in named

    # Step 2: edit openapi.yaml to match: the enums' values wherever the spec lists them, the
    # default, and every example that uses the length the page no longer lists.
    spec_text = _replace(spec_text, ", ".join(sizes), ", ".join(new_sizes), 2)
    block = re.search(r"\n    VideoSeconds:\n(?:      .*\n)+", spec_text)
    assert block is not None
    seconds_block = _replace(block[0], f"default: '{old_seconds}'", f"default: '{new_seconds}'", 1)
    listed = ", ".join(f"'{v}'" for v in lengths)
    seconds_block = _replace(seconds_block, listed, ", ".join(f"'{v}'" for v in new_lengths), 1)
    spec_text = spec_text.replace(block[0], seconds_block)
    spec_text = re.sub(
        rf"(\n +seconds: )'{dropped}'\n", rf"\g<1>'{changed}'\n", spec_text
    )  # the examples
    (checkout.root / "openapi.yaml").write_text(spec_text, encoding="utf-8")
    assert "page and spec agree" in _ok(checkout.run(steps["docs-check"]))

    # The unified page's copy still says what the page said before for Sora: docs-check names
    # each field (the default and the lengths, the sizes).
    unified = checkout.run(steps["docs-check unified"])
    assert unified.returncode == 1, unified.stdout + unified.stderr
    for field in ("(sora) `seconds`", "(sora) `size`"):
        assert field in unified.stdout, unified.stdout
    assert f"not in the spec: {dropped}" in unified.stdout
    # The gateway's pages disagree: a deviation beside each of Sora's fields names the values
    # the two pages disagree on, and docs/deviations.md has its row.
    disagreements = {
        "seconds": [old_seconds, new_seconds, dropped, changed],
        "size": [removed, ADDED_SIZE],
    }
    sora = re.search(r"\n    CreateVideoJsonRequest:\n(?:      .*\n|        .*\n)+", spec_text)
    assert sora is not None
    deviated = sora[0]
    rows = ""
    for field, values in disagreements.items():
        reference = "VideoSeconds" if field == "seconds" else "VideoSize"
        line = f"        {field}:\n          $ref: '#/components/schemas/{reference}'\n"
        reason = (
            f"The unified video page still says {', '.join(f'`{v}`' for v in values[::2])} "
            f"where the create page, which this contract follows, says "
            f"{', '.join(f'`{v}`' for v in values[1::2])}."
        )
        deviated = _replace(deviated, line, f"{line}          x-deviation: {reason}\n", 1)
        pointer = f"#/components/schemas/CreateVideoJsonRequest/properties/{field}"
        rows += f"| `{pointer}` | The unified page's values. | The create page's. | {reason} |\n"
    spec_text = spec_text.replace(sora[0], deviated)
    (checkout.root / "openapi.yaml").write_text(spec_text, encoding="utf-8")
    deviations = checkout.root / "docs" / "deviations.md"
    table = deviations.read_text(encoding="utf-8")
    first_table_end = table.index("\n\n", table.index("| Spec location |")) + 1
    deviations.write_text(table[:first_table_end] + rows + table[first_table_end:], "utf-8")
    assert "page and spec agree" in _ok(checkout.run(steps["docs-check unified"]))
    assert "page and spec agree" in _ok(checkout.run(steps["docs-check"]))

    # The diff shows the change and, a size being gone, calls it breaking.
    diff = checkout.run(steps["diff"])
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert ADDED_SIZE in diff.stdout and removed in diff.stdout and dropped in diff.stdout

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
