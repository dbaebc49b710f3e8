"""Each family's request forms on the wire, against the mock on a socket: JSON with the
length as a string and as an integer, multipart, and Seedance's literal `extra_body`.

Which forms a family takes is read from its schema (a `seconds` with a string branch, an
integer branch, or both; the multipart form is the default family's only), never typed here.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from videos_contract.families import Family, families
from videos_contract.mock import MockServer

LISTED = [f for f in families() if f.models]


def _types(family: Family) -> set[str]:
    prop = family.properties[family.seconds_field]
    return {str(b["type"]) for b in [prop, *prop.get("oneOf", [])] if "type" in b}


def _post(server: MockServer, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.key}"}
    return httpx.post(f"{server.url}/v1/videos", headers=headers, timeout=30, **kwargs)


@pytest.mark.parametrize("family", LISTED, ids=[f.name for f in LISTED])
def test_the_length_as_a_string_and_as_an_integer(family: Family, mock_server: MockServer) -> None:
    model = family.models[0]
    length = int(family.field_default(family.seconds_field))
    types = _types(family)
    for form, value in (("string", str(length)), ("integer", length)):
        answer = _post(
            mock_server, json={"prompt": "a fox", "model": model, family.seconds_field: value}
        )
        if form in types:
            assert answer.status_code == 200, answer.text
            job = answer.json()
            echoed = job.get("duration", job.get("seconds"))
            assert str(echoed) == str(length)
        else:
            assert answer.status_code == 400, (form, answer.text)
            assert answer.json()["error"]["param"] == family.seconds_field
    # The pages' form is a string, and every family but Seedance (`duration`) takes it.
    assert "string" in types or family.seconds_field == "duration"


@pytest.mark.parametrize("family", LISTED, ids=[f.name for f in LISTED])
def test_the_multipart_form_is_the_default_family_s_only(
    family: Family, mock_server: MockServer
) -> None:
    fields = {"prompt": (None, "a fox"), "model": (None, family.models[0])}
    answer = _post(mock_server, files=fields)
    if family.default:
        assert answer.status_code == 200, answer.text
    else:
        assert answer.status_code == 400
        assert answer.json()["error"]["param"] == "model"


def test_seedance_fields_inside_a_literal_extra_body(mock_server: MockServer) -> None:
    """The unified page's curl puts Seedance's fields in a literal `extra_body` object."""
    seedance = families().named("seedance")
    resolution = seedance.allowed(seedance.models[0], seedance.size_field)[0]
    options = {seedance.seconds_field: 4, seedance.size_field: resolution, "ratio": "16:9"}
    body = {"prompt": "a surfer", "model": seedance.models[0], "extra_body": options}
    answer = _post(mock_server, json=body)
    assert answer.status_code == 200, answer.text
    job = answer.json()
    frame = seedance.frame(str(resolution))
    assert frame is not None
    assert (job["width"], job["height"], job["duration"]) == (*frame, 4)
