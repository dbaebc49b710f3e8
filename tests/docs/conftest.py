"""Fixtures of the docs tools' tests: the gateway page and its HTML/Markdown forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from videos_contract.paths import PROJECT_ROOT

# The page as a reader copied it; beside the clone in CI, never needed at run time.
SHARED_PAGE = PROJECT_ROOT.parent / "shared" / "docs-pages" / "create-a-video.txt"
FIXTURE_PAGES = Path(__file__).parent / "pages"


@pytest.fixture(scope="session")
def shared_page() -> Path:
    if not SHARED_PAGE.exists():
        pytest.skip(f"documentation page not found at {SHARED_PAGE}")
    return SHARED_PAGE


@pytest.fixture(scope="session")
def page_text(shared_page: Path) -> str:
    return shared_page.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fixture_pages() -> Path:
    """HTML and Markdown forms of the create page, written from its text copy."""
    return FIXTURE_PAGES
