from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.content_variant import ContentVariant
from ...models.error_response import ErrorResponse
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    video_id: str,
    *,
    variant: ContentVariant | Unset = UNSET,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(range_, Unset):
        headers["Range"] = range_

    if not isinstance(if_range, Unset):
        headers["If-Range"] = if_range

    params: dict[str, Any] = {}

    json_variant: str | Unset = UNSET
    if not isinstance(variant, Unset):
        json_variant = variant

    params["variant"] = json_variant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/videos/{video_id}/content".format(
            video_id=quote(str(video_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 206:
        response_206 = File(payload=BytesIO(response.content))

        return response_206

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 410:
        response_410 = ErrorResponse.from_dict(response.json())

        return response_410

    if response.status_code == 416:
        response_416 = ErrorResponse.from_dict(response.json())

        return response_416

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    video_id: str,
    *,
    client: AuthenticatedClient,
    variant: ContentVariant | Unset = UNSET,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
) -> Response[ErrorResponse | File]:
    """Download a video's content

     Streams one asset of a completed job. Byte ranges are optional: a server that
    supports single byte ranges (`Range: bytes=START-[END]`, so that an interrupted
    download can resume) advertises `Accept-Ranges: bytes` on the whole answer, and then
    answers a range with 206 and `Content-Range`, or 416 past the end. A server that does
    not advertise them may ignore `Range` and answer 200 with the whole asset (RFC 9110).

    A server may also send validators, a strong `ETag` and `Last-Modified`, so that a
    download stopped in one run can resume in the next: the client sends one back in
    `If-Range` with its `Range`, and gets the rest (206) only if the asset is still the
    same, otherwise the whole asset (200).

    The answer may instead be a redirect (302 or 307) to the asset at another URL, as
    gateways do to serve media from storage or a CDN; clients follow it, and send the
    `Authorization` header only to the API's own origin, never to the one redirected to.

    Args:
        video_id (str):
        variant (ContentVariant | Unset): `video` is the MP4 clip, `thumbnail` a WebP still,
            `spritesheet` a JPEG grid of
            frames sampled across the clip.
        range_ (str | Unset):
        if_range (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | File]
    """

    kwargs = _get_kwargs(
        video_id=video_id,
        variant=variant,
        range_=range_,
        if_range=if_range,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    video_id: str,
    *,
    client: AuthenticatedClient,
    variant: ContentVariant | Unset = UNSET,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
) -> ErrorResponse | File | None:
    """Download a video's content

     Streams one asset of a completed job. Byte ranges are optional: a server that
    supports single byte ranges (`Range: bytes=START-[END]`, so that an interrupted
    download can resume) advertises `Accept-Ranges: bytes` on the whole answer, and then
    answers a range with 206 and `Content-Range`, or 416 past the end. A server that does
    not advertise them may ignore `Range` and answer 200 with the whole asset (RFC 9110).

    A server may also send validators, a strong `ETag` and `Last-Modified`, so that a
    download stopped in one run can resume in the next: the client sends one back in
    `If-Range` with its `Range`, and gets the rest (206) only if the asset is still the
    same, otherwise the whole asset (200).

    The answer may instead be a redirect (302 or 307) to the asset at another URL, as
    gateways do to serve media from storage or a CDN; clients follow it, and send the
    `Authorization` header only to the API's own origin, never to the one redirected to.

    Args:
        video_id (str):
        variant (ContentVariant | Unset): `video` is the MP4 clip, `thumbnail` a WebP still,
            `spritesheet` a JPEG grid of
            frames sampled across the clip.
        range_ (str | Unset):
        if_range (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | File
    """

    return sync_detailed(
        video_id=video_id,
        client=client,
        variant=variant,
        range_=range_,
        if_range=if_range,
    ).parsed


async def asyncio_detailed(
    video_id: str,
    *,
    client: AuthenticatedClient,
    variant: ContentVariant | Unset = UNSET,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
) -> Response[ErrorResponse | File]:
    """Download a video's content

     Streams one asset of a completed job. Byte ranges are optional: a server that
    supports single byte ranges (`Range: bytes=START-[END]`, so that an interrupted
    download can resume) advertises `Accept-Ranges: bytes` on the whole answer, and then
    answers a range with 206 and `Content-Range`, or 416 past the end. A server that does
    not advertise them may ignore `Range` and answer 200 with the whole asset (RFC 9110).

    A server may also send validators, a strong `ETag` and `Last-Modified`, so that a
    download stopped in one run can resume in the next: the client sends one back in
    `If-Range` with its `Range`, and gets the rest (206) only if the asset is still the
    same, otherwise the whole asset (200).

    The answer may instead be a redirect (302 or 307) to the asset at another URL, as
    gateways do to serve media from storage or a CDN; clients follow it, and send the
    `Authorization` header only to the API's own origin, never to the one redirected to.

    Args:
        video_id (str):
        variant (ContentVariant | Unset): `video` is the MP4 clip, `thumbnail` a WebP still,
            `spritesheet` a JPEG grid of
            frames sampled across the clip.
        range_ (str | Unset):
        if_range (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | File]
    """

    kwargs = _get_kwargs(
        video_id=video_id,
        variant=variant,
        range_=range_,
        if_range=if_range,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    video_id: str,
    *,
    client: AuthenticatedClient,
    variant: ContentVariant | Unset = UNSET,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
) -> ErrorResponse | File | None:
    """Download a video's content

     Streams one asset of a completed job. Byte ranges are optional: a server that
    supports single byte ranges (`Range: bytes=START-[END]`, so that an interrupted
    download can resume) advertises `Accept-Ranges: bytes` on the whole answer, and then
    answers a range with 206 and `Content-Range`, or 416 past the end. A server that does
    not advertise them may ignore `Range` and answer 200 with the whole asset (RFC 9110).

    A server may also send validators, a strong `ETag` and `Last-Modified`, so that a
    download stopped in one run can resume in the next: the client sends one back in
    `If-Range` with its `Range`, and gets the rest (206) only if the asset is still the
    same, otherwise the whole asset (200).

    The answer may instead be a redirect (302 or 307) to the asset at another URL, as
    gateways do to serve media from storage or a CDN; clients follow it, and send the
    `Authorization` header only to the API's own origin, never to the one redirected to.

    Args:
        video_id (str):
        variant (ContentVariant | Unset): `video` is the MP4 clip, `thumbnail` a WebP still,
            `spritesheet` a JPEG grid of
            frames sampled across the clip.
        range_ (str | Unset):
        if_range (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | File
    """

    return (
        await asyncio_detailed(
            video_id=video_id,
            client=client,
            variant=variant,
            range_=range_,
            if_range=if_range,
        )
    ).parsed
