"""The relay core: one HTTP stack for what relays traffic to an upstream.

`front` serves an ASGI app with uvicorn (the h11 parser) and says which requests a relay
must refuse; `upstream` is the HTTP/1.1 client (h11) to the upstream. The validating proxy
(`videos_contract.proxy`) is an ASGI app on both; its policies (checks, spooling,
recording, its error answers) live there, not here.
"""

from videos_contract.relay.front import MAX_HEAD, RelayServer, request_refusal
from videos_contract.relay.upstream import Answer, Upstream, UpstreamError

__all__ = ["MAX_HEAD", "Answer", "RelayServer", "Upstream", "UpstreamError", "request_refusal"]
