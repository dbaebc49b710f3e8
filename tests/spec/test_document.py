"""The spec itself: valid OpenAPI 3.1, every example valid, every operation fully declared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from videos_contract.paths import SPEC_PATH
from videos_contract.spec import Spec, SpecError, load_spec


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec()


def test_spec_is_valid_openapi_3_1() -> None:
    document, _ = read_from_filename(str(SPEC_PATH))
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def _examples(spec: Spec) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example value) for every example attached to a media type."""
    for op in spec.operations():
        for media_type, media in op.request_media_types.items():
            for name, example in media.get("examples", {}).items():
                yield f"{op.operation_id} request {media_type} {name}", media["schema"], example
        for status, response in op.responses.items():
            for media_type, media in response.get("content", {}).items():
                for name, example in media.get("examples", {}).items():
                    where = f"{op.operation_id} {status} {media_type} {name}"
                    yield where, media["schema"], example


def test_every_example_is_valid_against_its_schema(spec: Spec) -> None:
    examples = list(_examples(spec))
    # Request examples for both create media types, the remix body, and responses.
    assert len(examples) >= 7
    for where, schema, example in examples:
        errors = sorted(Draft202012Validator(schema).iter_errors(example["value"]), key=str)
        assert not errors, f"{where}: {errors[0].message}"


def test_an_invalid_example_would_be_caught(spec: Spec) -> None:
    """Guard for the test above: the validator does reject a Video missing `status`."""
    video = spec.schema("Video")
    example = dict(spec.raw["components"]["examples"]["QueuedVideo"]["value"])
    del example["status"]
    assert list(Draft202012Validator(video).iter_errors(example))


def test_every_operation_declares_security_tags_and_provenance(spec: Spec) -> None:
    ops = list(spec.operations())
    assert {op.operation_id for op in ops} == {
        "createVideo",
        "listVideos",
        "retrieveVideo",
        "deleteVideo",
        "downloadVideoContent",
        "remixVideo",
    }
    for op in ops:
        # The generator only emits authenticated calls for operation-level security.
        assert op.data.get("security") == [{"bearerAuth": []}], op.operation_id
        assert op.data.get("tags") == ["videos"], op.operation_id
        assert op.data.get("x-provenance") in {"gateway-docs", "openai-compatible"}
    assert spec.operation("createVideo").data["x-provenance"] == "gateway-docs"


def test_error_responses_use_the_openai_error_body(spec: Spec) -> None:
    wanted = {"400", "401", "413", "415", "429", "500"}
    create = spec.operation("createVideo")
    assert wanted <= set(create.responses)
    error_schema = spec.schema("ErrorResponse")
    for op in spec.operations():
        for status, response in op.responses.items():
            if status.startswith(("4", "5")):
                body = response["content"]["application/json"]["schema"]
                assert body == error_schema, f"{op.operation_id} {status}"
    detail = error_schema["properties"]["error"]
    assert set(detail["properties"]) == {"message", "type", "param", "code"}


def test_rate_limit_answers_document_retry_after(spec: Spec) -> None:
    for op in spec.operations():
        assert "Retry-After" in op.responses["429"].get("headers", {}), op.operation_id


def test_servers_are_the_gateway_and_the_local_mock(spec: Spec) -> None:
    urls = [server["url"] for server in spec.raw["servers"]]
    assert urls == ["https://aihubmix.com", "http://127.0.0.1:8000"]


def test_stateful_links_connect_create_to_the_created_id(spec: Spec) -> None:
    links = spec.operation("createVideo").responses["200"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert targets == {"retrieveVideo", "downloadVideoContent", "remixVideo", "deleteVideo"}
    for link in links.values():
        assert link["parameters"] == {"video_id": "$response.body#/id"}
    after_delete = spec.operation("deleteVideo").responses["200"]["links"]
    assert after_delete["RetrieveDeletedVideo"]["parameters"] == {
        "video_id": "$request.path.video_id"
    }


def test_every_deviation_is_listed_in_deviations_md(spec: Spec) -> None:
    """Each `x-deviation` in the spec has its entry in docs/deviations.md, by JSON pointer."""
    text = (SPEC_PATH.parent / "docs" / "deviations.md").read_text(encoding="utf-8")
    locations = list(_deviation_locations(spec.raw))
    assert len(locations) >= 8
    for location in locations:
        assert f"`{location}`" in text, f"docs/deviations.md does not mention `{location}`"


def _deviation_locations(node: Any, path: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        if "x-deviation" in node:
            yield f"#{path}"
        for key, value in node.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            yield from _deviation_locations(value, f"{path}/{escaped}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _deviation_locations(value, f"{path}/{index}")


def test_each_content_variant_has_one_documented_media_type(spec: Spec) -> None:
    variants = spec.schema("ContentVariant")
    media_types = variants["x-media-types"]
    assert list(media_types) == variants["enum"]
    documented = spec.operation("downloadVideoContent").responses["200"]["content"]
    assert set(media_types.values()) == set(documented)


def test_operation_by_id_is_the_one_operations_lists(spec: Spec) -> None:
    listed = list(spec.operations())
    assert listed
    for operation in listed:
        found = spec.operation(operation.operation_id)
        assert found == operation
        assert found.data is not operation.data  # each caller gets its own copy
    with pytest.raises(SpecError, match="no operation 'noSuchOperation'"):
        spec.operation("noSuchOperation")
