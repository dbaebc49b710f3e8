from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_order import ListOrder
from ...models.video_list import VideoList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: ListOrder | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["after"] = after

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/videos",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | VideoList | None:
    if response.status_code == 200:
        response_200 = VideoList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

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
) -> Response[ErrorResponse | VideoList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: ListOrder | Unset = UNSET,
) -> Response[ErrorResponse | VideoList]:
    """List videos

     Pages through the caller's jobs. Pass the `last_id` of one page as `after` to get the
    next page; `has_more` tells whether another page exists.

    Args:
        after (str | Unset):
        limit (int | Unset):  Default: 20.
        order (ListOrder | Unset): `asc` gives the oldest job first, `desc` the newest first.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | VideoList]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        order=order,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: ListOrder | Unset = UNSET,
) -> ErrorResponse | VideoList | None:
    """List videos

     Pages through the caller's jobs. Pass the `last_id` of one page as `after` to get the
    next page; `has_more` tells whether another page exists.

    Args:
        after (str | Unset):
        limit (int | Unset):  Default: 20.
        order (ListOrder | Unset): `asc` gives the oldest job first, `desc` the newest first.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | VideoList
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
        order=order,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: ListOrder | Unset = UNSET,
) -> Response[ErrorResponse | VideoList]:
    """List videos

     Pages through the caller's jobs. Pass the `last_id` of one page as `after` to get the
    next page; `has_more` tells whether another page exists.

    Args:
        after (str | Unset):
        limit (int | Unset):  Default: 20.
        order (ListOrder | Unset): `asc` gives the oldest job first, `desc` the newest first.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | VideoList]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
        order=order,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: ListOrder | Unset = UNSET,
) -> ErrorResponse | VideoList | None:
    """List videos

     Pages through the caller's jobs. Pass the `last_id` of one page as `after` to get the
    next page; `has_more` tells whether another page exists.

    Args:
        after (str | Unset):
        limit (int | Unset):  Default: 20.
        order (ListOrder | Unset): `asc` gives the oldest job first, `desc` the newest first.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | VideoList
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
            order=order,
        )
    ).parsed
