"""Docs-page tools: read a documentation page and compare what it states with the spec.

The spec's own history (the breaking-change diff, the release gate, regeneration) lives in
`videos_contract.release`.
"""

from videos_contract.docs.drift import Finding, compare_page, find_operation
from videos_contract.docs.page import DocsPage, PageError, PageField, read_page
from videos_contract.docs.unified import (
    Statement,
    UnifiedPage,
    compare_unified,
    is_unified,
    read_unified,
)

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
