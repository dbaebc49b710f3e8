"""Public names, for every module and package of `videos_contract`: each module declares
`__all__` and defines what it lists; each package re-exports names its modules declare."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import videos_contract


def _walk() -> list[str]:
    """Every module of the package tree (`__main__` runs the CLI when imported: left out)."""
    names = [videos_contract.__name__]
    for info in pkgutil.walk_packages(videos_contract.__path__, "videos_contract."):
        if info.name.rsplit(".", 1)[-1] != "__main__":
            names.append(info.name)
    return sorted(names)


MODULES = _walk()
PACKAGES = [
    name for name in MODULES if hasattr(importlib.import_module(name), "__path__") and "." in name
]


def _declared(module: ModuleType) -> list[str]:
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list), f"{module.__name__} has no __all__ list"
    return exported


def test_the_walk_finds_the_packages() -> None:
    assert {"videos_contract.audit", "videos_contract.client", "videos_contract.docs"} <= set(
        PACKAGES
    )


@pytest.mark.parametrize("name", MODULES)
def test_module_defines_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    assert [item for item in _declared(module) if not hasattr(module, item)] == []


@pytest.mark.parametrize("name", PACKAGES)
def test_package_reexports_names_its_modules_declare(name: str) -> None:
    package = importlib.import_module(name)
    modules = [importlib.import_module(m) for m in MODULES if m.startswith(f"{name}.")]
    for item in _declared(package):
        member = getattr(package, item)
        home = getattr(member, "__module__", None)
        if isinstance(home, str) and home.startswith("videos_contract."):
            # A function or class: its own module lists it, inside this package.
            assert home == name or home.startswith(f"{name}."), (item, home)
            assert item in _declared(importlib.import_module(home)), (item, home)
        else:
            # A constant: the very object a module of the package declares.
            assert any(
                item in _declared(module) and getattr(module, item) is member for module in modules
            ), item


def aliases(module: ModuleType) -> list[tuple[str, str]]:
    """Pairs of public names bound to one function or class: one name per thing."""
    first: dict[int, str] = {}
    pairs = []
    for item in _declared(module):
        member = getattr(module, item, None)
        if not (inspect.isfunction(member) or inspect.isclass(member)):
            continue  # equal constants may well be one object
        if id(member) in first:
            pairs.append((first[id(member)], item))
        else:
            first[id(member)] = item
    return pairs


@pytest.mark.parametrize("name", MODULES)
def test_no_two_public_names_for_one_thing(name: str) -> None:
    assert aliases(importlib.import_module(name)) == []


def test_a_planted_alias_fails() -> None:
    planted = ModuleType("planted")

    async def async_create() -> None: ...

    planted.async_create = async_create  # type: ignore[attr-defined]
    planted.acreate = async_create  # type: ignore[attr-defined]
    planted.LIMIT = planted.OTHER_LIMIT = 8  # type: ignore[attr-defined]
    planted.__all__ = ["LIMIT", "OTHER_LIMIT", "acreate", "async_create"]  # type: ignore[attr-defined]
    assert aliases(planted) == [("acreate", "async_create")]
