"""Contract toolkit for the AIHubMix Videos API.

`openapi.yaml` is the single source of truth; this package reads it for the mock server's
validation, the audit's expectations and the docs tools, and builds on the client generated
from it (`aihubmix_videos`).
"""

__all__ = ["POSIX_ONLY", "__version__"]

__version__: str

#: What a Windows user is told: the toolkit runs on POSIX systems only (downloads lock their
#: `.part` file with `flock`, the servers stop on POSIX signals).
POSIX_ONLY = "videos-contract runs on POSIX systems (Linux, macOS); Windows is not supported"


def __getattr__(name: str) -> str:
    # Read from the installed metadata when first asked for: importing importlib.metadata
    # costs a command that never prints the version (`diff` in a hook) a noticeable share.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import version

    globals()["__version__"] = found = version("videos-contract")
    return found
