"""The kinds of documentation source `docs-check` compares, and how long a fetch may take.

Apart from the modules that use them so that `docs-check --help` and the settings file's
checks name them without loading the readers or an HTTP client.
"""

from __future__ import annotations

__all__ = ["DEFAULT_TIMEOUT", "KINDS"]

# unified: the unified video page; family: a family's own page; news: the news page;
# adapter: the adapter code's model list; operation: an operation's page (create a video).
KINDS = ("unified", "family", "news", "adapter", "operation")
# Seconds a whole fetch may take, redirects included.
DEFAULT_TIMEOUT = 30.0
