"""Every third-party import in src/ is declared in pyproject.toml, in the install that loads it.

The base install is the client; the servers and the audit are extras (`videos_contract.extras`).
Each module's imports (at the top or inside functions, as the architecture test reads them) are
checked against the distributions its install declares: the base dependencies, plus those of
the extras that load the module (`RUNS_IN`). `extras.MODULES`, which the guards ask, is checked
against the same file.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import pytest

from videos_contract import extras
from videos_contract.paths import PROJECT_ROOT

SRC = PROJECT_ROOT / "src"

# The install a module runs in, by the longest matching prefix: the extras that load it (each
# must declare what it imports), () for the base install alone.
RUNS_IN: dict[str, tuple[str, ...]] = {
    "videos_contract": (),
    "videos_contract.cli.mock": ("mock",),
    "videos_contract.cli.audit": ("audit",),
    "videos_contract.cli.proxy": ("proxy",),
    "videos_contract.mock": ("mock", "audit"),
    "videos_contract.audit": ("audit",),
    "videos_contract.proxy": ("proxy",),
    "videos_contract.relay": ("mock", "proxy"),
    "videos_contract.probe": ("media", "mock", "proxy"),
}
# Modules that run only where something else brings what they import: the benchmarks in the
# checkout's dev environment (every extra and the dev group), the pytest plugin in pytest.
OUTSIDE_THE_INSTALL: dict[str, str] = {
    "videos_contract.bench": "dev",
    "videos_contract.pytest_plugin": "pytest",
}
# Declared and never imported by our modules, and why.
UNIMPORTED = {
    "uvloop": "uvicorn runs on it when it is there",
    "schemathesis": "the audit runs it as a child process (python -m schemathesis.cli)",
}
# Of those, what a guard need not find: nothing fails without it.
OPTIONAL = {"uvloop"}
# Reached into beyond their public API (a private class, a CLI's output): an upper bound in
# every declaration, so that a release that changes it is not installed untested.
BOUNDED = {
    "uvicorn": "relay/front.py subclasses its private H11Protocol",
    "schemathesis": "the audit reads its command line's event stream",
}

_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*([^;]*)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(requirement: str) -> tuple[str, tuple[str, ...], str]:
    """(name, extras, version specifier) of one PEP 508 line."""
    match = _REQUIREMENT.match(requirement)
    assert match, requirement
    named = tuple(e.strip() for e in (match[2] or "").split(",") if e.strip())
    return normal(match[1]), named, match[3].strip()


@cache
def project() -> dict[str, list[str]]:
    """pyproject.toml's requirement lines: "" for the base install, then each extra's."""
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table = data["project"]
    return {"": table["dependencies"], **table["optional-dependencies"]}


def closure(extra: str, lines: Mapping[str, list[str]] | None = None) -> set[str]:
    """The distributions `extra` installs beside the base ones ("" for the base alone), its
    references to our own extras followed."""
    lines = project() if lines is None else lines
    found: set[str] = set()
    for requirement in lines[extra]:
        name, named, _ = _parse(requirement)
        if name == normal(extras.DISTRIBUTION):
            for other in named:
                found |= closure(other, lines)
        else:
            found.add(name)
    return found


def third_party_imports(root: Path) -> dict[str, set[str]]:
    """Each module of `root/videos_contract`: the top-level names it imports that are neither
    the standard library nor ours."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / "videos_contract").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        names -= {*sys.stdlib_module_names, "videos_contract", "__future__"}
        if names:
            found[module] = names
    return found


@cache
def _providers() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distribution(module: str) -> str:
    """The distribution that provides the top-level `module` here (an editable install lists
    none: then the name itself, as `aihubmix_videos` is `aihubmix-videos`)."""
    (provider, *_) = _providers().get(module) or [module]
    return normal(provider)


def _longest(prefixes: Iterable[str], module: str) -> str | None:
    matching = [p for p in prefixes if module == p or module.startswith(p + ".")]
    return max(matching, key=len) if matching else None


def undeclared(
    imports: Mapping[str, set[str]], lines: Mapping[str, list[str]] | None = None
) -> list[str]:
    """Each import that the install its module runs in does not declare, as a sentence."""
    lines = project() if lines is None else lines
    base = closure("", lines)
    problems: list[str] = []
    for module, names in sorted(imports.items()):
        if _longest(OUTSIDE_THE_INSTALL, module):
            continue
        prefix = _longest(RUNS_IN, module)
        assert prefix is not None, f"{module}: no install in RUNS_IN"
        for name in sorted(names):
            dist = distribution(name)
            for extra in RUNS_IN[prefix] or ("",):
                if dist not in base | closure(extra, lines):
                    where = f"the {extra!r} extra" if extra else "the base dependencies"
                    problems.append(f"{module} imports {name} ({dist}), not in {where}")
    return problems


def test_every_import_is_declared_where_its_module_runs() -> None:
    assert undeclared(third_party_imports(SRC)) == []


def test_an_extras_import_in_a_client_module_is_caught(tmp_path: Path) -> None:
    planted = tmp_path / "videos_contract" / "client"
    planted.mkdir(parents=True)
    (planted / "decode.py").write_text("def f():\n    import av\n", encoding="utf-8")
    (tmp_path / "videos_contract" / "probe.py").write_text("import av\n", encoding="utf-8")
    (tmp_path / "videos_contract" / "relay").mkdir()
    (tmp_path / "videos_contract" / "relay" / "front.py").write_text(
        "import starlette\n", encoding="utf-8"
    )
    assert undeclared(third_party_imports(tmp_path)) == [
        "videos_contract.client.decode imports av (av), not in the base dependencies",
        "videos_contract.relay.front imports starlette (starlette), not in the 'proxy' extra",
    ]


def test_every_declared_distribution_is_imported() -> None:
    imported = {distribution(n) for names in third_party_imports(SRC).values() for n in names}
    declared = set().union(*(closure(extra) for extra in project()))
    assert declared - imported == set(UNIMPORTED)


def test_the_base_install_is_the_client() -> None:
    """No server, decoder or fuzzer without an extra."""
    heavy = {"schemathesis", "av", "pillow", "uvicorn", "starlette", "psycopg", "multipart"}
    assert closure("") & heavy == set()
    assert {"httpx", "aihubmix-videos"} <= closure("")


@pytest.mark.parametrize("extra", sorted(extras.MODULES))
def test_the_guards_ask_for_the_modules_the_extra_installs(extra: str) -> None:
    """`extras.MODULES[extra]` are the modules of the distributions pyproject.toml declares."""
    declared = closure(extra) - closure("") - OPTIONAL
    assert {distribution(module) for module in extras.MODULES[extra]} == declared


def test_all_is_every_extra() -> None:
    others = set(project()) - {"", "all"}
    assert others == set(extras.MODULES)
    assert closure("all") == set().union(*(closure(extra) for extra in others))


@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_what_we_reach_into_is_bounded_wherever_declared(name: str) -> None:
    declarations = [
        spec for lines in project().values() for dist, _, spec in map(_parse, lines) if dist == name
    ]
    assert declarations, f"{name} is not declared"
    assert all("<" in spec for spec in declarations), (BOUNDED[name], declarations)


def test_the_guards_name_this_distribution() -> None:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["name"] == extras.DISTRIBUTION


def test_the_dev_environment_installs_every_extra() -> None:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"{extras.DISTRIBUTION}[all]" in data["dependency-groups"]["dev"]
