"""The peers' benchmarks when a peer is missing, and the latency summary of the load generator.

The measuring paths run at smoke size with the slow tests (test_smoke.py); here only what needs
no peer: a peer that is not installed is skipped with one line saying why, and never installed
by a smoke run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from videos_contract.bench import SMOKE, peer_tools, peers
from videos_contract.bench.load import latency_summary


def test_missing_peers_are_skipped_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(peer_tools, "TOOLS_DIR", tmp_path)
    for get, name in ((peer_tools.prism, "Prism"), (peer_tools.mitmdump, "mitmproxy")):
        with pytest.raises(peer_tools.PeerUnavailable, match=f"^{name} .* is not installed"):
            get(False)
    figures = peers.measure_mock_peers(SMOKE)
    assert [f.key for f in figures] == [
        "peer_mock_retrieve_throughput",
        "peer_mock_retrieve_latency",
        "peer_mock_retrieve_cpu",
        "peer_mock_create_throughput",
        "peer_mock_create_latency",
        "peer_mock_create_cpu",
    ]
    for figure in figures:
        assert figure.status == "not measured"
        missing = f"Prism {peer_tools.PRISM_VERSION} is not installed (make bench installs it)"
        assert figure.note == f"skipped: {missing}"
        assert "\n" not in figure.note
    assert list(tmp_path.iterdir()) == []  # nothing was installed


def test_no_node_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peer_tools, "TOOLS_DIR", tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)  # not root: no apt-get
    with pytest.raises(peer_tools.PeerUnavailable) as caught:
        peer_tools.prism(True)
    assert str(caught.value) == "Node.js and npm are not installed (they are needed for Prism)"


def test_latency_summary() -> None:
    summary = latency_summary([n / 1000 for n in range(1, 101)])  # 1 ms .. 100 ms
    assert summary["median_ms"] == pytest.approx(50.5)
    assert summary["p99_ms"] == pytest.approx(99.0)
    assert latency_summary([]) == {"median_ms": 0.0, "p99_ms": 0.0}
