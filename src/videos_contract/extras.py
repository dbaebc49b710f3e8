"""The optional parts of the toolkit, and what each needs installed.

`pip install videos-contract` is the client: the helpers of `videos_contract.client` on the
generated client, the video commands and the spec tools (`docs-check`, `diff`). The servers
and the audit are extras, each named after what it runs:

- `mock` (Starlette, uvicorn, httptools, multipart, PyAV, Pillow, psycopg):
  `videos_contract.mock`, `videos-contract mock`, the video commands' embedded mock, the
  pytest plugin's `videos_mock`;
- `audit` (the `mock` extra and schemathesis): `videos-contract audit` and `config`, running an
  audit from Python (`videos_contract.audit.run_audit`);
- `proxy` (uvicorn, PyAV, Pillow): `videos_contract.proxy`, `videos-contract proxy`;
- `media` (PyAV, Pillow): decoding media (`videos_contract.probe`); the client needs it only
  to check a download that came without a Content-Length; the three extras above include it;
- `all`: all of them.

`MODULES` names the modules each extra must make importable (pyproject.toml names their
distributions; `tests/test_dependencies.py` checks that the two agree). A package or command
that needs an extra asks `require` first, so that a missing one is said in one sentence naming
the extra, never as a `ModuleNotFoundError` from deep inside a server. Standard library only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

__all__ = [
    "DISTRIBUTION",
    "MODULES",
    "MissingExtra",
    "install_line",
    "missing",
    "needs",
    "require",
]

# The distribution's name, as pip installs it.
DISTRIBUTION = "videos-contract"

_MEDIA = ("av", "PIL")
_SERVER = ("uvicorn", *_MEDIA)
_MOCK = ("starlette", *_SERVER, "httptools", "multipart", "psycopg")

# The top-level modules each extra makes importable. uvloop is left out: uvicorn uses it when
# it is there, nothing needs it.
MODULES: Mapping[str, tuple[str, ...]] = {
    "mock": _MOCK,
    "audit": (*_MOCK, "schemathesis"),
    "proxy": _SERVER,
    "media": _MEDIA,
}


class MissingExtra(ImportError):
    """What `user` needs is not installed: the message names the extra and how to install it."""

    def __init__(self, user: str, extra: str, absent: tuple[str, ...]) -> None:
        super().__init__(f"{user}: {needs(extra, absent)}", name=absent[0])
        self.extra = extra
        self.absent = absent


def install_line(extra: str) -> str:
    """The command that installs `extra`."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def needs(extra: str, absent: tuple[str, ...]) -> str:
    """The sentence that says an extra is missing: which, how to install it, what is absent."""
    listed = f" (not installed: {', '.join(absent)})" if absent else ""
    return f"needs the {extra!r} extra: {install_line(extra)}{listed}"


def missing(extra: str) -> tuple[str, ...]:
    """The modules of `extra` that cannot be imported here; () when it is installed.

    Asked of the import system without importing them: a check costs no start-up time."""
    absent: list[str] = []
    for module in MODULES[extra]:
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):  # a module blanked in sys.modules, a broken one
            found = None
        if found is None:
            absent.append(module)
    return tuple(absent)


def require(extra: str, user: str) -> None:
    """Raise `MissingExtra` when `extra` is not installed; `user` names who needs it."""
    absent = missing(extra)
    if absent:
        raise MissingExtra(user, extra, absent)
