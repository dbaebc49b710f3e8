"""200 creates at once: every accepted job is listed exactly once, none lost, no 5xx.

Against one in-memory mock on a socket, and against two worker processes sharing a SQLite
store (where ids must not collide across processes and the list must see every worker's jobs).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from tests.support.hardening import KEY, CliMock, start_cli_mock, wait_until_serving
from videos_contract.families import families
from videos_contract.mock import MockConfig, running_mock
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

CREATES = 200


async def _create_all(url: str, key: str, count: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=120.0, limits=limits
    ) as client:
        return await asyncio.gather(
            *(
                client.post("/v1/videos", json={"model": MODEL, "prompt": f"A fox, take {index}."})
                for index in range(count)
            )
        )


def _listed(url: str, key: str) -> list[str]:
    """Every id on every page, in order, following `last_id`."""
    limit = load_spec().operation("listVideos").parameter("limit")["schema"]["maximum"]
    ids: list[str] = []
    after: str | None = None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
        while True:
            params: dict[str, str | int] = {"limit": limit, "order": "asc"}
            if after is not None:
                params["after"] = after
            page = client.get("/v1/videos", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            ids += [video["id"] for video in body["data"]]
            if not body["has_more"]:
                return ids
            after = body["last_id"]


def _check(responses: list[httpx.Response], listed: list[str]) -> None:
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: CREATES}, statuses
    accepted = [response.json()["id"] for response in responses]
    assert len(set(accepted)) == CREATES, "two creates were given the same id"
    assert Counter(listed) == Counter(accepted), "a job is missing from the list or listed twice"


def test_200_concurrent_creates_against_one_mock() -> None:
    with running_mock(MockConfig(render_seconds=60.0, seed=4)) as server:
        responses = asyncio.run(_create_all(server.url, server.key, CREATES))
        _check(responses, _listed(server.url, server.key))
        assert len(server.store) == CREATES
        assert server.app.state.service.unexpected_errors == 0


def test_200_concurrent_creates_against_two_workers_sharing_a_store(
    tmp_path: Path, cli_mocks: list[CliMock]
) -> None:
    store = tmp_path / "jobs.db"
    mock = start_cli_mock("--store", str(store), "--workers", "2", "--render-seconds", "60")
    cli_mocks.append(mock)
    wait_until_serving(mock.url)
    responses = asyncio.run(_create_all(mock.url, KEY, CREATES))
    _check(responses, _listed(mock.url, KEY))
    assert mock.stop() == 0
    served_by = {
        line.split("[")[1].split("]")[0] for line in mock.output if "Started server" in line
    }
    assert len(served_by) == 2, mock.output
    assert not [line for line in mock.output if " 500 " in line or "Traceback" in line]
