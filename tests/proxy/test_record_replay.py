"""Record through the proxy, replay with `mock --replay`: the clients see the same thing.

Both clients' whole lives (our client helpers and the openai SDK: creates, polls, downloads,
a ranged download, a failing job, lists, deletes) run once through `proxy --record` to a mock,
then again against a replaying mock with another key and seed and no upstream at all. The
cassette and the reports hold the key nowhere.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.proxy.conftest import files_holding
from tests.replay.test_replay import KEY, REPLAY, our_client_life, sdk_life
from videos_contract.cassette import read_cassette
from videos_contract.mock import MockConfig, running_mock
from videos_contract.proxy import ProxyConfig, running_proxy

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # The multipart create helper is Sora's, past its sunset: its warning is tested elsewhere.
    pytest.mark.filterwarnings("ignore::videos_contract.client.lifecycle.RetiredModelWarning"),
]


def test_recorded_traffic_replays_identically(tmp_path: Path) -> None:
    cassette, reports = tmp_path / "cassette", tmp_path / "reports"
    lines: list[str] = []
    with running_mock(MockConfig(keys=(KEY,), render_seconds=0.4, seed=7)) as upstream:
        config = ProxyConfig(upstream=upstream.url, report_dir=reports, record_dir=cassette)
        with running_proxy(config, on_line=lines.append) as proxy:
            seen = {
                "ours": our_client_life(proxy.url, KEY, tmp_path),
                "sdk": sdk_life(proxy.url, KEY),
            }
        result = proxy.run.finish()
    assert result.conformant, lines
    assert read_cassette(cassette).jobs[seen["ours"]["id"]]

    (tmp_path / "again").mkdir()
    replayed = replace(REPLAY, replay_path=cassette, replay_speed=4.0)
    with running_mock(replayed) as server:
        again = {
            "ours": our_client_life(server.url, server.key, tmp_path / "again"),
            "sdk": sdk_life(server.url, server.key),
        }
    assert again == seen
    assert files_holding(KEY, cassette) == [] and files_holding(KEY, reports) == []
