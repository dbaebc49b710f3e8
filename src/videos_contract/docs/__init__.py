"""Docs-page tools: read a documentation page and compare what it states with the spec.

The spec's own history (the breaking-change diff, the release gate, regeneration) lives in
`videos_contract.release`.
"""

from videos_contract.docs.drift import Finding, compare_page, find_operation
from videos_contract.docs.page import DocsPage, PageError, PageField, read_page

__all__ = [
    "DocsPage",
    "Finding",
    "PageError",
    "PageField",
    "compare_page",
    "find_operation",
    "read_page",
]
