"""Docs-page tools: read a documentation page and compare what it states with the spec.

The spec's own history (the breaking-change diff, the release gate, regeneration) lives in
`videos_contract.release`.
"""

from typing import TYPE_CHECKING

from videos_contract.lazy import exports

if TYPE_CHECKING:
    from videos_contract.docs.drift import Finding, compare_page, find_operation
    from videos_contract.docs.mdx import Statement, UnifiedPage, is_unified, read_unified
    from videos_contract.docs.page import DocsPage, PageError, PageField, read_page
    from videos_contract.docs.unified import compare_unified

# Each name's module, loaded when the name is first asked for: `docs.mdx` (reading the unified
# page) and `docs.unified` (comparing it) bring in the families and the validator, which a
# command that only reads a page format does not need.
_HOMES = {
    "Finding": "drift",
    "compare_page": "drift",
    "find_operation": "drift",
    "DocsPage": "page",
    "PageError": "page",
    "PageField": "page",
    "read_page": "page",
    "Statement": "mdx",
    "UnifiedPage": "mdx",
    "compare_unified": "unified",
    "is_unified": "mdx",
    "read_unified": "mdx",
}


__getattr__ = exports(__name__, _HOMES)


__all__ = [
    "DocsPage",
    "Finding",
    "PageError",
    "PageField",
    "Statement",
    "UnifiedPage",
    "compare_page",
    "compare_unified",
    "find_operation",
    "is_unified",
    "read_page",
    "read_unified",
]
