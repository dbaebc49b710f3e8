"""Docs tools: the docs-page drift check, the breaking-change diff and the client's releases.

`videos_contract.docs.regen` (regeneration with a version bump) is imported on its own: it
builds on `videos_contract.generation`, which itself imports the release gate from here.
"""

from videos_contract.docs.drift import Finding, compare_page, find_operation
from videos_contract.docs.page import DocsPage, PageError, PageField, read_page
from videos_contract.docs.release import ReleaseError, bump, release_problems
from videos_contract.docs.specdiff import Change, Direction, Level, diff_specs, highest_level

__all__ = [
    "Change",
    "Direction",
    "DocsPage",
    "Finding",
    "Level",
    "PageError",
    "PageField",
    "ReleaseError",
    "bump",
    "compare_page",
    "diff_specs",
    "find_operation",
    "highest_level",
    "read_page",
    "release_problems",
]
