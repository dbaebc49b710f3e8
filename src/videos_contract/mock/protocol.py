"""The mock's HTTP/1.1 protocol: the relay core's (`videos_contract.relay.front`), so that the
mock and the proxy refuse unreadable requests alike.

uvicorn's h11 protocol with its refusals of unreadable requests in the API's error shape
(431 `request_header_too_large`, 400 `invalid_request`), no answer lost to the bytes that
follow a request, and a bound on the time a client may take to send a request head
(`HEAD_TIMEOUT_ATTRIBUTE` on the uvicorn config, set from `MockConfig.body_timeout_seconds`):
past it a partial head is answered 408 `request_timeout`, and an empty connection is closed.
"""

from __future__ import annotations

from videos_contract.relay.front import GuardedH11Protocol
from videos_contract.relay.rules import DEFAULT_HEAD_TIMEOUT, HEAD_TIMEOUT_ATTRIBUTE

__all__ = ["DEFAULT_HEAD_TIMEOUT", "HEAD_TIMEOUT_ATTRIBUTE", "GuardedH11Protocol"]
