"""The HTTP rules every layer shares, and the layers held to the same answers."""

from __future__ import annotations

import json

import httpx
import pytest

from videos_contract.audit.proxy import _retry_after
from videos_contract.client.errors import ApiError
from videos_contract.http_rules import (
    HOP_BY_HOP,
    error_bytes,
    error_document,
    hop_by_hop,
    is_json,
    media_type,
    retry_after_seconds,
)
from videos_contract.spec import load_spec
from videos_contract.validator import Compiled

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("-1", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("Tue, 14 Nov 2023 22:13:50 GMT", 30.0),
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),  # a date in the past: now
        ("Tue, 14 Nov 2023 22:13:50", None),  # no zone: not an HTTP date
    ],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize("value", ["nan", "inf", "-3", "soon", "7", "100000"])
def test_the_client_and_the_audit_relay_read_retry_after_alike(value: str) -> None:
    advised = retry_after_seconds(value)
    response = httpx.Response(429, headers={"retry-after": value}, json={"error": {}})
    assert ApiError.from_response(response).retry_after == advised
    waited = _retry_after([(b"retry-after", value.encode())])
    assert waited == (1.0 if advised is None else min(advised, 120.0))


def test_hop_by_hop_adds_what_connection_lists() -> None:
    headers = [("Connection", "close, X-Trace , keep-alive"), ("X-Trace", "1"), ("Accept", "*/*")]
    assert hop_by_hop(headers) == HOP_BY_HOP | {"close", "x-trace"}
    assert "accept" not in hop_by_hop(headers)


def test_our_error_document_is_the_contracts_error_shape() -> None:
    validator = Compiled(load_spec().schema("ErrorResponse"))
    document = error_document("refused", "invalid_request_error", param="model", code="bad")
    assert validator.iter_errors(document) == []
    assert validator.iter_errors({"error": {"type": "x"}}) != [], "the schema must be able to fail"
    assert json.loads(error_bytes("refused", "invalid_request_error")) == error_document(
        "refused", "invalid_request_error"
    )


@pytest.mark.parametrize(
    ("content_type", "kind", "json_"),
    [
        ("application/json", "application/json", True),
        ("Application/JSON; charset=utf-8", "application/json", True),
        ("application/problem+json", "application/problem+json", True),
        ("text/json+plain", "text/json+plain", False),
        ("video/mp4", "video/mp4", False),
        (None, "", False),
    ],
)
def test_media_types(content_type: str | None, kind: str, json_: bool) -> None:
    assert media_type(content_type) == kind and is_json(content_type) is json_
