"""Several mock hosts on one PostgreSQL database: one truth behind a load balancer.

Two `videos-contract mock --store postgresql://...` processes on two ports are reached through
a round-robin client, as a load balancer would spread requests: the whole lifecycle crosses
hosts, concurrent creates through both are listed exactly once (in the same order, with the
same cursors) from both, a job survives the `kill -9` of the host that created it, and a
restart of the database is answered 503 while it is down and served again after.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.hardening import CliMock, start_cli_mock, wait_until_serving
from tests.support.postgres import GROUP, LocalPostgres
from videos_contract.families import families
from videos_contract.probe import probe_video
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

pytestmark = pytest.mark.xdist_group(GROUP)

# Each test pages its own jobs: one key (so one owner) per test.
KEYS = {
    "lifecycle": "sk-gateway-shared0lifecycle",
    "crowd": "sk-gateway-shared0crowd",
    "kill": "sk-gateway-shared0kill",
    "restart": "sk-gateway-shared0restart",
}
CREATES = 200
DEADLINE = 60.0


def _page_limit() -> int:
    schema = load_spec().operation("listVideos").parameter("limit")["schema"]
    return int(schema["maximum"])


class RoundRobin:
    """Spreads requests over several hosts in turn, as a load balancer does."""

    def __init__(self, urls: list[str], key: str) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        self.clients = [httpx.Client(base_url=url, headers=headers, timeout=30.0) for url in urls]
        self._next = itertools.cycle(range(len(urls)))

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.clients[next(self._next)].request(method, path, **kwargs)

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _start(server: LocalPostgres, mocks: list[CliMock], *options: str) -> CliMock:
    mock = start_cli_mock("--store", server.url, *options, key=",".join(KEYS.values()))
    mocks.append(mock)
    wait_until_serving(mock.url)
    return mock


@pytest.fixture(scope="module")
def hosts(postgres: LocalPostgres) -> Iterator[list[CliMock]]:
    """Two mocks on one database (jobs render in 0.5 s)."""
    postgres.reset()
    started: list[CliMock] = []
    try:
        for _ in range(2):
            _start(postgres, started, "--render-seconds", "0.5")
        yield started
    finally:
        for mock in started:
            if mock.process.poll() is None:
                mock.kill_all()


def _until(balancer: RoundRobin, video_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while True:
        answer = balancer.request("GET", f"/v1/videos/{video_id}")
        assert answer.status_code == 200, answer.text
        video: dict[str, Any] = answer.json()
        if video["status"] == status:
            return video
        assert video["status"] in ("queued", "in_progress"), video
        assert time.monotonic() < deadline, video
        time.sleep(0.05)


def _listing(client: httpx.Client, *, after_from: httpx.Client | None = None) -> list[str]:
    """Every id of the key, newest first, page by page; with `after_from`, pages alternate
    between the two hosts (a cursor from one is used on the other)."""
    ids: list[str] = []
    after: str | None = None
    clients = itertools.cycle([client] if after_from is None else [client, after_from])
    while True:
        params: dict[str, Any] = {"limit": _page_limit()}
        if after is not None:
            params["after"] = after
        page = next(clients).get("/v1/videos", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        ids.extend(video["id"] for video in body["data"])
        if not body["has_more"]:
            return ids
        after = body["last_id"]


def test_the_whole_lifecycle_crosses_hosts(hosts: list[CliMock], postgres: LocalPostgres) -> None:
    balancer = RoundRobin([mock.url for mock in hosts], KEYS["lifecycle"])
    try:
        created = balancer.request(
            "POST", "/v1/videos", json={"model": MODEL, "prompt": "A fox in snow."}
        )
        assert created.status_code == 200, created.text
        video_id = created.json()["id"]
        video = _until(balancer, video_id, "completed")
        assert video["progress"] == 100 and video["expires_at"] is not None
        for client in balancer.clients:  # listed by both hosts alike
            assert _listing(client) == [video_id]
        downloads = [client.get(f"/v1/videos/{video_id}/content") for client in balancer.clients]
        assert [answer.status_code for answer in downloads] == [200, 200]
        assert downloads[0].content == downloads[1].content
        assert probe_video(downloads[0].content).duration > 0
        remix = balancer.request(
            "POST", f"/v1/videos/{video_id}/remix", json={"prompt": "The same fox, at night."}
        )
        assert remix.status_code == 200, remix.text
        remixed = _until(balancer, remix.json()["id"], "completed")
        assert remixed["remixed_from_video_id"] == video_id
        deleted = balancer.request("DELETE", f"/v1/videos/{video_id}")
        assert deleted.status_code == 200 and deleted.json()["deleted"] is True
        for client in balancer.clients:
            gone = client.get(f"/v1/videos/{video_id}")
            assert gone.status_code == 404, gone.text
            assert _listing(client) == [remixed["id"]]
    finally:
        balancer.close()
    # The password of the store's URL appears in no banner and no log line.
    for mock in hosts:
        shown = "".join(mock.banner + mock.output)
        assert "***@" in shown and postgres.password not in shown


async def _create_spread(urls: list[str], key: str, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {key}"}
    clients = [httpx.AsyncClient(base_url=url, headers=headers, timeout=60.0) for url in urls]
    try:
        answers = await asyncio.gather(
            *(
                clients[index % len(clients)].post(
                    "/v1/videos", json={"model": MODEL, "prompt": f"Fox number {index}."}
                )
                for index in range(count)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    assert [answer.status_code for answer in answers] == [200] * count, {
        answer.status_code: answer.text for answer in answers if answer.status_code != 200
    }
    return [answer.json()["id"] for answer in answers]


def test_concurrent_creates_on_two_hosts_are_each_listed_once_from_both(
    hosts: list[CliMock],
) -> None:
    ids = asyncio.run(_create_spread([mock.url for mock in hosts], KEYS["crowd"], CREATES))
    assert len(set(ids)) == CREATES
    balancer = RoundRobin([mock.url for mock in hosts], KEYS["crowd"])
    try:
        first, second = balancer.clients
        listings = [_listing(first), _listing(second), _listing(first, after_from=second)]
    finally:
        balancer.close()
    for listing in listings:
        assert len(listing) == len(set(listing)) == CREATES
        assert set(listing) == set(ids)
    # One order and the same cursors from every host.
    assert listings[0] == listings[1] == listings[2]


def test_kill_9_of_a_host_mid_render_loses_nothing(
    hosts: list[CliMock], postgres: LocalPostgres, cli_mocks: list[CliMock]
) -> None:
    doomed = _start(postgres, cli_mocks, "--render-seconds", "3")
    ids = asyncio.run(_create_spread([doomed.url], KEYS["kill"], 10))
    doomed.kill_all()  # no shutdown code runs
    survivor = RoundRobin([hosts[0].url], KEYS["kill"])
    try:
        # Unfinished now, so unfinished when their host died: it was killed mid-render.
        latest = survivor.request("GET", f"/v1/videos/{ids[-1]}").json()
        assert latest["status"] in ("queued", "in_progress"), latest
        for video_id in ids:
            video = _until(survivor, video_id, "completed")
            assert video["progress"] == 100
            content = survivor.request("GET", f"/v1/videos/{video_id}/content")
            assert content.status_code == 200, content.text
            assert probe_video(content.content).duration > 0
        assert sorted(_listing(survivor.clients[0])) == sorted(ids)
    finally:
        survivor.close()


def test_a_database_restart_is_answered_503_then_served_again(
    hosts: list[CliMock], postgres: LocalPostgres
) -> None:
    balancer = RoundRobin([mock.url for mock in hosts], KEYS["restart"])
    try:
        created = balancer.request(
            "POST", "/v1/videos", json={"model": MODEL, "prompt": "A patient fox."}
        )
        assert created.status_code == 200, created.text
        video_id = created.json()["id"]
        postgres.stop()
        try:
            for client in balancer.clients:
                down = client.get(f"/v1/videos/{video_id}")
                assert down.status_code == 503, down.text
                error = down.json()["error"]
                assert error["type"] == "server_error" and error["code"] == "store_unavailable"
                assert "database" in error["message"] and down.headers["Retry-After"]
                refused = client.post("/v1/videos", json={"model": MODEL, "prompt": "Not now."})
                assert refused.status_code == 503, refused.text
        finally:
            postgres.start()
        for client in balancer.clients:  # no restart of the mocks: the next request connects
            deadline = time.monotonic() + DEADLINE
            while (answer := client.get(f"/v1/videos/{video_id}")).status_code == 503:
                assert time.monotonic() < deadline, answer.text
                time.sleep(0.1)
            assert answer.status_code == 200, answer.text
        assert _until(balancer, video_id, "completed")["id"] == video_id
        assert _listing(balancer.clients[0]) == [video_id]  # the refused create left nothing
    finally:
        balancer.close()
    assert all(mock.process.poll() is None for mock in hosts)
