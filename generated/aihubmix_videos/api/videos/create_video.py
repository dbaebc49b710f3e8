from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_video_multipart_request import CreateVideoMultipartRequest
from ...models.dash_scope_video_create import DashScopeVideoCreate
from ...models.error_response import ErrorResponse
from ...models.jimeng_video_request import JimengVideoRequest
from ...models.other_video_request import OtherVideoRequest
from ...models.seedance_video_request import SeedanceVideoRequest
from ...models.sora_video_request import SoraVideoRequest
from ...models.veo_video_request import VeoVideoRequest
from ...models.video import Video
from ...models.wan_video_request import WanVideoRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateVideoMultipartRequest
    | DashScopeVideoCreate
    | JimengVideoRequest
    | OtherVideoRequest
    | SeedanceVideoRequest
    | SoraVideoRequest
    | VeoVideoRequest
    | WanVideoRequest
    | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/videos",
    }

    if isinstance(body, CreateVideoMultipartRequest):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"
    if isinstance(
        body,
        DashScopeVideoCreate
        | JimengVideoRequest
        | OtherVideoRequest
        | SeedanceVideoRequest
        | SoraVideoRequest
        | VeoVideoRequest
        | WanVideoRequest,
    ):
        if isinstance(body, SoraVideoRequest):
            _kwargs["json"] = body.to_dict()
        elif isinstance(body, VeoVideoRequest):
            _kwargs["json"] = body.to_dict()
        elif isinstance(body, WanVideoRequest):
            _kwargs["json"] = body.to_dict()
        elif isinstance(body, JimengVideoRequest):
            _kwargs["json"] = body.to_dict()
        elif isinstance(body, SeedanceVideoRequest):
            _kwargs["json"] = body.to_dict()
        elif isinstance(body, DashScopeVideoCreate):
            _kwargs["json"] = body.to_dict()
        else:
            _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorResponse | Video | None:
    if response.status_code == 200:
        response_200 = Video.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

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
) -> Response[ErrorResponse | Video]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateVideoMultipartRequest
    | DashScopeVideoCreate
    | JimengVideoRequest
    | OtherVideoRequest
    | SeedanceVideoRequest
    | SoraVideoRequest
    | VeoVideoRequest
    | WanVideoRequest
    | Unset = UNSET,
) -> Response[ErrorResponse | Video]:
    """Create a video

     Starts an asynchronous generation job and returns it in the `queued` state. Poll the
    job with `retrieveVideo` until it reaches `completed` or `failed`. Every accepted call
    is billed by the gateway.

    Args:
        body (CreateVideoMultipartRequest): Fields of a create request sent as `multipart/form-
            data` (OpenAI Sora only). The
            per-model rules of `CreateVideoJsonRequest` (its `if`/`else`) hold here too, named in
            `x-rules-from`: schemathesis cannot generate multipart bodies under `if`/`then`/`else`
            or `not`, so they are not repeated in this schema.
        body (DashScopeVideoCreate | JimengVideoRequest | OtherVideoRequest | SeedanceVideoRequest
            | SoraVideoRequest | VeoVideoRequest | WanVideoRequest): A create request as
            `application/json`. Each model family has its own schema; the
            `model` value picks the branch, and a model this contract does not know takes the
            last branch, so new gateway models stay usable. `model` is required in every branch:
            the newest page marks it required (`| `model` | string | 是 |`); a server may still
            default it for clients written against the older pages (the mock's
            `--default-model`), which is conformant too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Video]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateVideoMultipartRequest
    | DashScopeVideoCreate
    | JimengVideoRequest
    | OtherVideoRequest
    | SeedanceVideoRequest
    | SoraVideoRequest
    | VeoVideoRequest
    | WanVideoRequest
    | Unset = UNSET,
) -> ErrorResponse | Video | None:
    """Create a video

     Starts an asynchronous generation job and returns it in the `queued` state. Poll the
    job with `retrieveVideo` until it reaches `completed` or `failed`. Every accepted call
    is billed by the gateway.

    Args:
        body (CreateVideoMultipartRequest): Fields of a create request sent as `multipart/form-
            data` (OpenAI Sora only). The
            per-model rules of `CreateVideoJsonRequest` (its `if`/`else`) hold here too, named in
            `x-rules-from`: schemathesis cannot generate multipart bodies under `if`/`then`/`else`
            or `not`, so they are not repeated in this schema.
        body (DashScopeVideoCreate | JimengVideoRequest | OtherVideoRequest | SeedanceVideoRequest
            | SoraVideoRequest | VeoVideoRequest | WanVideoRequest): A create request as
            `application/json`. Each model family has its own schema; the
            `model` value picks the branch, and a model this contract does not know takes the
            last branch, so new gateway models stay usable. `model` is required in every branch:
            the newest page marks it required (`| `model` | string | 是 |`); a server may still
            default it for clients written against the older pages (the mock's
            `--default-model`), which is conformant too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Video
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateVideoMultipartRequest
    | DashScopeVideoCreate
    | JimengVideoRequest
    | OtherVideoRequest
    | SeedanceVideoRequest
    | SoraVideoRequest
    | VeoVideoRequest
    | WanVideoRequest
    | Unset = UNSET,
) -> Response[ErrorResponse | Video]:
    """Create a video

     Starts an asynchronous generation job and returns it in the `queued` state. Poll the
    job with `retrieveVideo` until it reaches `completed` or `failed`. Every accepted call
    is billed by the gateway.

    Args:
        body (CreateVideoMultipartRequest): Fields of a create request sent as `multipart/form-
            data` (OpenAI Sora only). The
            per-model rules of `CreateVideoJsonRequest` (its `if`/`else`) hold here too, named in
            `x-rules-from`: schemathesis cannot generate multipart bodies under `if`/`then`/`else`
            or `not`, so they are not repeated in this schema.
        body (DashScopeVideoCreate | JimengVideoRequest | OtherVideoRequest | SeedanceVideoRequest
            | SoraVideoRequest | VeoVideoRequest | WanVideoRequest): A create request as
            `application/json`. Each model family has its own schema; the
            `model` value picks the branch, and a model this contract does not know takes the
            last branch, so new gateway models stay usable. `model` is required in every branch:
            the newest page marks it required (`| `model` | string | 是 |`); a server may still
            default it for clients written against the older pages (the mock's
            `--default-model`), which is conformant too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | Video]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateVideoMultipartRequest
    | DashScopeVideoCreate
    | JimengVideoRequest
    | OtherVideoRequest
    | SeedanceVideoRequest
    | SoraVideoRequest
    | VeoVideoRequest
    | WanVideoRequest
    | Unset = UNSET,
) -> ErrorResponse | Video | None:
    """Create a video

     Starts an asynchronous generation job and returns it in the `queued` state. Poll the
    job with `retrieveVideo` until it reaches `completed` or `failed`. Every accepted call
    is billed by the gateway.

    Args:
        body (CreateVideoMultipartRequest): Fields of a create request sent as `multipart/form-
            data` (OpenAI Sora only). The
            per-model rules of `CreateVideoJsonRequest` (its `if`/`else`) hold here too, named in
            `x-rules-from`: schemathesis cannot generate multipart bodies under `if`/`then`/`else`
            or `not`, so they are not repeated in this schema.
        body (DashScopeVideoCreate | JimengVideoRequest | OtherVideoRequest | SeedanceVideoRequest
            | SoraVideoRequest | VeoVideoRequest | WanVideoRequest): A create request as
            `application/json`. Each model family has its own schema; the
            `model` value picks the branch, and a model this contract does not know takes the
            last branch, so new gateway models stay usable. `model` is required in every branch:
            the newest page marks it required (`| `model` | string | 是 |`); a server may still
            default it for clients written against the older pages (the mock's
            `--default-model`), which is conformant too.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | Video
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
