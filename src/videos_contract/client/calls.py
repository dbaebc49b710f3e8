"""The API's operations as plain functions that return models or raise.

The generated functions return `ErrorResponse | Video | None` and crash with a bare
`KeyError` on a body of the wrong shape; these build the same requests (through
`generated_requests`, so paths and parameters stay those of the spec) and hand the answer to
`parsing`, which either returns a checked model or raises an error naming what came back.
"""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import httpx
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models import (
    CreateVideoMultipartRequest,
    DeletedVideo,
    ImageReference,
    ListOrder,
    RemixVideoRequest,
    Video,
    VideoList,
    VideoModel,
    VideoSeconds,
    VideoSize,
)
from aihubmix_videos.types import UNSET, File, Unset

from videos_contract.client.errors import OutcomeUnknownError, PaginationCycleError
from videos_contract.client.generated_requests import (
    create_request,
    delete_request,
    list_request,
    remix_request,
    retrieve_request,
    with_extra_body,
)
from videos_contract.client.lifecycle import check_operation, warn_if_retired
from videos_contract.client.parsing import parse_deleted, parse_list, parse_video
from videos_contract.client.retry import NOT_SENT_ERRORS
from videos_contract.client.values import check_options

__all__ = [
    "Reference",
    "async_create",
    "async_delete",
    "async_iter_videos",
    "async_list_page",
    "async_remix",
    "async_retrieve",
    "create",
    "delete",
    "iter_videos",
    "list_page",
    "reference_from",
    "remix",
    "retrieve",
]

Reference = File | ImageReference


def reference_from(value: str | Path, stream: BinaryIO | None = None) -> Reference:
    """An `https:`/`data:` URL becomes the object form; anything else is a file to upload."""
    text = str(value)
    if isinstance(value, str) and text.startswith(("https://", "http://", "data:")):
        return ImageReference(image_url=text)
    path = Path(value)
    mime, _ = mimetypes.guess_type(path.name)
    payload = stream if stream is not None else path.open("rb")
    return File(payload=payload, file_name=path.name, mime_type=mime or "application/octet-stream")


def _create_kwargs(
    prompt: str,
    model: VideoModel,
    seconds: VideoSeconds | Unset,
    size: VideoSize | Unset,
    reference: Reference | None,
) -> dict[str, Any]:
    body = CreateVideoMultipartRequest(
        prompt=prompt,
        model=model,
        seconds=seconds,
        size=size,
        input_reference=UNSET if reference is None else reference,
    )
    return create_request(body)


def _send_once(client: AuthenticatedClient, what: str, kwargs: dict[str, Any]) -> httpx.Response:
    """Send a billed request; a failure after sending becomes `OutcomeUnknownError`."""
    try:
        return _http(client).request(**kwargs)
    except NOT_SENT_ERRORS:
        raise
    except httpx.TransportError as exc:
        raise OutcomeUnknownError(what, exc) from exc


async def _asend_once(
    client: AuthenticatedClient, what: str, kwargs: dict[str, Any]
) -> httpx.Response:
    try:
        return await _ahttp(client).request(**kwargs)
    except NOT_SENT_ERRORS:
        raise
    except httpx.TransportError as exc:
        raise OutcomeUnknownError(what, exc) from exc


def _http(client: AuthenticatedClient) -> httpx.Client:
    return client.get_httpx_client()


def _ahttp(client: AuthenticatedClient) -> httpx.AsyncClient:
    return client.get_async_httpx_client()


def create(
    client: AuthenticatedClient,
    prompt: str,
    *,
    model: VideoModel,
    seconds: VideoSeconds | Unset = UNSET,
    size: VideoSize | Unset = UNSET,
    reference: Reference | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Video:
    """Start a job (billed). Sent once: see `retry` for why it is never re-sent.

    `model` is required, as the newest page marks it: no model is chosen for the caller.

    `extra_body`: further form fields, sent as given (see `with_extra_body`), for fields the
    contract does not know. Raises `OutcomeUnknownError` when the connection fails after the
    request went out, and `BodyError` (a `ValueError` naming the field) before anything is
    sent when the model's family does not take `seconds` or `size` for it.
    """
    _check(model, seconds, size)
    warn_if_retired(model)
    kwargs = with_extra_body(_create_kwargs(prompt, model, seconds, size, reference), extra_body)
    return parse_video(_send_once(client, "the create", kwargs), client.token)


async def async_create(
    client: AuthenticatedClient,
    prompt: str,
    *,
    model: VideoModel,
    seconds: VideoSeconds | Unset = UNSET,
    size: VideoSize | Unset = UNSET,
    reference: Reference | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Video:
    _check(model, seconds, size)
    warn_if_retired(model)
    kwargs = with_extra_body(_create_kwargs(prompt, model, seconds, size, reference), extra_body)
    return parse_video(await _asend_once(client, "the create", kwargs), client.token)


def _check(model: str, seconds: VideoSeconds | Unset, size: VideoSize | Unset) -> None:
    check_options(
        model,
        seconds=None if isinstance(seconds, Unset) else seconds,
        size=None if isinstance(size, Unset) else size,
    )


def retrieve(client: AuthenticatedClient, video_id: str) -> Video:
    kwargs = retrieve_request(video_id)
    return parse_video(_http(client).request(**kwargs), client.token, video_id)


async def async_retrieve(client: AuthenticatedClient, video_id: str) -> Video:
    kwargs = retrieve_request(video_id)
    return parse_video(await _ahttp(client).request(**kwargs), client.token, video_id)


def remix(
    client: AuthenticatedClient, video_id: str, prompt: str, *, model: str | None = None
) -> Video:
    """Start a remix job (billed, never re-sent).

    `model`, the source job's model when the caller knows it: a family that offers no remix
    (every one but Sora) raises `UnsupportedOperationError` before anything is sent.
    """
    check_operation(model, remix=True)
    kwargs = remix_request(video_id, RemixVideoRequest(prompt=prompt))
    return parse_video(_send_once(client, f"the remix of {video_id}", kwargs), client.token)


async def async_remix(
    client: AuthenticatedClient, video_id: str, prompt: str, *, model: str | None = None
) -> Video:
    check_operation(model, remix=True)
    kwargs = remix_request(video_id, RemixVideoRequest(prompt=prompt))
    return parse_video(await _asend_once(client, f"the remix of {video_id}", kwargs), client.token)


def delete(client: AuthenticatedClient, video_id: str) -> DeletedVideo:
    kwargs = delete_request(video_id)
    return parse_deleted(_http(client).request(**kwargs), client.token)


async def async_delete(client: AuthenticatedClient, video_id: str) -> DeletedVideo:
    kwargs = delete_request(video_id)
    return parse_deleted(await _ahttp(client).request(**kwargs), client.token)


def _list_kwargs(after: str | None, limit: int | Unset, order: ListOrder | Unset) -> dict[str, Any]:
    return list_request(after=UNSET if after is None else after, limit=limit, order=order)


def list_page(
    client: AuthenticatedClient,
    *,
    after: str | None = None,
    limit: int | Unset = UNSET,
    order: ListOrder | Unset = UNSET,
) -> VideoList:
    kwargs = _list_kwargs(after, limit, order)
    return parse_list(_http(client).request(**kwargs), client.token)


async def async_list_page(
    client: AuthenticatedClient,
    *,
    after: str | None = None,
    limit: int | Unset = UNSET,
    order: ListOrder | Unset = UNSET,
) -> VideoList:
    kwargs = _list_kwargs(after, limit, order)
    return parse_list(await _ahttp(client).request(**kwargs), client.token)


class _Cursors:
    """The cursors followed so far; a page pointing to one of them again is a loop."""

    def __init__(self, after: str | None) -> None:
        self.seen: set[str] = set() if after is None else {after}
        self.pages = 0

    def next(self, page: VideoList) -> str | None:
        """The cursor of the next page, None at the end; raises on a cursor seen before."""
        self.pages += 1
        if not page.has_more or not page.last_id:
            return None
        if page.last_id in self.seen:
            raise PaginationCycleError(page.last_id, self.pages)
        self.seen.add(page.last_id)
        return page.last_id


def iter_videos(
    client: AuthenticatedClient,
    *,
    limit: int | Unset = UNSET,
    order: ListOrder | Unset = UNSET,
    after: str | None = None,
) -> Iterator[Video]:
    """Every video, page after page, following `last_id` while `has_more` says so.

    Raises `PaginationCycleError` when a page points to a cursor already followed (a server
    whose `last_id` cycles would otherwise be listed for ever); the videos of the pages
    before it have been yielded.
    """
    cursors = _Cursors(after)
    while True:
        page = list_page(client, after=after, limit=limit, order=order)
        yield from page.data
        after = cursors.next(page)
        if after is None:
            return


async def async_iter_videos(
    client: AuthenticatedClient,
    *,
    limit: int | Unset = UNSET,
    order: ListOrder | Unset = UNSET,
    after: str | None = None,
) -> AsyncIterator[Video]:
    cursors = _Cursors(after)
    while True:
        page = await async_list_page(client, after=after, limit=limit, order=order)
        for video in page.data:
            yield video
        after = cursors.next(page)
        if after is None:
            return
