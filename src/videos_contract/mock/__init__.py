"""The stateful reference mock of the Videos API, validated by openapi.yaml.

```python
from videos_contract.mock import MockConfig, running_mock

with running_mock(MockConfig(render_seconds=0.5)) as server:
    ...  # server.url, server.key
```

`MockConfig(store_path=...)` keeps jobs in a SQLite file (`SqliteJobStore`) that survives
restarts and can be shared by several worker processes; `MockConfig(store_url=
"postgresql://...")` keeps them in a PostgreSQL database (`mock.postgres_store`, loaded only
then) shared by mocks on several hosts.
"""

from typing import TYPE_CHECKING

from videos_contract.extras import require
from videos_contract.lazy import exports

# Every module serves HTTP or renders media: without the `mock` extra, one ImportError says
# which extra to install (`videos_contract.extras`).
require("mock", __name__)

if TYPE_CHECKING:
    from videos_contract.mock.app import create_app
    from videos_contract.mock.config import DEFAULT_KEY, MockConfig
    from videos_contract.mock.server import MockServer, running_mock, serve
    from videos_contract.mock.sqlite_store import SqliteJobStore
    from videos_contract.mock.store import FAIL_MARKER, Job, JobStore, MemoryJobStore

# Loaded when first asked for: `DEFAULT_KEY` or `MockConfig` does not load Starlette, uvicorn,
# PyAV and Pillow.
_WHERE = {
    "create_app": "app",
    "DEFAULT_KEY": "config",
    "MockConfig": "config",
    "MockServer": "server",
    "running_mock": "server",
    "serve": "server",
    "SqliteJobStore": "sqlite_store",
    "FAIL_MARKER": "store",
    "Job": "store",
    "JobStore": "store",
    "MemoryJobStore": "store",
}


__getattr__ = exports(__name__, _WHERE)


__all__ = [
    "DEFAULT_KEY",
    "FAIL_MARKER",
    "Job",
    "JobStore",
    "MemoryJobStore",
    "MockConfig",
    "MockServer",
    "SqliteJobStore",
    "create_app",
    "running_mock",
    "serve",
]
