"""Contract tests that run against the mock, or against a real server when configured.

With `VIDEOS_API_URL` and `VIDEOS_API_KEY` set, `api_target` is that server: these tests then
make about ten requests, of which at most one create is accepted (and billed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ApiTarget
from videos_contract.families import families
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()


def _valid(schema_name: str, value: Any) -> None:
    errors = [e.message for e in Draft202012Validator(SPEC.schema(schema_name)).iter_errors(value)]
    assert errors == [], errors


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    _valid("ErrorResponse", response.json())
    error: dict[str, Any] = response.json()["error"]
    return error


def test_a_missing_key_is_401(api_target: ApiTarget) -> None:
    with httpx.Client(base_url=api_target.url, timeout=30) as client:
        _error(client.get("/v1/videos"), 401)


def test_an_unknown_id_is_404(api_target: ApiTarget) -> None:
    with api_target.client() as client:
        _error(client.get("/v1/videos/video_does_not_exist_0000"), 404)


def test_a_bad_size_is_400_naming_it(api_target: ApiTarget) -> None:
    sizes = SPEC.enum("VideoSize")
    with api_target.client() as client:
        response = client.post(
            "/v1/videos",
            files={"model": (None, MODEL), "prompt": (None, "x"), "size": (None, "1x1")},
        )
        error = _error(response, 400)
        assert error.get("param") == "size" or "size" in error["message"]
        assert "1x1" not in sizes


def test_the_first_page_lists_videos(api_target: ApiTarget) -> None:
    with api_target.client() as client:
        response = client.get("/v1/videos", params={"limit": 2})
        assert response.status_code == 200, response.text
        _valid("VideoList", response.json())


@pytest.mark.videos_billed(jobs=1)
def test_one_create_is_retrievable(
    api_target: ApiTarget, wait_for_job: Callable[..., dict[str, Any]]
) -> None:
    with api_target.client() as client:
        created = client.post(
            "/v1/videos", files={"model": (None, MODEL), "prompt": (None, "A red fox in snow.")}
        )
        assert created.status_code == 200, created.text
        video = created.json()
        _valid("Video", video)
        assert video["status"] == "queued"
        retrieved = client.get(f"/v1/videos/{video['id']}")
        assert retrieved.status_code == 200
        _valid("Video", retrieved.json())
        if not api_target.live:
            final = wait_for_job(client, video["id"], timeout=30)
            _valid("Video", final)
            assert final["status"] == "completed"
