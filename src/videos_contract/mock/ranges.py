"""Single byte ranges (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`) for resumable downloads."""

from __future__ import annotations

import re

from videos_contract.mock.errors import ApiError

__all__ = ["byte_range"]

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
