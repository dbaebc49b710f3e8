"""`videos-contract mock` without `--seed` hands out new ids each start; with it, the same ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
from starlette.testclient import TestClient

from videos_contract.cli import build_parser
from videos_contract.cli.mock import mock_config
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app

MODEL = families().default_family.models[0]

AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}


def _first_id(config: MockConfig) -> str:
    with TestClient(create_app(config), headers=AUTH) as client:
        return str(
            client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
        )


def _config(*args: str) -> MockConfig:
    return mock_config(build_parser().parse_args(["mock", *args]))


def test_without_a_seed_each_start_hands_out_other_ids() -> None:
    first, second = _config(), _config()
    assert first.seed != second.seed
    assert _first_id(first) != _first_id(second)


def test_a_seed_repeats_the_ids() -> None:
    assert _config("--seed", "7").seed == 7
    assert _first_id(_config("--seed", "7")) == _first_id(_config("--seed", "7"))


def test_the_banner_names_the_seed_that_repeats_the_run() -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIDEOS_MOCK_KEYS"}
    env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "videos_contract", "mock", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--render-seconds", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while banner[-1] and not banner[-1].startswith("Stop with"):
            banner.append(process.stdout.readline())
        url = re.search(r"listening on (http://\S+)", banner[0])
        seed = re.search(r"^Seed: (\d+) \(repeat this run with --seed \1\)$", "".join(banner), re.M)
        assert url and seed, banner
        reply = httpx.post(
            f"{url[1]}/v1/videos", json={"model": MODEL, "prompt": "A fox."}, headers=AUTH
        )
        assert reply.status_code == 200, reply.text
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert reply.json()["id"] == _first_id(_config("--seed", seed[1]))
