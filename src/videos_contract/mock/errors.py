"""OpenAI-style error answers: every refusal of the mock is an `ApiError`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from starlette.responses import JSONResponse

from videos_contract.http_rules import error_document

__all__ = [
    "ApiError",
    "KeyRedactingFilter",
    "error_body",
    "error_response",
    "install_log_redaction",
    "mask_secret",
    "redact_keys",
]


class ApiError(Exception):
    """A request the mock refuses; becomes `{"error": {message, type, param, code}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = "invalid_request_error",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type
        self.headers = dict(headers or {})


def error_body(exc: ApiError) -> dict[str, dict[str, str | None]]:
    return error_document(exc.message, exc.type, param=exc.param, code=exc.code)


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc), status_code=exc.status, headers=exc.headers)


def mask_secret(key: str) -> str:
    """What may be shown of a key: its first six characters."""
    return f"{key[:6]}…"


def redact_keys(text: str, keys: Sequence[str]) -> str:
    """`text` with every accepted key masked (a client may put one where it does not belong:
    in a path, a query or a field that an error message quotes)."""
    for key in keys:
        if key in text:
            text = text.replace(key, mask_secret(key))
    return text


class KeyRedactingFilter(logging.Filter):
    """A logging filter that masks the accepted keys in a record's message and arguments."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__()
        self.keys = tuple(keys)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_keys(record.msg, self.keys)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_keys(arg, self.keys) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def install_log_redaction(keys: Sequence[str]) -> None:
    """Mask `keys` in the server's access and error logs and in the mock's own log."""
    for name in ("uvicorn.access", "uvicorn.error", "videos_contract.mock"):
        logger = logging.getLogger(name)
        if not any(
            isinstance(f, KeyRedactingFilter) and f.keys == tuple(keys) for f in logger.filters
        ):
            logger.addFilter(KeyRedactingFilter(keys))
