"""Hand-written helpers on top of the generated client `aihubmix_videos`.

`connect` builds an authenticated client with the retry policy of `retry`; `calls` returns
checked models or raises; `wait` polls a job to the end; `download` streams an asset to a
file atomically. The generator never touches this package.
"""

from videos_contract.client.calls import (
    Reference,
    acreate,
    adelete,
    aiter_videos,
    alist_page,
    aremix,
    aretrieve,
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
    mask_key,
)
from videos_contract.client.lifecycle import RetiredModelWarning
from videos_contract.client.retry import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_MAX_BODY,
    DeadlineExceeded,
    RetryPolicy,
    RetryTransport,
)
from videos_contract.client.wait import async_wait, wait

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "KEY_ENV",
    "URL_ENV",
    "ApiError",
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
    "VideosClientError",
    "WaitTimeoutError",
    "acreate",
    "adelete",
    "aiter_videos",
    "alist_page",
    "aremix",
    "aretrieve",
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
    "mask_key",
    "reference_from",
    "remix",
    "retrieve",
    "wait",
]
