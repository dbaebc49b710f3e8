"""The contract suite's own safeguards: the wire re-check, and that broken mocks fail it.

The hooks in `tests.support.contract` may drop a failure only when the request bytes prove the
claim wrong; these tests pin what the re-check says, and run the suite against deliberately
broken mocks to show it still fails them.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.support.contract import reference_png, run_contract, sent_request_problems
from videos_contract.families import families
from videos_contract.mock import MockConfig, create_app
from videos_contract.mock.defects import DEFECTS
from videos_contract.probe import probe_image
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()


def sent(method: str, path: str, **kwargs: Any) -> SimpleNamespace:
    """A request as schemathesis reports it (method, url, headers, body bytes)."""
    request = httpx.Request(method, f"http://mock{path}", **kwargs)
    return SimpleNamespace(
        method=request.method, url=str(request.url), headers=request.headers, body=request.read()
    )


def test_multipart_text_that_looks_mutated_is_valid_on_the_wire() -> None:
    # `prompt: false` becomes the text "false", which is a valid prompt.
    request = sent("POST", "/v1/videos", files={"model": (None, MODEL), "prompt": (None, "false")})
    assert sent_request_problems(SPEC, request) == []


@pytest.mark.parametrize(
    ("request_", "fragment"),
    [
        (
            sent(
                "POST",
                "/v1/videos",
                files={"model": (None, MODEL), "prompt": (None, "x"), "fps": (None, "1")},
            ),
            "fps",
        ),
        (
            sent(
                "POST",
                "/v1/videos",
                files={"model": (None, MODEL), "prompt": (None, "x"), "size": (None, "1x1")},
            ),
            "1x1",
        ),
        (sent("POST", "/v1/videos", json={"model": MODEL, "prompt": ""}), "body"),
        (sent("POST", "/v1/videos", content=b"prompt=x"), "media type"),
        (sent("GET", "/v1/videos?limit=0"), "limit"),
        (
            sent("POST", "/v1/videos", files={"input_reference": (None, b"x", "image/png")}),
            "without a file name",
        ),
        (sent("GET", "/v1/videos/v/content", headers={"Range": "0"}), "Range"),
        (
            sent(
                "POST",
                "/v1/videos",
                files={
                    "model": (None, MODEL),
                    "prompt": (None, "x"),
                    "input_reference": (
                        None,
                        b'{"image_url": "a", "file_id": "b"}',
                        "application/json",
                    ),
                },
            ),
            "body",
        ),
    ],
)
def test_requests_that_break_the_spec_on_the_wire(request_: SimpleNamespace, fragment: str) -> None:
    problems = sent_request_problems(SPEC, request_)
    assert problems, "the re-check found nothing wrong"
    assert fragment in " ".join(problems)


def test_valid_requests_of_every_shape_pass_the_recheck() -> None:
    size = SPEC.default("VideoSize")
    requests = [
        sent(
            "POST",
            "/v1/videos",
            json={"model": MODEL, "prompt": "x", "input_reference": {"file_id": "f"}},
        ),
        sent(
            "POST",
            "/v1/videos",
            files={
                "model": (None, MODEL),
                "prompt": (None, "x"),
                "input_reference": ("r.png", reference_png(size)),
            },
        ),
        sent(
            "POST",
            "/v1/videos",
            files={
                "model": (None, MODEL),
                "prompt": (None, "x"),
                "input_reference[image_url]": (None, "https://a"),
            },
        ),
        sent("GET", "/v1/videos?limit=5&order=asc"),
        sent("GET", "/v1/videos/v/content?variant=thumbnail", headers={"Range": "bytes=0-"}),
        sent(
            "POST",
            "/v1/videos/v/remix",
            content=json.dumps({"prompt": "x"}).encode(),
            headers={"content-type": "application/json"},
        ),
    ]
    for request in requests:
        assert sent_request_problems(SPEC, request) == [], request


def test_the_reference_image_has_the_requested_size() -> None:
    for size in SPEC.enum("VideoSize"):
        info = probe_image(reference_png(size))
        assert (info.format, info.size) == ("png", size)


@pytest.mark.parametrize(
    ("defect", "check"),
    [("accepts-invalid", "negative_data_rejection"), ("no-auth", "ignored_auth")],
)
def test_the_suite_fails_a_broken_mock(defect: str, check: str) -> None:
    assert defect in DEFECTS, f"defect {defect!r} is gone from videos_contract.mock.defects"
    app = create_app(MockConfig(render_seconds=0.0, defects=(defect,)))
    run = run_contract(
        key=app.state.config.keys[0],
        app=app,
        seed=1,
        max_examples=5,
        phases=("examples", "coverage"),
    )
    assert check in {failure.split(": ")[1] for failure in run.failures}, run.failures
