"""The client owns each family's body: the options every family has (length, size, first
frame) placed in the family's own fields, typed as it takes them, and refused before anything
is sent when the model does not take them. The command line only maps its flags onto these."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import respx

from videos_contract.client import BodyError, connect, create
from videos_contract.client.families import options_body
from videos_contract.client.values import check_options
from videos_contract.families import Family, families

FAMILIES = families()
FRAME = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


def _family(name: str) -> Family:
    return FAMILIES.named(name)


def _body(model: str, **options: Any) -> dict[str, Any]:
    return options_body(model, "a red fox", **options).to_dict()


def _refused_size(family: Family, model: str) -> str:
    """A size another model of the spec takes that `model` does not."""
    taken = {str(v) for v in family.allowed(model, family.size_field)}
    others = {str(v) for f in FAMILIES for m in f.models for v in f.allowed(m, f.size_field)}
    return sorted(others - taken)[0]


@pytest.mark.parametrize(
    "family", [f for f in FAMILIES if not f.default and f.models], ids=lambda f: f.name
)
def test_the_options_land_in_each_familys_own_fields_typed_as_it_takes_them(
    family: Family,
) -> None:
    # A model that takes a first frame (HappyHorse's text-to-video one refuses it).
    model = next(
        (m for m in family.models if family.reference_field in family.requires(m)),
        next(m for m in family.models if not family.retired_on(m)),
    )
    seconds = family.allowed(model, family.seconds_field)[-1]
    size = family.allowed(model, family.size_field)[-1]
    body = _body(model, seconds=str(seconds), size=str(size), reference=FRAME)
    # Text from a command line becomes the number a numeric field takes.
    assert Family.get(body, family.seconds_field) == seconds
    assert Family.get(body, family.size_field) == size
    if family.nested:
        assert FRAME in str(Family.get(body, family.reference_field))
    elif "content" in family.properties:
        assert body["content"] == [
            {"type": "image_url", "image_url": {"url": FRAME}, "role": "first_frame"}
        ]
    else:
        assert body[family.reference_field] == FRAME


def test_a_length_that_is_no_number_is_refused_naming_the_field() -> None:
    family = next(
        f for f in FAMILIES if any(isinstance(v, int) for v in f.candidates(f.seconds_field))
    )
    with pytest.raises(BodyError, match=rf"^{family.seconds_field}='six' is not a whole number"):
        options_body(family.models[0], "a fox", seconds="six")


@pytest.mark.parametrize("family", [f for f in FAMILIES if f.models], ids=lambda f: f.name)
def test_a_size_the_model_does_not_take_is_refused_with_the_sizes_it_takes(
    family: Family,
) -> None:
    model = family.models[0]
    refused = _refused_size(family, model)
    with pytest.raises(BodyError) as caught:
        check_options(model, size=refused)
    assert str(caught.value).startswith(f"{family.size_field}={refused!r} is not accepted")


@respx.mock(assert_all_called=False)
def test_create_refuses_before_sending(respx_mock: respx.MockRouter) -> None:
    """The multipart create of the default family checks the model's sizes before it sends:
    nothing reaches the server."""
    family = FAMILIES.default_family
    model = family.models[0]
    refused = _refused_size(family, model)
    route = respx_mock.post(url__regex=r".*/v1/videos$").mock(return_value=httpx.Response(500))
    with connect("http://videos.test", "sk-test") as client, pytest.raises(BodyError) as caught:
        create(client, "a fox", model=model, size=refused)  # type: ignore[arg-type]
    assert not route.called
    allowed = ", ".join(str(v) for v in family.allowed(model, family.size_field))
    assert str(caught.value).endswith(f"takes {allowed}")
