"""The mock refuses what its spec forbids, and the spec says exactly what that is.

Reference URLs are held to the `pattern` of `ImageReference.image_url` (read from the spec, so
a spec that allows another scheme changes the mock with no code edit); a key repeated in a
JSON object is refused as a repeated form field is; the cursor of a job the server has
forgotten answers what the spec's `after` parameter says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.applications import Starlette
from starlette.testclient import TestClient

from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app
from videos_contract.mock.sqlite_store import SqliteJobStore
from videos_contract.mock.store import JobStore, MemoryJobStore
from videos_contract.paths import SPEC_PATH
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
SPEC = load_spec()
URL_SCHEMA = SPEC.schema("ImageReference")["properties"]["image_url"]
REFUSED_URLS = ["ftp://x", "not a url", "http://example.com/a.png", "https://", "file:///etc"]
ACCEPTED_URLS = ["https://example.com/a.png", "data:image/png;base64,iVBORw0KGgo="]


def _client(app: Starlette) -> TestClient:
    return TestClient(app, headers=AUTH, raise_server_exceptions=True)


@pytest.fixture
def client(mock_app: Starlette) -> Iterator[TestClient]:
    with _client(mock_app) as test_client:
        yield test_client
    assert mock_app.state.service.unexpected_errors == 0


def _error(response: Any, param: str, code: str) -> str:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code), error
    return str(error["message"])


def _three_forms(url: str) -> list[tuple[str, dict[str, Any]]]:
    """A create carrying `url` as a JSON body, a JSON part and a bracketed form field."""
    reference = {"image_url": url}
    return [
        ("json", {"json": {"model": MODEL, "prompt": "A fox.", "input_reference": reference}}),
        (
            "json part",
            {
                "files": {
                    "model": (None, MODEL),
                    "prompt": (None, "A fox."),
                    "input_reference": (None, json.dumps(reference).encode(), "application/json"),
                }
            },
        ),
        (
            "brackets",
            {
                "files": {
                    "model": (None, MODEL),
                    "prompt": (None, "A fox."),
                    "input_reference[image_url]": (None, url),
                }
            },
        ),
    ]


def test_the_spec_states_the_schemes_it_allows() -> None:
    pattern = URL_SCHEMA["pattern"]
    for url in ACCEPTED_URLS:
        assert re.search(pattern, url), url
    for url in REFUSED_URLS:
        assert not re.search(pattern, url), url
    assert "`https:`" in URL_SCHEMA["description"] and "`data:`" in URL_SCHEMA["description"]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_reference_urls_of_other_schemes_are_refused(client: TestClient, url: str) -> None:
    for form, request in _three_forms(url):
        message = _error(
            client.post("/v1/videos", **request), "input_reference.image_url", "invalid_value"
        )
        assert "`https:`" in message, (form, message)


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_https_and_data_urls_are_accepted(client: TestClient, url: str) -> None:
    for form, request in _three_forms(url):
        response = client.post("/v1/videos", **request)
        assert response.status_code == 200, (form, response.text)


def test_the_schemes_come_from_the_spec(tmp_path: Path) -> None:
    """A spec whose pattern also allows `http:` gives a mock that accepts it."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    image_url = document["components"]["schemas"]["ImageReference"]["properties"]["image_url"]
    image_url["pattern"] = "^https?://"
    spec_path = tmp_path / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(document), encoding="utf-8")
    app = create_app(MockConfig(render_seconds=0.3, spec_path=spec_path))
    with _client(app) as client:
        for form, request in _three_forms("http://example.com/a.png"):
            assert client.post("/v1/videos", **request).status_code == 200, form


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ('{"prompt": "one", "prompt": "two"}', "prompt"),
        (
            '{"prompt": "A fox.", "input_reference": '
            '{"image_url": "https://a.example/1.png", "image_url": "https://a.example/2.png"}}',
            "input_reference.image_url",
        ),
        ('{"prompt": "A fox.", "size": "720x1280", "size": "1280x720"}', "size"),
    ],
    ids=["top-level", "nested", "enum-field"],
)
def test_a_json_key_given_twice_is_refused(client: TestClient, body: str, param: str) -> None:
    headers = {"content-type": "application/json"}
    response = client.post("/v1/videos", content=body.encode(), headers=headers)
    assert "more than once" in _error(response, param, "duplicate_parameter")


def test_a_repeated_key_in_a_json_part_or_a_remix_is_refused(client: TestClient) -> None:
    part = b'{"file_id": "file_1", "file_id": "file_2"}'
    files: dict[str, Any] = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": (None, part, "application/json"),
    }
    response = client.post("/v1/videos", files=files)
    _error(response, "input_reference.file_id", "duplicate_parameter")
    video = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
    remix = client.post(
        f"/v1/videos/{video['id']}/remix",
        content=b'{"prompt": "At night.", "prompt": "By day."}',
        headers={"content-type": "application/json"},
    )
    _error(remix, "prompt", "duplicate_parameter")


def test_the_spec_says_a_repeated_key_is_refused() -> None:
    bad_request = SPEC.raw["components"]["responses"]["BadRequest"]["description"]
    assert "duplicate_parameter" in bad_request and "JSON object" in bad_request


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> JobStore:
    return MemoryJobStore() if request.param == "memory" else SqliteJobStore(tmp_path / "j.db")


def test_the_cursor_of_a_forgotten_job_answers_as_the_spec_says(store: JobStore) -> None:
    after = " ".join(SPEC.operation("listVideos").parameter("after")["description"].split())
    # The spec gives `unknown_cursor` to forgotten jobs too, not only to ids never issued.
    assert (
        "`unknown_cursor`: an id the caller never had, or the id of a job the server has "
        "forgotten since" in after
    ), after
    app = create_app(MockConfig(render_seconds=0.3), store=store)
    with _client(app) as client:
        first = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
        second = client.post("/v1/videos", json={"model": MODEL, "prompt": "A hare."}).json()["id"]
        assert client.get("/v1/videos", params={"after": second}).status_code == 200
        # Far past expiry and the prune window: the store forgets both jobs.
        assert store.prune(float(10**12)) == 2
        response = client.get("/v1/videos", params={"after": second})
        message = _error(response, "after", "unknown_cursor")
        assert "forgotten" in message and "first page" in message
        assert client.get(f"/v1/videos/{first}").status_code == 404
