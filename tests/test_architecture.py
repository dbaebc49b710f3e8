"""ARCHITECTURE.md's import table is a contract: a forbidden import fails the suite.

The table ("Who may import whom") is read from the document itself, so the prose and the
check cannot drift apart. Every import of every module under `src/videos_contract` is found
by walking its syntax tree (imports inside functions included) and compared with the row of
the package it belongs to. A permission of the table that no import uses fails too (the table
says what the code does, no more), and so does an import cycle between modules of ours (the
imports a module runs when it is imported: not those inside functions or `if TYPE_CHECKING:`).
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from videos_contract.paths import PROJECT_ROOT

SRC = PROJECT_ROOT / "src"
PACKAGE = "videos_contract"
GENERATED = "aihubmix_videos"
ANYTHING = "anything"

# Finer rules than the table: (importing module prefix, forbidden import prefix, why).
FINER_RULES = (
    ("videos_contract.audit.engine", "videos_contract.audit.reports", "reports are writers"),
    (
        "videos_contract.proxy",
        "videos_contract.audit.engine",
        "the proxy uses rules, not the engine",
    ),
    (
        "videos_contract.proxy",
        "videos_contract.audit.checks",
        "the proxy uses rules, not the engine",
    ),
)
# Modules of a package allowed to use one of its table permissions (the rest may not).
NARROWED = {("audit", "mock"): ("videos_contract.audit.engine",)}
# The one module that may touch private names of the generated client.
GENERATED_ADAPTER = "videos_contract.client.generated_requests"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted
    line: int


def read_table(markdown: str) -> dict[str, frozenset[str]]:
    """`package -> packages it may import` from the "Who may import whom" table."""
    section = markdown.split("## Who may import whom", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, frozenset[str]] = {}
    for row in re.finditer(r"^\| `([\w.]+)` \| (.+?) \|$", section, re.M):
        names = re.findall(r"`([\w.]+)`", row.group(2))
        allowed[row.group(1)] = frozenset({ANYTHING} if row.group(2) == ANYTHING else names)
    return allowed


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def iter_imports(src: Path) -> Iterator[Import]:
    """Every import in every module of the package under `src`."""
    for path in sorted((src / PACKAGE).rglob("*.py")):
        module = _module_name(path, src)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, module, path.name == "__init__.py")
                for alias in node.names:
                    # `from videos_contract import client` imports a package, not a name.
                    # (`__version__` and `POSIX_ONLY` are names of the package root.)
                    is_module = not alias.name.startswith("__") and not alias.name.isupper()
                    target = f"{base}.{alias.name}" if base == PACKAGE and is_module else base
                    yield Import(module, target, node.lineno)


def _unit(dotted: str) -> str | None:
    """The table's name for a module of ours or of the generated client; None otherwise."""
    parts = dotted.split(".")
    if parts[0] == GENERATED:
        return "generated"
    if parts[0] != PACKAGE:
        return None
    return parts[1] if len(parts) > 1 else PACKAGE


def forbidden_imports(src: Path, allowed: Mapping[str, frozenset[str]]) -> list[str]:
    """One line per import that the table (or a finer rule) forbids."""
    problems: list[str] = []
    for found in iter_imports(src):
        where = f"{found.module}:{found.line} imports {found.target}"
        for importer, banned, why in FINER_RULES:
            if found.module.startswith(importer) and found.target.startswith(banned):
                problems.append(f"{where}: forbidden ({why})")
        source, target = _unit(found.module), _unit(found.target)
        if source is None or target is None or target in (source, PACKAGE):
            continue
        if source not in allowed:
            problems.append(f"{where}: package `{source}` has no row in ARCHITECTURE.md")
            continue
        permitted = allowed[source]
        if ANYTHING not in permitted and target not in permitted:
            problems.append(f"{where}: `{source}` may not import `{target}`")
            continue
        narrowed = NARROWED.get((source, target))
        if narrowed and not found.module.startswith(narrowed):
            problems.append(f"{where}: only {', '.join(narrowed)} may import `{target}`")
    return problems


def private_generated_uses(src: Path) -> list[str]:
    """Uses of `aihubmix_videos` private names outside the adapter module."""
    problems: list[str] = []
    for path in sorted((src / PACKAGE).rglob("*.py")):
        module = _module_name(path, src)
        if module == GENERATED_ADAPTER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(GENERATED):
                for alias in node.names:
                    if alias.name.startswith("_"):
                        problems.append(f"{module}:{node.lineno} imports {alias.name}")
                    bound.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(GENERATED):
                        bound.add(alias.asname or alias.name.split(".")[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
            ):
                problems.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    return problems


TABLE = read_table((PROJECT_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))


def test_the_table_is_read() -> None:
    assert TABLE["schema"] == frozenset()
    assert TABLE["spec"] == {"paths", "schema"}
    assert TABLE["cli"] == {ANYTHING}


def test_every_package_has_a_row() -> None:
    units = {p.stem if p.is_file() else p.name for p in (SRC / PACKAGE).iterdir()}
    units = {u for u in units if not u.startswith(("_", ".")) or u == "__main__"}
    units.discard("py")
    assert units - set(TABLE) == set(), "add a row to ARCHITECTURE.md"
    assert set(TABLE) - units == set(), "a row of ARCHITECTURE.md names no package"


def test_imports_follow_the_table() -> None:
    assert forbidden_imports(SRC, TABLE) == []


def test_generated_internals_are_reached_through_one_module() -> None:
    assert private_generated_uses(SRC) == []


# ---- the check itself fails on what it forbids


def _plant(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"mock/service.py": "from videos_contract.client import wait\n"},
            "`mock` may not import `client`",
        ),
        (
            {"spec.py": "def later():\n    import videos_contract.cli\n"},
            "`spec` may not import `cli`",
        ),
        (
            {"schema/refs.py": "from .. import spec\n"},
            "`schema` may not import `spec`",
        ),
        (
            {"audit/checks.py": "from videos_contract.mock import MockConfig\n"},
            "only videos_contract.audit.engine may import `mock`",
        ),
        (
            {"audit/engine.py": "from videos_contract.audit.reports import html\n"},
            "reports are writers",
        ),
        (
            {"docs/drift.py": "from videos_contract.release.specdiff import diff_specs\n"},
            "`docs` may not import `release`",
        ),
        (
            {"plugins/x.py": "from videos_contract import spec\n"},
            "package `plugins` has no row",
        ),
    ],
)
def test_a_planted_forbidden_import_fails(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    problems = forbidden_imports(_plant(tmp_path, files), TABLE)
    assert len(problems) == 1 and expected in problems[0], problems


def test_allowed_imports_pass(tmp_path: Path) -> None:
    files = {
        "mock/service.py": "from videos_contract.spec import load_spec\nimport json\n",
        "cli/x.py": "from videos_contract import audit, mock\n",
        "audit/engine.py": "def f():\n    from videos_contract.mock import running_mock\n",
    }
    assert forbidden_imports(_plant(tmp_path, files), TABLE) == []


def test_a_planted_private_generated_use_fails(tmp_path: Path) -> None:
    src = _plant(
        tmp_path,
        {
            "client/calls.py": (
                "from aihubmix_videos.api.videos import retrieve_video\n"
                "retrieve_video._get_kwargs('v')\n"
                "retrieve_video.sync\n"
            ),
            "bench/x.py": "from aihubmix_videos.types import _private\n",
            "client/generated_requests.py": (
                "from aihubmix_videos.api.videos import create_video\ncreate_video._get_kwargs\n"
            ),
        },
    )
    problems = private_generated_uses(src)
    assert problems == [
        "videos_contract.bench.x:1 imports _private",
        "videos_contract.client.calls:2 uses retrieve_video._get_kwargs",
    ]


# ---- one owner for each concern

# Values that name a concern only its owner module may spell out: a second copy elsewhere is
# how two rules drift apart (value -> the one module that may hold it, dotted).
OWNED_LITERALS = {
    "***": "videos_contract.credentials",  # the mask
    "x-api-key": "videos_contract.credentials",  # the credential headers
    "access_token": "videos_contract.credentials",  # the credential query parameters
    "proxy-connection": "videos_contract.http_rules",  # the hop-by-hop headers
    "+json": "videos_contract.http_rules",  # what counts as JSON
}


def owned_literal_copies(src: Path, owned: Mapping[str, str]) -> list[str]:
    """`module:line holds 'value' (owned by ...)` for each copy of an owned literal."""
    problems = []
    for path in sorted((src / PACKAGE).rglob("*.py")):
        module = ".".join(path.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                owner = owned.get(node.value.lower())
                if owner is not None and module != owner:
                    problems.append(
                        f"{module}:{node.lineno} holds {node.value!r} (owned by {owner})"
                    )
    return problems


def test_each_owned_rule_is_spelled_out_once() -> None:
    assert owned_literal_copies(SRC, OWNED_LITERALS) == []


def test_a_planted_second_mask_fails(tmp_path: Path) -> None:
    src = _plant(
        tmp_path,
        {
            "credentials.py": 'MASK = "***"\n',
            "proxy/findings.py": (
                'HEADERS = {"X-Api-Key"}\ndef f(t):\n    return t.replace("k", "***")\n'
            ),
        },
    )
    problems = owned_literal_copies(src, OWNED_LITERALS)
    assert len(problems) == 2 and all("videos_contract.proxy.findings" in p for p in problems)


# ---- no permission nobody uses, no import cycle


def unused_permissions(src: Path, allowed: Mapping[str, frozenset[str]]) -> list[str]:
    """`package may import target` for each permission of the table no import uses."""
    used: dict[str, set[str]] = {}
    for found in iter_imports(src):
        source, target = _unit(found.module), _unit(found.target)
        if source is not None and target is not None:
            used.setdefault(source, set()).add(target)
    return [
        f"`{source}` may import `{target}`, and nothing does: strike it from the table"
        for source, permitted in sorted(allowed.items())
        for target in sorted(permitted - {ANYTHING})
        if target not in used.get(source, set())
    ]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _loaded_on_import(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported: at its top level, in top-level `try`
    and `if` blocks, never in functions, classes or `if TYPE_CHECKING:`."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _loaded_on_import(node.body)
            yield from _loaded_on_import(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _loaded_on_import(block)
            for handler in node.handlers:
                yield from _loaded_on_import(handler.body)
        elif isinstance(node, ast.With):
            yield from _loaded_on_import(node.body)


def module_graph(src: Path) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports when it is imported."""
    paths = {_module_name(p, src): p for p in sorted((src / PACKAGE).rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _loaded_on_import(tree.body):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _absolute(node, module, path.name == "__init__.py")
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                    for alias in node.names
                ]
            graph[module] |= {t for t in targets if t in paths and t != module}
    return graph


def import_cycles(src: Path) -> list[str]:
    """Each set of our modules that import one another when imported (Tarjan's SCCs)."""
    graph = module_graph(src)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[str] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                cycles.append(" <-> ".join(sorted(members)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_every_permission_of_the_table_is_used() -> None:
    assert unused_permissions(SRC, TABLE) == []


def test_no_import_cycle_between_our_modules() -> None:
    assert import_cycles(SRC) == []


def test_a_planted_unused_permission_fails(tmp_path: Path) -> None:
    src = _plant(tmp_path, {"spec.py": "from videos_contract import paths\n"})
    table = {"spec": frozenset({"paths", "schema"}), "cli": frozenset({ANYTHING})}
    assert unused_permissions(src, table) == [
        "`spec` may import `schema`, and nothing does: strike it from the table"
    ]


def test_a_planted_import_cycle_fails(tmp_path: Path) -> None:
    src = _plant(
        tmp_path,
        {
            "proxy/__init__.py": "",
            "proxy/app.py": "from videos_contract.proxy.front import serve\n",
            "proxy/front.py": "from videos_contract.proxy import app\n",
            # Not cycles: imported inside a function, or only for the type checker.
            "audit/results.py": "def f():\n    from videos_contract.audit import verdict\n",
            "audit/verdict.py": "from videos_contract.audit.results import AuditResult\n",
            "audit/engine.py": (
                "from typing import TYPE_CHECKING\n"
                "from videos_contract.audit.client import C\n"
                "if TYPE_CHECKING:\n    from videos_contract.audit.engine import x\n"
            ),
            "audit/client.py": (
                "import typing\nif typing.TYPE_CHECKING:\n"
                "    from videos_contract.audit.engine import AuditConfig\n"
            ),
        },
    )
    assert import_cycles(src) == ["videos_contract.proxy.app <-> videos_contract.proxy.front"]


# ---- private modules stay inside their package


def private_module_imports(src: Path) -> list[str]:
    """`module:line imports target` for each import of a private module of ours (a name with
    a leading underscore: `mock/_capture.py`) from outside the package that holds it."""
    problems = []
    for found in iter_imports(src):
        parts = found.target.split(".")
        if parts[0] != PACKAGE:
            continue
        private = next(
            (i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")), None
        )
        if private is None:
            continue
        package = ".".join(parts[:private])
        if not found.module.startswith(f"{package}."):
            problems.append(f"{found.module}:{found.line} imports {found.target}")
    return problems


def test_private_modules_are_imported_only_inside_their_package() -> None:
    assert private_module_imports(SRC) == []


def test_a_planted_import_of_a_private_module_fails(tmp_path: Path) -> None:
    src = _plant(
        tmp_path,
        {
            "mock/defects.py": "from videos_contract.mock._capture import wrap\n",
            "audit/checks/sweep.py": "from videos_contract.audit.checks._media import expect_mp4\n",
            "proxy/app.py": "from videos_contract.mock._capture import wrap\n",
        },
    )
    assert private_module_imports(src) == [
        "videos_contract.proxy.app:1 imports videos_contract.mock._capture"
    ]
