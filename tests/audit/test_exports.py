"""Every audit module declares `__all__`, and each name it lists exists."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import videos_contract.audit

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(videos_contract.audit.__path__, "videos_contract.audit.")
)


@pytest.mark.parametrize("name", MODULES)
def test_module_exports_what_it_defines(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert [item for item in exported if not hasattr(module, item)] == []


def test_package_reexports_the_public_api() -> None:
    for item in videos_contract.audit.__all__:
        assert hasattr(videos_contract.audit, item)
