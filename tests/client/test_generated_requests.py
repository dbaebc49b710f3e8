"""The adapter over the generated client's request builders gives the spec's requests."""

from __future__ import annotations

from typing import Any

import pytest
from aihubmix_videos.models import CreateVideoMultipartRequest, RemixVideoRequest
from aihubmix_videos.models.video_model import check_video_model

from videos_contract.client import generated_requests as gr
from videos_contract.families import families
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()


@pytest.mark.parametrize(
    ("operation_id", "kwargs"),
    [
        (
            "createVideo",
            gr.create_request(
                CreateVideoMultipartRequest(model=check_video_model(MODEL), prompt="p")
            ),
        ),
        ("retrieveVideo", gr.retrieve_request("video_1")),
        ("remixVideo", gr.remix_request("video_1", RemixVideoRequest(prompt="p"))),
        ("deleteVideo", gr.delete_request("video_1")),
        ("listVideos", gr.list_request(limit=5, order="asc")),
        ("downloadVideoContent", gr.content_request("video_1", "thumbnail")),
    ],
)
def test_each_request_is_the_spec_operation(operation_id: str, kwargs: dict[str, Any]) -> None:
    operation = SPEC.operation(operation_id)
    assert kwargs["method"].upper() == operation.method
    assert kwargs["url"] == operation.path.replace("{video_id}", "video_1")


def test_parameters_travel_as_given() -> None:
    assert gr.list_request(after="video_9", limit=5, order="asc")["params"] == {
        "after": "video_9",
        "limit": 5,
        "order": "asc",
    }
    assert gr.content_request("video_1", "thumbnail")["params"] == {"variant": "thumbnail"}
    assert gr.retrieve_request("a/b")["url"].endswith("/a%2Fb")
