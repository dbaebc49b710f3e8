"""What can go wrong when talking to a Videos API server, as exceptions a caller can act on.

Every message is built so that it can be printed as is: it names what came back from the
server and never contains the API key (see `redact` and `videos_contract.credentials`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: `mask_key` users load no HTTP client
    import httpx
    from aihubmix_videos.models import Video

from videos_contract.credentials import Secrets
from videos_contract.http_rules import retry_after_seconds

__all__ = [
    "ApiError",
    "ConfigError",
    "DownloadError",
    "EncodingRefusedError",
    "JobFailedError",
    "OutcomeUnknownError",
    "PaginationCycleError",
    "ResponseTooLargeError",
    "UnexpectedResponseError",
    "VideosClientError",
    "WaitTimeoutError",
    "redact",
]

# How much of an unexpected body an error message quotes; enough to recognise it.
_QUOTE_LIMIT = 300


def redact(text: str, key: str | None) -> str:
    """`text` with `key` blanked (see `videos_contract.credentials`)."""
    return Secrets([key])(text) if key else text


def quote_body(body: bytes | str) -> str:
    """A short, printable rendering of a response body for an error message."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    if len(text) > _QUOTE_LIMIT:
        text = text[:_QUOTE_LIMIT] + "…"
    return text or "(empty body)"


class VideosClientError(Exception):
    """Base of every error raised by the client helpers."""


class ConfigError(VideosClientError):
    """No server URL or key was given, or the URL is unusable."""


class ApiError(VideosClientError):
    """The server answered with an error status; `code` and `message` are the server's."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        type_: str | None = None,
        param: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.code = code
        self.type = type_
        self.param = param
        self.retry_after = retry_after
        detail = f" ({code})" if code else ""
        where = f" [param: {param}]" if param else ""
        super().__init__(f"HTTP {status_code}{detail}: {message}{where}")

    @classmethod
    def from_response(cls, response: httpx.Response, key: str | None = None) -> ApiError:
        """Read an OpenAI-style error body; a body of another shape is quoted as it came."""
        body = response.read()
        code = type_ = param = None
        message: str
        try:
            data: Any = json.loads(body)
            error = data["error"]
            message = str(error["message"])
            code = error.get("code")
            type_ = error.get("type")
            param = error.get("param")
        except (ValueError, KeyError, TypeError, AttributeError):
            message = f"unexpected error body: {quote_body(body)}"
        return cls(
            response.status_code,
            redact(message, key),
            code=None if code is None else str(code),
            type_=None if type_ is None else str(type_),
            param=None if param is None else str(param),
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )


class UnexpectedResponseError(VideosClientError):
    """A 2xx answer whose body breaks the contract (a status outside the spec, a null field,
    another object altogether); `body` holds what came back."""

    def __init__(self, problem: str, body: bytes | str) -> None:
        self.problem = problem
        self.body = body if isinstance(body, str) else body.decode("utf-8", errors="replace")
        super().__init__(f"{problem}; the server sent: {quote_body(self.body)}")


class JobFailedError(VideosClientError):
    """The job ended in `failed`; `code` and `message` are the server's reason.

    `code` is OpenAI's `code`, else the gateway's `type` (its failure body is
    `{"message", "type"}`), else None.
    """

    def __init__(self, video: Video) -> None:
        self.video = video
        error = video.error or None  # null, or absent (`UNSET`, which is falsy)
        self.code = failure_code(error)
        self.message = error.message if error is not None else "no reason given"
        super().__init__(f"video {video.id} failed ({self.code or 'no code'}): {self.message}")


def failure_code(error: Any) -> str | None:
    """A failed job's reason code: `code` (OpenAI), else `type` (the gateway), else None."""
    for name in ("code", "type_"):
        value = getattr(error, name, None)
        if isinstance(value, str) and value:
            return value
    return None


class WaitTimeoutError(VideosClientError):
    """The job was still not finished at the deadline; `video` is the last state seen."""

    def __init__(
        self, video_id: str, timeout: float, video: Video | None, problem: str | None = None
    ) -> None:
        self.video_id = video_id
        self.timeout = timeout
        self.video = video
        self.problem = problem
        state = (
            f"last seen {video.status} at {video.progress}%" if video is not None else "never seen"
        )
        if problem:
            state += f"; last poll failed: {problem}"
        super().__init__(f"video {video_id} not finished after {timeout:g} s ({state})")


class OutcomeUnknownError(VideosClientError):
    """A billed request (create, remix) was sent but its answer was lost: the job may exist.

    It is deliberately not retried; list the videos to find out before sending it again.
    """

    def __init__(self, what: str, cause: Exception) -> None:
        self.cause = cause
        super().__init__(
            f"{what} was sent but the connection failed before the answer "
            f"({type(cause).__name__}); the job may exist and be billed: list the videos "
            "before trying again"
        )


class DownloadError(VideosClientError):
    """The download could not be completed intact; the target file was left untouched."""


class ResponseTooLargeError(VideosClientError):
    """An answer longer than the cap on bodies read into memory; nothing more was read."""

    def __init__(self, what: str, limit: int, declared: int | None = None) -> None:
        self.limit = limit
        self.declared = declared
        size = (
            f"declares {declared} bytes"
            if declared is not None
            else f"passed {limit} bytes and was cut off"
        )
        super().__init__(
            f"{what}: the answer {size}, more than the {limit}-byte limit on an answer read "
            "into memory (connect(max_body=...) changes it)"
        )


class EncodingRefusedError(VideosClientError):
    """The answer came in a `Content-Encoding` that was not asked for; none of it was read."""

    def __init__(self, what: str, encoding: str) -> None:
        self.encoding = encoding
        super().__init__(
            f"{what}: the answer is in Content-Encoding {encoding!r} although only identity "
            "was accepted; refused without decoding it"
        )


class PaginationCycleError(VideosClientError):
    """A list cursor came back a second time: following it would loop for ever."""

    def __init__(self, cursor: str, pages: int) -> None:
        self.cursor = cursor
        self.pages = pages
        super().__init__(
            f"the server's list pages loop: after {pages} page(s) it pointed again to "
            f"last_id {cursor!r}, a cursor already followed; stopped"
        )
