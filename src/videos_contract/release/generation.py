"""Generate the client in `generated/` from `openapi.yaml`, and prove it is up to date.

The generated package is a committed "golden record": `generate` rewrites it whole from the
spec, and `check` generates a fresh copy in a temporary folder and compares the two trees
file by file, so a spec edit without regeneration (or a hand edit of generated code) fails.

Two files in `generated/` are not the generator's: the changelog and the snapshot of the last
released spec (`videos_contract.release.gate.RELEASE_FILES`). `generate` keeps them, the tree
comparison skips them, and `check` instead proves that the spec, the client's version and the
changelog agree (a spec edit needs `make regen`, not only `make generate`).
"""

from __future__ import annotations

import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, SPEC_PATH, TEMPLATES_DIR
from videos_contract.release.gate import RELEASE_FILES, release_problems

__all__ = ["GenerationError", "check", "diff_trees", "generate", "generate_into", "main"]

# Caches and build leftovers that are not part of the generated source.
_IGNORED_NAMES = {".ruff_cache", "__pycache__", ".mypy_cache", ".pytest_cache"}


class GenerationError(RuntimeError):
    """The generator failed or warned; its output is in the message."""


def _generator_command() -> list[str]:
    exe = Path(sys.executable).with_name("openapi-python-client")
    if exe.exists():
        return [str(exe)]
    if shutil.which("openapi-python-client") is None:
        # A dev tool, in no extra: an installed toolkit diffs specs, a checkout regenerates.
        raise GenerationError(
            "openapi-python-client is not installed: generating the client runs in a "
            "checkout's dev environment (make env)"
        )
    return ["openapi-python-client"]


def generate_into(dest: Path, *, spec: Path = SPEC_PATH, config: Path = GENERATOR_CONFIG) -> None:
    """Generate the client package into `dest`, which must not exist yet."""
    env = dict(os.environ)
    # The generator's post hooks call ruff by name: make it the project's pinned ruff.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [
        *_generator_command(),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(config),
        "--meta",
        "uv",
        "--output-path",
        str(dest),
        "--fail-on-warning",
        "--custom-template-path",
        str(TEMPLATES_DIR),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0 or not dest.is_dir():
        raise GenerationError(f"openapi-python-client failed:\n{proc.stdout}\n{proc.stderr}")
    for ignored in _IGNORED_NAMES:
        for path in dest.rglob(ignored):
            shutil.rmtree(path, ignore_errors=True)


def generate(
    target: Path = GENERATED_DIR, *, spec: Path = SPEC_PATH, config: Path = GENERATOR_CONFIG
) -> None:
    """Regenerate `target` whole: generate beside it, then swap, so no stray file survives.

    The release files (changelog, released spec) are not the generator's and are kept.
    """
    with tempfile.TemporaryDirectory(prefix="generate-") as tmp:
        fresh = Path(tmp) / "client"
        generate_into(fresh, spec=spec, config=config)
        kept = {
            name: (target / name).read_bytes()
            for name in RELEASE_FILES
            if (target / name).is_file()
        }
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(fresh, target)
        for name, content in kept.items():
            (target / name).write_bytes(content)


def _files(root: Path, skip: frozenset[str]) -> set[str]:
    return {
        name
        for p in root.rglob("*")
        if p.is_file()
        and not _IGNORED_NAMES.intersection(p.relative_to(root).parts)
        and (name := p.relative_to(root).as_posix()) not in skip
    }


def diff_trees(expected: Path, actual: Path, *, skip: frozenset[str] = frozenset()) -> list[str]:
    """Describe every difference between two trees; empty when they are identical.

    `skip` names files (relative paths) that belong to neither comparison.
    """
    want, have = _files(expected, skip), _files(actual, skip)
    problems = [f"missing: {name}" for name in sorted(want - have)]
    problems += [f"not generated (stray file): {name}" for name in sorted(have - want)]
    for name in sorted(want & have):
        a, b = expected / name, actual / name
        if filecmp.cmp(a, b, shallow=False):
            continue
        diff = difflib.unified_diff(
            b.read_text(errors="replace").splitlines(),
            a.read_text(errors="replace").splitlines(),
            f"generated/{name}",
            f"fresh/{name}",
            lineterm="",
            n=1,
        )
        problems.append(f"differs: {name}\n" + "\n".join(list(diff)[:40]))
    return problems


def check(
    target: Path = GENERATED_DIR, *, spec: Path = SPEC_PATH, config: Path = GENERATOR_CONFIG
) -> list[str]:
    """Differences between `target` and a fresh generation from `spec`, then release problems.

    The second part fails when the spec moved on from the last release without a version bump
    and changelog entry, or when version, changelog and released spec disagree.
    """
    with tempfile.TemporaryDirectory(prefix="check-generated-") as tmp:
        fresh = Path(tmp) / "client"
        generate_into(fresh, spec=spec, config=config)
        problems = diff_trees(fresh, target, skip=RELEASE_FILES)
    return problems + release_problems(spec, target, config)


def main(argv: list[str] | None = None) -> int:
    """`python -m videos_contract.release.generation generate|check`."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["generate"]:
        generate()
        print(f"generated {GENERATED_DIR.name}/ from {SPEC_PATH.name}")
        return 0
    if args == ["check"]:
        problems = check()
        if problems:
            print("generated/ is not what openapi.yaml releases; run `make regen`:")
            print("\n".join(problems))
            return 1
        print("generated/ matches a fresh generation from openapi.yaml and its release")
        return 0
    print("usage: python -m videos_contract.release.generation generate|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
