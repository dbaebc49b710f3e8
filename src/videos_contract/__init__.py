"""Contract toolkit for the AIHubMix Videos API.

`openapi.yaml` is the single source of truth; this package reads it for the mock server's
validation, the audit's expectations and the docs tools, and builds on the client generated
from it (`aihubmix_videos`).
"""

from importlib.metadata import version

__all__ = ["POSIX_ONLY", "__version__"]

__version__ = version("videos-contract")

#: What a Windows user is told: the toolkit runs on POSIX systems only (downloads lock their
#: `.part` file with `flock`, the servers stop on POSIX signals).
POSIX_ONLY = "videos-contract runs on POSIX systems (Linux, macOS); Windows is not supported"
