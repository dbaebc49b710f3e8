"""The client package's public names: each module declares `__all__`, the package re-exports
names that its modules declare."""

from __future__ import annotations

import importlib
import pkgutil

import videos_contract.client as client


def _modules() -> dict[str, list[str]]:
    found = {}
    for info in pkgutil.iter_modules(client.__path__):
        module = importlib.import_module(f"videos_contract.client.{info.name}")
        assert isinstance(getattr(module, "__all__", None), list), info.name
        for name in module.__all__:
            assert hasattr(module, name), f"{info.name}.{name}"
        found[info.name] = module.__all__
    return found


def test_package_exports_come_from_its_modules() -> None:
    declared = {name for names in _modules().values() for name in names}
    assert set(client.__all__) <= declared
    for name in client.__all__:
        assert hasattr(client, name), name


def test_the_helpers_exist_sync_and_async() -> None:
    for sync, asynchronous in [
        ("create", "acreate"),
        ("retrieve", "aretrieve"),
        ("remix", "aremix"),
        ("delete", "adelete"),
        ("list_page", "alist_page"),
        ("iter_videos", "aiter_videos"),
        ("wait", "async_wait"),
        ("download", "async_download"),
    ]:
        assert sync in client.__all__ and asynchronous in client.__all__
