"""The validating reverse proxy: real traffic checked against `openapi.yaml` on its way through.

```python
from videos_contract.proxy import ProxyConfig, running_proxy

with running_proxy(ProxyConfig(upstream="http://127.0.0.1:8000")) as proxy:
    ...  # point any client at proxy.url; reports are written when the block ends
```

Layers: `findings` (the tally and the audit's result), `checks` (the audit's rules applied to
each exchange), `app` (the ASGI app: each request forwarded, its answer passed back and
judged), `server` (a run: serving it, writing reports on exit). The HTTP under them is the
relay core's (`videos_contract.relay`: uvicorn with h11 in front, an h11 client behind).
"""

from typing import TYPE_CHECKING

from videos_contract.extras import require
from videos_contract.lazy import exports

# The proxy serves HTTP and decodes the media it passes on: without the `proxy` extra, one
# ImportError says which extra to install (`videos_contract.extras`).
require("proxy", __name__)

# Each layer loads when first asked for: `proxy --help` and the audit's use of the checks do
# not load the server (uvicorn).
if TYPE_CHECKING:
    from videos_contract.proxy.app import (
        PROXY_ERROR_HEADER,
        ExchangeRecord,
        RecordingSink,
        ValidatingProxy,
    )
    from videos_contract.proxy.checks import CHECK_NAMES, TrafficChecker
    from videos_contract.proxy.findings import Findings
    from videos_contract.proxy.limits import DEFAULT_REPORT_DIR, ProxyLimits
    from videos_contract.proxy.server import (
        ProxyConfig,
        ProxyRun,
        RunningProxy,
        running_proxy,
        serve_proxy,
        shown_url,
    )

__all__ = [
    "CHECK_NAMES",
    "DEFAULT_REPORT_DIR",
    "PROXY_ERROR_HEADER",
    "ExchangeRecord",
    "Findings",
    "ProxyConfig",
    "ProxyLimits",
    "ProxyRun",
    "RecordingSink",
    "RunningProxy",
    "TrafficChecker",
    "ValidatingProxy",
    "running_proxy",
    "serve_proxy",
    "shown_url",
]

_WHERE = {
    "PROXY_ERROR_HEADER": "app",
    "ExchangeRecord": "app",
    "ProxyLimits": "limits",
    "RecordingSink": "app",
    "ValidatingProxy": "app",
    "CHECK_NAMES": "checks",
    "TrafficChecker": "checks",
    "Findings": "findings",
    "DEFAULT_REPORT_DIR": "limits",
    "ProxyConfig": "server",
    "ProxyRun": "server",
    "RunningProxy": "server",
    "running_proxy": "server",
    "serve_proxy": "server",
    "shown_url": "server",
}


__getattr__ = exports(__name__, _WHERE)
