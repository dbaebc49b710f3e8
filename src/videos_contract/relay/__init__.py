"""The relay core: one HTTP stack for what relays traffic to an upstream.

`front` serves an ASGI app with uvicorn (the h11 parser) and says which requests a relay
must refuse; `upstream` is the HTTP/1.1 client (h11) to the upstream. The validating proxy
(`videos_contract.proxy`) is an ASGI app on both; its policies (checks, spooling,
recording, its error answers) live there, not here. Each module loads when first asked for:
a user of the client side (the audit's checks) does not load uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from videos_contract.lazy import exports

if TYPE_CHECKING:
    from videos_contract.relay.front import RelayServer
    from videos_contract.relay.rules import MAX_HEAD, request_refusal
    from videos_contract.relay.upstream import Answer, Upstream, UpstreamError

__all__ = ["MAX_HEAD", "Answer", "RelayServer", "Upstream", "UpstreamError", "request_refusal"]

_WHERE = {
    "MAX_HEAD": "rules",
    "RelayServer": "front",
    "request_refusal": "rules",
    "Answer": "upstream",
    "Upstream": "upstream",
    "UpstreamError": "upstream",
}


__getattr__ = exports(__name__, _WHERE)
