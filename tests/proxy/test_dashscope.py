"""HappyHorse's DashScope-native body through the validating proxy: the body the adapter
builds (src/adapters/video.ts: `{ model, input: { prompt, media }, parameters }`) is a request
the spec allows, a bad one is a violation naming the field, and so is the flat body for a
HappyHorse model."""

from __future__ import annotations

from typing import Any

import httpx

from tests.proxy.conftest import Proxied
from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.proxy.checks import INVALID_ACCEPTED

HAPPYHORSE = families().named("happyhorse")
T2V, I2V = HAPPYHORSE.models
REQUEST = ("createVideo", "request_matches_spec")


def _post(proxied: Proxied, key: str, body: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.post(f"{proxied.url}/v1/videos", json=body, headers=headers, timeout=30)


def test_the_adapter_s_body_passes_and_a_bad_one_is_reported(
    proxied: Proxied, mock_server: MockServer
) -> None:
    media = HAPPYHORSE.reference_value("https://example.com/first.png")
    valid = [
        {"model": T2V, "input": {"prompt": "a sunset"},
         "parameters": {"resolution": "720P", "duration": 5, "prompt_extend": True,
                        "watermark": False}},
        {"model": I2V, "input": {"prompt": "cat stretches", "media": media},
         "parameters": {"resolution": "1080P", "duration": 3, "aspect_ratio": "16:9"}},
    ]  # fmt: skip
    for body in valid:
        answer = _post(proxied, mock_server.key, body)
        assert answer.status_code == 200, answer.text
    assert REQUEST not in proxied.checks("failed")
    assert REQUEST in proxied.checks("passed")

    bad = {"model": T2V, "input": {"prompt": "a sunset"}, "parameters": {"duration": 16}}
    answer = _post(proxied, mock_server.key, bad)
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "parameters.duration"
    assert REQUEST in proxied.checks("failed")
    # The server refused it, as it should: no "invalid request accepted".
    assert ("createVideo", INVALID_ACCEPTED) not in proxied.checks("failed")
    assert any("request" in line and "duration" in line for line in proxied.lines), proxied.lines


def test_the_flat_body_for_a_happyhorse_model_is_reported(
    proxied: Proxied, mock_server: MockServer
) -> None:
    answer = _post(proxied, mock_server.key, {"model": T2V, "prompt": "a sunset"})
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "input"
    assert REQUEST in proxied.checks("failed")


def test_a_job_that_does_not_echo_the_nested_duration_is_reported() -> None:
    """The job of a HappyHorse create echoes `parameters.duration` as its `duration`: an
    upstream that renders another length is reported under job_echoes_its_parameters."""
    import json

    from videos_contract.proxy import Findings, TrafficChecker
    from videos_contract.proxy.checks import ECHO, Seen
    from videos_contract.spec import load_spec

    upstream = "http://127.0.0.1:9"

    def judged(rendered: int) -> list[str]:
        lines: list[str] = []
        checker = TrafficChecker(load_spec(), Findings(upstream, lines.append), upstream)
        asked = {"model": T2V, "input": {"prompt": "a sunset"}, "parameters": {"duration": 5}}
        job = {
            "id": "video_1", "object": "video", "created": 1796506005, "model": T2V,
            "status": "queued", "prompt": "a sunset", "duration": rendered, "width": 1280,
            "height": 720, "url": None, "error": None,
        }  # fmt: skip
        seen = Seen(
            "POST",
            "/v1/videos",
            (("authorization", "Bearer ***"), ("content-type", "application/json")),
            json.dumps(asked).encode(),
            200,
            (("content-type", "application/json"),),
        )
        checker.answer(seen, json.dumps(job).encode(), True)
        return [v.check + " " + v.at_fault + " " + v.expected for v in checker.findings.violations]

    assert judged(5) == []
    (found,) = judged(4)
    assert found.startswith(ECHO) and "field duration" in found and "parameters.duration" in found
