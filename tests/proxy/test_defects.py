"""A broken upstream (the mock with a `--defect`) behind the proxy: each is reported, by the
check that stands for the broken rule, live (one line) and in the reports."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.proxy.conftest import ProxyFactory
from videos_contract.families import families
from videos_contract.mock import MockConfig, MockServer, running_mock
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

Scenario = Callable[[httpx.Client], None]


def _create(http: httpx.Client, **fields: str) -> dict[str, object]:
    form = {"model": MODEL, "prompt": "a red fox", **fields}
    reply = http.post("/v1/videos", files={k: (None, v) for k, v in form.items()})
    video: dict[str, object] = reply.json()
    return video


def _completed(http: httpx.Client) -> str:
    video_id = str(_create(http)["id"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if http.get(f"/v1/videos/{video_id}").json().get("status") == "completed":
            return video_id
        time.sleep(0.05)
    raise AssertionError("the job did not complete")


def _retrieve(http: httpx.Client) -> None:
    http.get(f"/v1/videos/{_create(http)['id']}")


def _largest_page(http: httpx.Client) -> None:
    largest = load_spec().operation("listVideos").parameter("limit")["schema"]["maximum"]
    http.get("/v1/videos", params={"limit": largest})


def _invalid_seconds(http: httpx.Client) -> None:
    seconds = [int(v) for v in load_spec().enum("VideoSeconds")]
    _create(http, seconds=str(max(seconds) + 1))


def _other_size(http: httpx.Client) -> None:
    _create(http, size=load_spec().enum("VideoSize")[1])


def _download(http: httpx.Client) -> None:
    video_id = _completed(http)
    try:
        http.get(f"/v1/videos/{video_id}/content")
    except httpx.HTTPError:
        pass  # a body cut short reaches the client as a broken connection


# defect -> (what the client does, (operation, check) the proxy must report)
CASES: dict[str, tuple[Scenario, tuple[str, str]]] = {
    "wrong-type": (_retrieve, ("retrieveVideo", "response_body_matches_schema")),
    "missing-field": (_retrieve, ("createVideo", "response_body_matches_schema")),
    "wrong-content-type": (_retrieve, ("retrieveVideo", "content_type_is_documented")),
    "server-error": (_largest_page, ("listVideos", "not_a_server_error")),
    "accepts-invalid": (_invalid_seconds, ("createVideo", "invalid_request_is_refused")),
    "ignored-size": (_other_size, ("createVideo", "job_echoes_its_parameters")),
    "corrupt-mp4": (
        _download,
        ("downloadVideoContent", "content_is_real_mp4_matching_size_and_seconds"),
    ),
    "truncated-mp4": (_download, ("downloadVideoContent", "upstream_answers")),
}


@pytest.fixture
def defective(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    with running_mock(MockConfig(render_seconds=0.2, seed=0, defects=(request.param,))) as server:
        yield server


@pytest.mark.parametrize("defective", sorted(CASES), indirect=True)
def test_each_defect_is_reported(defective: MockServer, proxy_for: ProxyFactory) -> None:
    (defect,) = defective.config.defects
    scenario, (operation, check) = CASES[defect]
    proxied = proxy_for(defective.url)
    headers = {"Authorization": f"Bearer {defective.key}"}
    with httpx.Client(base_url=proxied.url, headers=headers, timeout=30.0) as http:
        scenario(http)
    result = proxied.proxy.run.finish()
    assert (operation, check) in proxied.checks("failed"), proxied.lines
    assert any(f"{operation} · {check}:" in line for line in proxied.lines)
    summary = json.loads((proxied.report_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "violations" and result.exit_code == 1
    reported = {
        (group["operation"], c["check"])
        for group in summary["operations"]
        for c in group["checks"]
        if c["outcome"] == "failed"
    }
    assert (operation, check) in reported
    junit = (proxied.report_dir / "junit.xml").read_text(encoding="utf-8")
    assert f'name="{check}"' in junit and "<failure" in junit
