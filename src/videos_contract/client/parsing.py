"""Turn a response into a generated model, or into an error that shows what came back.

Bodies are checked twice, both times against the spec: by the JSON Schema of the response in
`openapi.yaml` (which catches `seconds: null` that the generated model lets through), then by
the generated model's own parsing (`check_video_status` and friends). Each schema is compiled
once (`videos_contract.validator.Compiled`, as in the mock, the audit and the proxy): an
answer jsonschema-rs finds valid costs a few microseconds; any other is judged and described
by jsonschema.
A server that answers with something else, such as `status: "expired"` or a bare
`{"task_id": ...}`, gets an `UnexpectedResponseError` at once instead of a model that lies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

import httpx
from aihubmix_videos.models import DeletedVideo, Video, VideoList

from videos_contract.client.errors import ApiError, UnexpectedResponseError
from videos_contract.spec import load_spec
from videos_contract.validator import Compiled, by_path

__all__ = ["contract_problems", "parse_deleted", "parse_list", "parse_video", "raise_for_error"]

M = TypeVar("M")


@lru_cache(maxsize=8)
def _compiled(schema_name: str) -> Compiled:
    return Compiled(load_spec().schema(schema_name))


def contract_problems(schema_name: str, data: Any) -> list[str]:
    """Each way `data` breaks the spec's schema `schema_name`, as `path: message` lines."""
    return [
        f"{'/'.join(str(p) for p in error.path) or '(body)'}: {error.message}"
        for error in by_path(_compiled(schema_name).iter_errors(data))
    ]


def raise_for_error(response: httpx.Response, key: str | None) -> None:
    """Raise `ApiError` for any answer outside 2xx."""
    if not response.is_success:
        raise ApiError.from_response(response, key)


def _parse(
    response: httpx.Response,
    key: str | None,
    schema_name: str,
    build: Callable[[Mapping[str, Any]], M],
) -> M:
    raise_for_error(response, key)
    body = response.read()
    what = f"{response.request.method} {response.request.url.path}: the answer"
    try:
        data = json.loads(body)
    except ValueError:
        raise UnexpectedResponseError(f"{what} is not JSON", body) from None
    problems = contract_problems(schema_name, data)
    if problems:
        listed = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        raise UnexpectedResponseError(f"{what} breaks the {schema_name} schema ({listed})", body)
    try:
        return build(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedResponseError(
            f"{what} cannot be read as {schema_name} ({exc})", body
        ) from None


def parse_video(
    response: httpx.Response, key: str | None = None, expected_id: str | None = None
) -> Video:
    """The `Video` in a 2xx answer; with `expected_id`, it must be that job."""
    video = _parse(response, key, "Video", Video.from_dict)
    if expected_id is not None and video.id != expected_id:
        raise UnexpectedResponseError(
            f"asked for video {expected_id} but the answer is video {video.id}", response.content
        )
    return video


def parse_list(response: httpx.Response, key: str | None = None) -> VideoList:
    return _parse(response, key, "VideoList", VideoList.from_dict)


def parse_deleted(response: httpx.Response, key: str | None = None) -> DeletedVideo:
    return _parse(response, key, "DeletedVideo", DeletedVideo.from_dict)
