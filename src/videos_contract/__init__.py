"""Contract toolkit for the AIHubMix Videos API.

`openapi.yaml` is the single source of truth; this package reads it for the mock server's
validation, the audit's expectations and the docs tools, and builds on the client generated
from it (`aihubmix_videos`).
"""

from importlib.metadata import version

__all__ = ["__version__"]

__version__ = version("videos-contract")
