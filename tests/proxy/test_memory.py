"""A large download through the proxy (a process of its own, as users run it) keeps its
memory flat: the asset streams through, is spooled to disk and decoded from there.

Peak RSS (`VmHWM`) is read after a warm-up exchange of the same kind (a retrieve and a small
download, so the decoder has run once) and again after the large one; the growth must stay
far below the size of the body. The 1 GiB run is marked slow.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest

from tests.proxy.bigmedia import TOTAL_HEADER, big_media_app
from tests.proxy.conftest import cli_proxy
from videos_contract.audit.serving import serve_in_thread

MIB = 1024 * 1024


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _download(url: str, headers: dict[str, str]) -> int:
    size = 0
    with httpx.stream("GET", url, headers=headers, timeout=120.0) as reply:
        assert reply.status_code == 200
        for chunk in reply.iter_raw():
            size += len(chunk)
    return size


def _growth_mib(total: int, tmp_path: Path) -> tuple[float, float]:
    """(peak RSS growth of the proxy over its warm peak, its final peak), in MiB."""
    app, video = big_media_app()
    auth = {"Authorization": "Bearer sk-test-memory"}
    reports = tmp_path / "reports"
    with (
        serve_in_thread(app) as upstream,
        cli_proxy(upstream, "--report-dir", str(reports)) as (
            proc,
            url,
        ),
    ):
        content = f"{url}/v1/videos/{video['id']}/content"
        httpx.get(f"{url}/v1/videos/{video['id']}", headers=auth).raise_for_status()
        _download(content, {**auth, TOTAL_HEADER: str(MIB)})
        warm = _peak_kib(proc.pid)
        assert _download(content, {**auth, TOTAL_HEADER: str(total)}) == total
        peak = _peak_kib(proc.pid)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    checks = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    mp4 = checks["content_is_real_mp4_matching_size_and_seconds"]
    assert mp4["cases"] == {"passed": 2, "failed": 0, "not_run": 0}  # decoded, both sizes
    return (peak - warm) / 1024, peak / 1024


def test_a_large_download_keeps_memory_flat(tmp_path: Path) -> None:
    total = 160 * MIB
    growth, _ = _growth_mib(total, tmp_path)
    assert growth < 32, f"peak RSS grew {growth:.0f} MiB for a {total // MIB} MiB body"


@pytest.mark.slow
def test_a_1_gib_download_keeps_memory_flat(tmp_path: Path) -> None:
    growth, peak = _growth_mib(1024 * MIB, tmp_path)
    assert growth < 32, f"peak RSS grew {growth:.0f} MiB for a 1 GiB body"
    assert peak < 100, f"peak RSS {peak:.0f} MiB"
