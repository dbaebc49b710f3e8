"""Keys stay secret: compared in constant time, never echoed by an answer or a log line."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.support.hardening import KEY, CliMock, start_cli_mock, wait_until_serving
from videos_contract.families import families
from videos_contract.mock import MockConfig, create_app

MODEL = families().default_family.models[0]


def test_every_key_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = ("sk-gateway-first", "sk-gateway-second", "sk-gateway-third")
    compared: list[tuple[Any, Any]] = []
    original = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with TestClient(create_app(MockConfig(keys=keys))) as client:
        for given in ("sk-gateway-first", "sk-gateway-nobody"):
            compared.clear()
            client.get("/v1/videos", headers={"Authorization": f"Bearer {given}"})
            # Every key is compared, whether the first matches or none does.
            assert sorted(b for _, b in compared) == sorted(k.encode() for k in keys)


def test_no_answer_or_log_line_echoes_a_key(tmp_path: Path, cli_mocks: list[CliMock]) -> None:
    mock = start_cli_mock("--store", str(tmp_path / "jobs.db"), "--render-seconds", "0.1")
    cli_mocks.append(mock)
    wait_until_serving(mock.url)
    near_misses = [KEY + "x", KEY[:-1], KEY.upper(), f"{KEY} {KEY}"]
    seen: list[str] = list(mock.banner)
    with httpx.Client(base_url=mock.url, timeout=30) as client:
        for key in [KEY, *near_misses]:
            for scheme in ("Bearer", "Basic"):
                headers = {"Authorization": f"{scheme} {key}"}
                for method, path, body in [
                    ("GET", "/v1/videos", None),
                    ("POST", "/v1/videos", {"model": MODEL, "prompt": "A fox."}),
                    ("POST", "/v1/videos", {"model": MODEL, "prompt": key}),
                    ("GET", f"/v1/videos/{key}", None),
                    ("GET", "/v1/videos/nothing/content", None),
                    ("DELETE", "/v1/videos", None),
                    ("POST", "/v1/videos/video_x/remix", {"prompt": "x", "extra": key}),
                ]:
                    answer = client.request(method, path, json=body, headers=headers)
                    seen.append(answer.text)
                    seen.extend(f"{name}: {value}" for name, value in answer.headers.items())
    assert mock.stop() == 0
    seen.extend(mock.output)
    assert len(mock.output) > 50  # the access log was captured
    leaks = [line for line in seen if KEY in line and f'"prompt":"{KEY}"' not in line]
    assert leaks == []
