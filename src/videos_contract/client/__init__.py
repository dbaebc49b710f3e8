"""Hand-written helpers on top of the generated client `aihubmix_videos`.

`connect` builds an authenticated client with the retry policy of `retry`; `calls` returns
checked models or raises; `wait` polls a job to the end; `download` streams an asset to a
file atomically. The generator never touches this package.
"""

import sys

try:
    import fcntl  # noqa: F401  (downloads lock their `.part` file with it)
except ModuleNotFoundError:  # Windows: say so, instead of "No module named 'fcntl'" later
    from videos_contract import POSIX_ONLY

    raise ImportError(POSIX_ONLY) from None
from types import ModuleType
from typing import TYPE_CHECKING, Any

from videos_contract.lazy import exports

if TYPE_CHECKING:
    from videos_contract.client.calls import (
        Reference,
        async_create,
        async_delete,
        async_iter_videos,
        async_list_page,
        async_remix,
        async_retrieve,
        create,
        delete,
        iter_videos,
        list_page,
        reference_from,
        remix,
        retrieve,
    )
    from videos_contract.client.connection import KEY_ENV, URL_ENV, connect
    from videos_contract.client.download import (
        DEFAULT_DOWNLOAD_TIMEOUT,
        DownloadResult,
        async_download,
        download,
    )
    from videos_contract.client.errors import (
        ApiError,
        ConfigError,
        DownloadError,
        EncodingRefusedError,
        JobFailedError,
        OutcomeUnknownError,
        PaginationCycleError,
        ResponseTooLargeError,
        UnexpectedResponseError,
        VideosClientError,
        WaitTimeoutError,
    )
    from videos_contract.client.lifecycle import RetiredModelWarning, UnsupportedOperationError
    from videos_contract.client.retry import (
        DEFAULT_CALL_TIMEOUT,
        DEFAULT_MAX_BODY,
        DeadlineExceeded,
        RetryPolicy,
        RetryTransport,
    )
    from videos_contract.client.values import BodyError
    from videos_contract.client.wait import async_wait, wait

# Loaded when first asked for: an error class or a default does not load httpx, the generated
# client and the retry transport.
_WHERE = {
    "BodyError": "values",
    "Reference": "calls",
    "async_create": "calls",
    "async_delete": "calls",
    "async_iter_videos": "calls",
    "async_list_page": "calls",
    "async_remix": "calls",
    "async_retrieve": "calls",
    "create": "calls",
    "delete": "calls",
    "iter_videos": "calls",
    "list_page": "calls",
    "reference_from": "calls",
    "remix": "calls",
    "retrieve": "calls",
    "KEY_ENV": "defaults",
    "URL_ENV": "defaults",
    "connect": "connection",
    "DEFAULT_DOWNLOAD_TIMEOUT": "defaults",
    "DownloadResult": "download",
    "async_download": "download",
    "download": "download",
    "ApiError": "errors",
    "ConfigError": "errors",
    "DownloadError": "errors",
    "EncodingRefusedError": "errors",
    "JobFailedError": "errors",
    "OutcomeUnknownError": "errors",
    "PaginationCycleError": "errors",
    "ResponseTooLargeError": "errors",
    "UnexpectedResponseError": "errors",
    "VideosClientError": "errors",
    "WaitTimeoutError": "errors",
    "RetiredModelWarning": "lifecycle",
    "UnsupportedOperationError": "lifecycle",
    "DEFAULT_CALL_TIMEOUT": "defaults",
    "DEFAULT_MAX_BODY": "defaults",
    "DeadlineExceeded": "retry",
    "RetryPolicy": "retry",
    "RetryTransport": "retry",
    "async_wait": "wait",
    "wait": "wait",
}


__getattr__ = exports(__name__, _WHERE)


class _Package(ModuleType):
    """`wait` and `download` are functions named as their modules: when such a module loads,
    the import system binds the module to the package's name, and the function is put back."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _WHERE.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "KEY_ENV",
    "URL_ENV",
    "ApiError",
    "BodyError",
    "ConfigError",
    "DeadlineExceeded",
    "DownloadError",
    "DownloadResult",
    "EncodingRefusedError",
    "JobFailedError",
    "OutcomeUnknownError",
    "PaginationCycleError",
    "Reference",
    "ResponseTooLargeError",
    "RetiredModelWarning",
    "RetryPolicy",
    "RetryTransport",
    "UnexpectedResponseError",
    "UnsupportedOperationError",
    "VideosClientError",
    "WaitTimeoutError",
    "async_create",
    "async_delete",
    "async_download",
    "async_iter_videos",
    "async_list_page",
    "async_remix",
    "async_retrieve",
    "async_wait",
    "connect",
    "create",
    "delete",
    "download",
    "iter_videos",
    "list_page",
    "reference_from",
    "remix",
    "retrieve",
    "wait",
]
