"""A plugin of this suite: tests marked `xdist_group` fail at once, saying why, when
`--dist loadgroup` (the Makefile's) would not keep their group on one worker.

pytest-xdist groups by appending "@group" to each test's id; with pytest 9.2 that append no
longer takes (pytest-xdist#1386) and the group is spread over the workers without a word.
The PostgreSQL tests, one of which restarts the server, then ran beside each other and
failed at random.
"""

from __future__ import annotations

import pytest

_UNGROUPED = pytest.StashKey[str]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under `--dist loadgroup` (the Makefile's), every test marked `xdist_group` must carry
    its group in its id, or pytest-xdist spreads the group over workers without a word
    (pytest-xdist#1386, with pytest 9.2): the PostgreSQL tests, one of which restarts the
    server, would then run beside each other and fail at random. Those tests then fail at
    once, saying why, instead."""
    if not session.config.getoption("loadgroup", default=False):
        return
    for item in session.items:
        if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid:
            item.stash[_UNGROUPED] = (
                f"--dist loadgroup has no effect with pytest {pytest.__version__}: this test"
                " is marked xdist_group but may run beside the rest of its group on another"
                " worker; use the pytest that uv.lock pins (make env)"
            )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _UNGROUPED in item.stash:
        pytest.fail(item.stash[_UNGROUPED], pytrace=False)
