"""The client helpers come in sync/async twins, and each twin takes what its other half takes."""

from __future__ import annotations

import videos_contract.client as client

TWINS = [
    ("create", "acreate"),
    ("retrieve", "aretrieve"),
    ("remix", "aremix"),
    ("delete", "adelete"),
    ("list_page", "alist_page"),
    ("iter_videos", "aiter_videos"),
    ("wait", "async_wait"),
    ("download", "async_download"),
]


def test_the_helpers_exist_sync_and_async() -> None:
    for sync, asynchronous in TWINS:
        assert sync in client.__all__ and asynchronous in client.__all__
