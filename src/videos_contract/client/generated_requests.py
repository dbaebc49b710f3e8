"""The requests of the generated client, built without being sent: the one door to its internals.

openapi-python-client offers each operation as `sync`/`asyncio` functions that send the
request and parse the answer themselves. The helpers of this package need the request alone:
to send it through their own transport (retries, a deadline, once-only sending of billed
calls), to stream a download with `Range` resumes, or to time the bytes the client would
send. The generator has no public function for that, only the private `_get_kwargs` of each
operation module. Every use of it is here, so that a generator upgrade that renames or
reshapes it breaks one module (and its tests), not every caller.

Each function returns the keyword arguments of `httpx.Client.request` (`method`, `url`, and
`params`, `files` or `json` as the operation needs), with paths and parameters exactly as the
spec defines them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeAlias

from aihubmix_videos.api.videos import (
    create_video,
    delete_video,
    download_video_content,
    list_videos,
    remix_video,
    retrieve_video,
)
from aihubmix_videos.models import (
    ContentVariant,
    CreateVideoMultipartRequest,
    DashScopeVideoCreate,
    JimengVideoRequest,
    ListOrder,
    OtherVideoRequest,
    RemixVideoRequest,
    SeedanceVideoRequest,
    SoraVideoRequest,
    VeoVideoRequest,
    WanVideoRequest,
)
from aihubmix_videos.types import UNSET, Unset

__all__ = [
    "JsonBody",
    "content_request",
    "create_request",
    "delete_request",
    "list_request",
    "remix_request",
    "retrieve_request",
    "with_extra_body",
]


# The JSON create bodies, one generated class per model family (see docs/families.md).
JsonBody: TypeAlias = (
    SoraVideoRequest
    | VeoVideoRequest
    | WanVideoRequest
    | JimengVideoRequest
    | SeedanceVideoRequest
    | DashScopeVideoCreate
    | OtherVideoRequest
)


def create_request(body: CreateVideoMultipartRequest | JsonBody) -> dict[str, Any]:
    """`POST /v1/videos` with a multipart body, or a JSON body of any model family."""
    return create_video._get_kwargs(body=body)


def with_extra_body(kwargs: dict[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    """The request with `extra_body`'s fields added as given (as the openai SDKs' `extra_body`).

    A JSON body gets them as members (replacing a member of the same name); a multipart body
    as form fields: a string as text, any other value as a JSON part. Nothing is validated:
    fields the contract does not know reach the server, which decides.
    """
    if not extra_body:
        return kwargs
    out = dict(kwargs)
    if "json" in out:
        out["json"] = {**dict(out["json"]), **dict(extra_body)}
        return out
    files = [part for part in out.get("files", []) if part[0] not in extra_body]
    for name, value in extra_body.items():
        if isinstance(value, str):
            files.append((name, (None, value.encode(), "text/plain")))
        else:
            files.append((name, (None, json.dumps(value).encode(), "application/json")))
    out["files"] = files
    return out


def retrieve_request(video_id: str) -> dict[str, Any]:
    """`GET /v1/videos/{video_id}`."""
    return retrieve_video._get_kwargs(video_id)


def remix_request(video_id: str, body: RemixVideoRequest) -> dict[str, Any]:
    """`POST /v1/videos/{video_id}/remix`."""
    return remix_video._get_kwargs(video_id, body=body)


def delete_request(video_id: str) -> dict[str, Any]:
    """`DELETE /v1/videos/{video_id}`."""
    return delete_video._get_kwargs(video_id)


def list_request(
    *, after: str | Unset = UNSET, limit: int | Unset = UNSET, order: ListOrder | Unset = UNSET
) -> dict[str, Any]:
    """`GET /v1/videos` with its paging parameters."""
    return list_videos._get_kwargs(after=after, limit=limit, order=order)


def content_request(video_id: str, variant: ContentVariant | Unset = UNSET) -> dict[str, Any]:
    """`GET /v1/videos/{video_id}/content` (the `Range` header is the caller's)."""
    return download_video_content._get_kwargs(video_id, variant=variant)
