"""Packages whose public names load their modules when first asked for.

A package that re-exports names from heavy modules (httpx, uvicorn, PyAV, jsonschema) keeps
`import videos_contract.client` and every `--help` light by binding its `__getattr__` here:

```python
if TYPE_CHECKING:
    from videos_contract.client.calls import create
_HOMES = {"create": "calls"}
__getattr__ = exports(__name__, _HOMES)
```

A name is read from its module the first time it is asked for, and kept on the package.
`guard(home)`, when given, runs before a module is loaded: a package whose modules need an
extra raises there the `ImportError` that names it (`videos_contract.extras`).
Standard library only.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["exports"]


def exports(
    package: str, homes: Mapping[str, str], guard: Callable[[str], None] | None = None
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name of `homes` from `package.<home>`."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if guard is not None:
            guard(home)
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
