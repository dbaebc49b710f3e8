"""Single byte ranges (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`) for resumable downloads,
and the validators (`ETag`, `Last-Modified`) that let a download resume in a later run
(`If-Range`)."""

from __future__ import annotations

import hashlib
import re
from email.utils import formatdate

from videos_contract.mock.errors import ApiError

__all__ = ["byte_range", "range_applies", "validators"]

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _unsatisfiable(size: int, why: str) -> ApiError:
    return ApiError(
        416,
        f"The requested range {why}; the asset has {size} bytes.",
        param="Range",
        code="range_not_satisfiable",
        headers={"Content-Range": f"bytes */{size}"},
    )


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte positions asked for, or None for the whole asset.

    A header that matches the spec's pattern but selects nothing answers 416 with
    `Content-Range: bytes */SIZE`, as RFC 9110 says.
    """
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        raise ApiError(
            400,
            f"Invalid 'Range': expected a single range 'bytes=START-END', got '{header[:60]}'.",
            param="Range",
            code="invalid_value",
        )
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        raise _unsatisfiable(size, "names neither a start nor an end")
    if not first_text:
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size, "is empty")
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size:
        raise _unsatisfiable(size, "starts after the end of the asset")
    if last < first:
        raise _unsatisfiable(size, "ends before it starts")
    return first, min(last, size - 1)


def validators(data: bytes, modified: float) -> dict[str, str]:
    """`ETag` and `Last-Modified` for an asset whose bytes are `data`, last changed at
    `modified` (Unix seconds).

    The entity tag is strong: it is derived from the bytes, so it changes exactly when they
    do, whatever produced them.
    """
    return {
        "ETag": f'"{hashlib.sha256(data).hexdigest()[:32]}"',
        "Last-Modified": formatdate(modified, usegmt=True),
    }


def range_applies(if_range: str | None, served: dict[str, str]) -> bool:
    """Whether a `Range` is to be answered under `If-Range`, against the validators `served`
    (header name -> value, in any case) of the asset as it is now.

    RFC 9110 (13.1.5): without `If-Range` it is; with one, only when it is the current entity
    tag, compared strongly (a weak tag never matches), or exactly the current `Last-Modified`
    date. Anything else, an unreadable value included, means the whole asset (200), never
    an error.
    """
    if if_range is None:
        return True
    wanted = if_range.strip()
    current = {name.lower(): value for name, value in served.items()}
    etag, modified = current.get("etag"), current.get("last-modified")
    if wanted.startswith(('"', "W/")):
        return etag is not None and not etag.startswith("W/") and wanted == etag
    return modified is not None and wanted == modified
