"""Who is calling: the bearer key checked against the accepted ones, in constant time.

The caller is known by an owner id, a digest of the key, so that the job store never holds
a key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from videos_contract.mock.errors import ApiError

__all__ = ["KeyCheck", "owner_id"]


def owner_id(key: str) -> str:
    """The store's owner id for a key: a digest, so the store never holds keys."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class KeyCheck:
    """The keys a server accepts; `owner` turns an `Authorization` header into an owner id."""

    def __init__(self, keys: Iterable[str]) -> None:
        # Each key with its owner id, digested once rather than on every request.
        self._keys = tuple((key.encode("utf-8"), owner_id(key)) for key in keys)

    def owner(self, header: str | None) -> str:
        """The caller's owner id, or `ApiError` 401 saying what is wrong with the header."""
        challenge = {"WWW-Authenticate": "Bearer"}
        if not header:
            raise ApiError(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                type="authentication_error",
                code="missing_api_key",
                headers=challenge,
            )
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(
                401,
                "The Authorization header must be 'Bearer <key>'.",
                type="authentication_error",
                code="invalid_api_key",
                headers=challenge,
            )
        given = token.encode("utf-8")
        owner = None
        for key, digest in self._keys:
            # Every key is compared, in constant time, so timing tells nothing.
            if hmac.compare_digest(given, key):
                owner = digest
        if owner is None:
            raise ApiError(
                401,
                "Incorrect API key provided.",
                type="authentication_error",
                code="invalid_api_key",
                headers=challenge,
            )
        return owner
