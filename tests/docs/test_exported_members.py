"""The docs package's public names: each module declares `__all__`, the package re-exports them."""

from __future__ import annotations

import importlib
import pkgutil

import videos_contract.docs as docs


def test_every_module_declares_all() -> None:
    for info in pkgutil.iter_modules(docs.__path__):
        module = importlib.import_module(f"videos_contract.docs.{info.name}")
        assert isinstance(getattr(module, "__all__", None), list), info.name
        for name in module.__all__:
            assert hasattr(module, name), f"{info.name}.{name}"


def test_package_exports_resolve_to_their_modules() -> None:
    for name in docs.__all__:
        member = getattr(docs, name)
        home = getattr(member, "__module__", "")
        assert home.startswith("videos_contract.docs."), (name, home)
        assert name in importlib.import_module(home).__all__
