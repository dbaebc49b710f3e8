"""The suite's guard on `--dist loadgroup` (tests/support/groups.py), crossed: a group that
stays on one worker runs, a group that pytest-xdist would spread fails at once, saying why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from videos_contract.paths import PROJECT_ROOT

_TESTS = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("together")

@pytest.mark.parametrize("n", range(6))
def test_member(n):
    assert os.environ["PYTEST_XDIST_WORKER"]
"""

# What pytest-xdist#1386 does: the "@group" suffix is appended, then lost.
_SPREAD = """
import pytest

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        item._nodeid = item.nodeid.partition("@")[0]
        if hasattr(item, "_id"):
            item._id = type(item._id)(str(item._id).partition("@")[0])
"""


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.support.groups",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-v",
            "-c",
            os.devnull,
            "--rootdir",
            str(root),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env=environment,
        check=False,
    )


def test_a_group_kept_on_one_worker_runs(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(_TESTS)
    done = _run(tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    workers = {line.split()[0] for line in done.stdout.splitlines() if " PASSED " in line}
    assert len(workers) == 1, done.stdout[-2000:]


def test_a_group_pytest_xdist_would_spread_fails_saying_why(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(_TESTS)
    (tmp_path / "conftest.py").write_text(_SPREAD)
    done = _run(tmp_path)
    assert done.returncode == 1, done.stdout[-2000:]
    assert done.stdout.count("--dist loadgroup has no effect with pytest") >= 6
    assert " PASSED " not in done.stdout
