"""The generated client as a second opinion on a spec change: what its public surface gains,
loses or changes.

The surface of a generated package is read from its source with `ast` (nothing is imported):
every public module, function (with its signature), class, class field (with its type and
default) and module constant (a `Literal` alias, a set of allowed values). Two surfaces are
compared name by name, and each difference carries the *least* level it implies: a removed
name breaks code that uses it; a new name, or a type that only gains or only loses members
(`Literal` values, union members), is at least additive, since whether it breaks depends on
who sends the data, which the rules know and the surface does not.

`judge` sets the rules' verdict beside the surface's: where the surface implies more than the
rules found, the report says so with both and the larger level counts (a rule is wrong, or a
construct has none); where the rules find a breaking change the surface does not show (a
narrowed limit the client never checks), the change stays breaking and the report says why.
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from videos_contract.release.specdiff import Change, Level, highest_level

__all__ = [
    "ClientOpinion",
    "SurfaceChange",
    "SurfaceError",
    "client_surface",
    "compare_surfaces",
    "generate_and_compare",
    "judge",
    "merged",
    "package_in",
    "surface_of",
]

# A surface: dotted name (relative to the package) -> (kind, description).
Surface = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class SurfaceChange:
    """One difference between two client surfaces, with the least level it implies."""

    name: str
    kind: str  # "added", "removed", "widened", "narrowed", "changed"
    before: str | None
    after: str | None
    level: Level

    def describe(self) -> str:
        if self.kind == "added":
            return f"`{self.name}` added ({self.after})"
        if self.kind == "removed":
            return f"`{self.name}` removed"
        return f"`{self.name}` {self.kind}: {self.before} -> {self.after}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "level": self.level.label,
        }


@dataclass(frozen=True)
class ClientOpinion:
    """The surface's changes, the notes that set them beside the rules, and extra changes
    where the surface implies more than the rules found."""

    surface: tuple[SurfaceChange, ...]
    notes: tuple[str, ...]
    disagreements: tuple[Change, ...]
    error: str | None = None

    @property
    def level(self) -> Level | None:
        return max((c.level for c in self.surface if c.level > Level.DOCUMENTATION), default=None)

    def as_dict(self) -> dict[str, Any]:
        level = self.level
        return {
            "level": level.label if level else None,
            "changes": [c.as_dict() for c in self.surface],
            "notes": list(self.notes),
            "error": self.error,
        }


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    text = f"({ast.unparse(node.args)})"
    if node.returns is not None:
        text += f" -> {ast.unparse(node.returns)}"
    return text


def _public(name: str) -> bool:
    return not name.startswith("_")


def _module_names(package: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(not _public(p) for p in parts):
            continue
        out[".".join(parts) or "(package)"] = path
    return out


def client_surface(package: Path) -> Surface:
    """The public surface of the generated package at `package` (the `aihubmix_videos` folder)."""
    surface: Surface = {}
    for module, path in _module_names(package).items():
        surface[module] = ("module", "module")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _public(node.name):
                surface[f"{module}.{node.name}"] = ("function", _signature(node))
            elif isinstance(node, ast.ClassDef) and _public(node.name):
                bases = ", ".join(ast.unparse(b) for b in node.bases)
                surface[f"{module}.{node.name}"] = ("class", f"class({bases})")
                _class_members(surface, f"{module}.{node.name}", node)
            elif isinstance(node, ast.Assign) and node.value is not None:
                for target in node.targets:
                    if isinstance(target, ast.Name) and _public(target.id):
                        surface[f"{module}.{target.id}"] = ("constant", ast.unparse(node.value))
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and _public(node.target.id)
                and node.value is not None
            ):
                surface[f"{module}.{node.target.id}"] = ("constant", ast.unparse(node.value))
    return surface


def _class_members(surface: Surface, prefix: str, node: ast.ClassDef) -> None:
    for item in node.body:
        if (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and _public(item.target.id)
        ):
            text = ast.unparse(item.annotation)
            if item.value is not None:
                text += f" = {ast.unparse(item.value)}"
            surface[f"{prefix}.{item.target.id}"] = ("field", text)
        elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _public(item.name):
            surface[f"{prefix}.{item.name}"] = ("method", _signature(item))


def _members(text: str) -> frozenset[str] | None:
    """The members of a union (`A | B`), a `Literal[...]` or a set display; None otherwise."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Literal":
        inner = node.slice
        parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return frozenset(ast.unparse(p) for p in parts)
    if isinstance(node, ast.Set):
        return frozenset(ast.unparse(p) for p in node.elts)
    found: list[str] = []

    def split(n: ast.expr) -> None:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            split(n.left)
            split(n.right)
        else:
            found.append(ast.unparse(n))

    split(node)
    return frozenset(found) if len(found) > 1 or isinstance(node, ast.BinOp) else None


class _AnyAbsorbs(ast.NodeTransformer):
    """`X | Any` is `Any`: a union with `Any` in it accepts everything."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.BitOr) and "Any" in _union_parts(node):
            return ast.Name(id="Any", ctx=ast.Load())
        return node


def _union_parts(node: ast.expr) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union_parts(node.left), *_union_parts(node.right)]
    return [ast.unparse(node)]


def _type_text(text: str) -> str:
    """A type annotation in one spelling (`list[Any | str]` is `list[Any]`)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return text
    return ast.unparse(_AnyAbsorbs().visit(tree))


def _grown_or_shrunk(before: str, after: str) -> str | None:
    """`widened` / `narrowed` when `after` only gains / only loses members of `before`
    (inside the same generic too: `Response[A | B]` -> `Response[A | B | C]`)."""
    before, after = _type_text(before), _type_text(after)
    inner = _same_generic(before, after)
    if inner is not None:
        return _grown_or_shrunk(*inner)
    a, b = _members(before), _members(after)
    if a is None or b is None:
        # A single type against a union that contains it.
        a = a if a is not None else frozenset({before})
        b = b if b is not None else frozenset({after})
    if a < b:
        return "widened"
    if b < a:
        return "narrowed"
    return None


def _same_generic(before: str, after: str) -> tuple[str, str] | None:
    """The arguments of two subscripts of the same generic (not `Literal`), else None."""
    try:
        a = ast.parse(before, mode="eval").body
        b = ast.parse(after, mode="eval").body
    except SyntaxError:
        return None
    if (
        isinstance(a, ast.Subscript)
        and isinstance(b, ast.Subscript)
        and ast.unparse(a.value) == ast.unparse(b.value) != "Literal"
    ):
        return ast.unparse(a.slice), ast.unparse(b.slice)
    return None


def _split_field(text: str) -> tuple[str, str | None]:
    annotation, sep, default = text.partition(" = ")
    return annotation, default if sep else None


def _parameters(signature: str) -> dict[str, tuple[str, bool]] | None:
    """name -> (annotation and default, required) of a signature text; None if unreadable."""
    head = signature.split(" -> ")[0]
    try:
        tree = ast.parse(f"def f{head}: pass")
    except SyntaxError:
        return None
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    args = func.args
    out: dict[str, tuple[str, bool]] = {}
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        out[arg.arg] = (_arg_text(arg, default), default is None)
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out[arg.arg] = (_arg_text(arg, kw_default), kw_default is None)
    return out


def _arg_text(arg: ast.arg, default: ast.expr | None) -> str:
    text = ast.unparse(arg.annotation) if arg.annotation else ""
    return text + (f" = {ast.unparse(default)}" if default is not None else "")


def _function_change(name: str, before: str, after: str) -> SurfaceChange:
    """Breaking when a call that worked may not any more: a parameter removed, a new required
    one, a parameter's type narrowed or its default changed. A return type that only gains or
    loses members is at least additive (whether it breaks depends on the data's direction)."""
    old, new = _parameters(before), _parameters(after)
    level = Level.BREAKING
    if old is not None and new is not None:
        removed = [p for p in old if p not in new]
        required_added = [p for p in new if p not in old and new[p][1]]
        incompatible = [
            p
            for p in old
            if p in new and old[p] != new[p] and not _parameter_widened(old[p][0], new[p][0])
        ]
        old_return, new_return = before.partition(" -> ")[2], after.partition(" -> ")[2]
        same_return = old_return == new_return or _grown_or_shrunk(old_return, new_return)
        if not removed and not required_added and not incompatible and same_return:
            level = Level.ADDITIVE
    return SurfaceChange(name, "changed", before, after, level)


def _parameter_widened(before: str, after: str) -> bool:
    """A parameter that accepts what it did and more: its type the same or wider, and its
    default the same (or a required parameter made optional)."""
    old_type, old_default = _split_default(before)
    new_type, new_default = _split_default(after)
    if old_default is not None and old_default != new_default:
        return False
    return old_type == new_type or _grown_or_shrunk(old_type, new_type) == "widened"


def _split_default(text: str) -> tuple[str, str | None]:
    annotation, sep, default = text.partition(" = ")
    return annotation, default if sep else None


def _changed(name: str, kind: str, before: str, after: str) -> SurfaceChange:
    if kind in ("function", "method"):
        return _function_change(name, before, after)
    if kind == "field":
        old_type, old_default = _split_field(before)
        new_type, new_default = _split_field(after)
        if _type_text(old_type) == _type_text(new_type) and old_default == new_default:
            return SurfaceChange(name, "respelled", before, after, Level.DOCUMENTATION)
        if old_type == new_type:
            # A model's default: what `from_dict` fills in or what a request sends.
            return SurfaceChange(name, "changed", before, after, Level.ADDITIVE)
        way = _grown_or_shrunk(old_type, new_type)
        if way and old_default == new_default:
            return SurfaceChange(name, way, old_type, new_type, Level.ADDITIVE)
        return SurfaceChange(name, "changed", before, after, Level.BREAKING)
    way = _grown_or_shrunk(before, after)
    if way:
        return SurfaceChange(name, way, before, after, Level.ADDITIVE)
    return SurfaceChange(name, "changed", before, after, Level.BREAKING)


def compare_surfaces(old: Surface, new: Surface) -> list[SurfaceChange]:
    """Every difference from `old` to `new`, largest level first."""
    changes: list[SurfaceChange] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            # A name inside a removed module or class is reported with it.
            parent = name.rpartition(".")[0]
            if parent and parent in old and parent not in new:
                continue
            changes.append(SurfaceChange(name, "removed", old[name][1], None, Level.BREAKING))
        elif name not in old:
            parent = name.rpartition(".")[0]
            if parent and parent in new and parent not in old:
                continue
            kind, text = new[name]
            changes.append(SurfaceChange(name, "added", None, f"{kind} {text}", Level.ADDITIVE))
        elif old[name] != new[name]:
            changes.append(_changed(name, new[name][0], old[name][1], new[name][1]))
    return sorted(changes, key=lambda c: (-c.level, c.name))


def judge(changes: Sequence[Change], surface: Sequence[SurfaceChange]) -> ClientOpinion:
    """The rules' changes beside the client's: notes, and a change for each surface
    difference that implies more than the rules' verdict."""
    rules = highest_level(changes)
    # A respelled type (documentation level) changes nothing a caller can see.
    client = max((c.level for c in surface if c.level > Level.DOCUMENTATION), default=None)
    rules_text = rules.label if rules else "no change"
    notes: list[str] = []
    extra: list[Change] = []
    if client is not None and (rules is None or client > rules):
        notes.append(
            f"the generated client disagrees: its surface says {client.label}, "
            f"the rules say {rules_text}; the larger level counts"
        )
        for item in surface:
            if item.level > (rules or Level.DOCUMENTATION):
                extra.append(
                    Change(
                        item.level,
                        "client-surface",
                        f"client {item.name}",
                        f"{item.describe()} (the rules rated the spec change {rules_text})",
                    )
                )
    elif rules is Level.BREAKING and client is None:
        notes.append(
            "the generated client's public surface is unchanged; the change stays breaking: "
            "it is in what the server accepts or sends (a narrowed rule, a changed default "
            "or status), which the client's types do not show"
        )
    elif rules is Level.BREAKING and client is not Level.BREAKING:
        notes.append(
            "the generated client's surface changes only compatibly "
            f"({client.label if client else 'none'}); the change stays breaking: the rules "
            "judge it by who sends the data, which the client's types do not show"
        )
    elif client is None:
        notes.append("the generated client's public surface is unchanged")
    else:
        notes.append(f"the generated client agrees ({client.label})")
    return ClientOpinion(tuple(surface), tuple(notes), tuple(extra))


def surface_of(doc: Mapping[str, Any], *, config: Path) -> Surface:
    """Generate the client of `doc` in a temporary folder and read its surface.

    Raises `SurfaceError` when the generator cannot run or refuses the document.
    """
    import yaml

    from videos_contract.release.generation import GenerationError, generate_into

    with tempfile.TemporaryDirectory(prefix="diff-client-") as tmp:
        folder = Path(tmp)
        spec = folder / "openapi.yaml"
        spec.write_text(yaml.safe_dump(dict(doc), sort_keys=False), encoding="utf-8")
        try:
            generate_into(folder / "client", spec=spec, config=config)
        except (GenerationError, OSError) as exc:
            lines = [line for line in str(exc).splitlines()[1:] if line.strip()]
            raise SurfaceError((lines[0] if lines else str(exc))[:200]) from exc
        return client_surface(package_in(folder / "client"))


class SurfaceError(RuntimeError):
    """The client could not be generated; the message says why, on one line."""


def generate_and_compare(
    old: Mapping[str, Any], new: Mapping[str, Any], changes: Sequence[Change], *, config: Path
) -> ClientOpinion:
    """Generate the client of both documents in a temporary folder and judge the change."""
    surfaces: list[Surface] = []
    for label, doc in (("old", old), ("new", new)):
        try:
            surfaces.append(surface_of(doc, config=config))
        except SurfaceError as exc:
            reason = (
                f"no second opinion: the client of the {label} spec could not be generated ({exc})"
            )
            return ClientOpinion((), (reason,), (), error=reason)
    return judge(changes, compare_surfaces(surfaces[0], surfaces[1]))


def merged(changes: Sequence[Change], opinion: ClientOpinion | None) -> list[Change]:
    """The rules' changes and the opinion's disagreements, in the diff's order."""
    extra = list(opinion.disagreements) if opinion else []
    return sorted([*changes, *extra], key=lambda c: (-c.level, c.where, c.rule, c.message))


def package_in(root: Path) -> Path:
    """The generated package inside a generated project folder (the one with `client.py`)."""
    for candidate in sorted(root.iterdir()):
        if (candidate / "client.py").is_file() and (candidate / "__init__.py").is_file():
            return candidate
    raise FileNotFoundError(f"no generated package in {root}")
