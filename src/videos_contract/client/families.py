"""Create a video of any model family with the generated client's typed JSON bodies.

Each family of the spec has its own generated body class (`SoraVideoRequest`,
`VeoVideoRequest`, ..., `DashScopeVideoCreate` for HappyHorse's DashScope-native body, and
`OtherVideoRequest` for models the spec does not list). Build one
directly for full typing, or let `json_body` pick the class from the model's family (read
from the spec) and check the values with it; `create_json` sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import aihubmix_videos.models as generated_models
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models import Video

from videos_contract.client.calls import _asend_once, _send_once
from videos_contract.client.generated_requests import JsonBody, create_request, with_extra_body
from videos_contract.client.lifecycle import warn_if_retired
from videos_contract.client.parsing import parse_video
from videos_contract.client.values import BodyError, first_refusal, typed_option
from videos_contract.families import Family, families

__all__ = [
    "BodyError",
    "JsonBody",
    "async_create_json",
    "body_class",
    "create_json",
    "json_body",
    "options_body",
]


def body_class(family: Family) -> type[JsonBody]:
    """The generated class of a family's JSON body (named by the schema's title or name)."""
    name = str(family.schema.get("title") or family.schema_name)
    found = getattr(generated_models, name, None)
    if not isinstance(found, type):
        raise BodyError(f"the generated client has no class {name} for {family.title}")
    return cast(type[JsonBody], found)


def json_body(prompt: str, model: str | None = None, **fields: Any) -> JsonBody:
    """The typed body of `model`'s family with `fields` (None values are left out);
    `reference=URL` is the first frame, put where the family takes it.

    Raises `BodyError` naming the field when the family's schema refuses a value.
    """
    family = families().for_model(model)
    given = {k: v for k, v in fields.items() if v is not None}
    reference = given.pop("reference", None)
    if family.nested:
        # The DashScope body: each field goes where the schema nests it (`duration` in
        # `parameters`, the first frame in `input.media`).
        placed = {family.path_of(name): value for name, value in given.items()}
        if reference is not None:
            placed[family.reference_field] = family.reference_value(str(reference))
        data = family.body_of(str(model), prompt, placed)
        missing = [p for p in family.requires(str(model)) if family.get(data, p) is None]
        if missing:
            raise BodyError(f"{missing[0]} is required by {family.title} {model} (reference=URL)")
    else:
        data = {"prompt": prompt, **given}
        if model is not None:
            data["model"] = model
        if reference is not None:
            data.update(_first_frame(family, str(reference)))
    error = first_refusal(family, model, data, ignore=())
    if error is not None:
        raise error
    try:
        return body_class(family).from_dict(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise BodyError(f"not a {family.title} body: {exc}") from exc


def _first_frame(family: Family, url: str) -> dict[str, Any]:
    """A first frame's URL as a flat body of `family` takes it: a `content` item where the
    family has one (Seedance), else its reference field."""
    if "content" in family.properties:
        return {
            "content": [{"type": "image_url", "image_url": {"url": url}, "role": "first_frame"}]
        }
    return {family.reference_field: url}


def options_body(
    model: str,
    prompt: str,
    *,
    seconds: Any = None,
    size: Any = None,
    reference: str | None = None,
    **fields: Any,
) -> JsonBody:
    """The typed JSON body of `model`'s family from the options every family has: its length
    (`seconds`), its size and its first frame (`reference`, a URL or a `data:` URL), each put
    in the family's own field (`duration`, `resolution`, `content`, `input.media`, ...) and
    typed as it takes it (text becomes a whole number where only numbers fit); `fields` as
    `json_body` takes them. `BodyError` names the field a value does not fit."""
    family = families().for_model(model)
    if seconds is not None:
        fields[family.seconds_field] = typed_option(family, family.seconds_field, seconds)
    if size is not None:
        fields[family.size_field] = typed_option(family, family.size_field, size)
    return json_body(prompt, model, reference=reference, **fields)


def create_json(
    client: AuthenticatedClient, body: JsonBody, *, extra_body: Mapping[str, Any] | None = None
) -> Video:
    """Start a job of any family (billed), sent once like `calls.create`.

    `extra_body`: further JSON members, sent as given (as the openai SDKs' `extra_body`):
    fields the contract does not know reach the server unvalidated, which decides.
    """
    warn_if_retired(getattr(body, "model", None))
    kwargs = with_extra_body(create_request(body), extra_body)
    return parse_video(_send_once(client, "the create", kwargs), client.token)


async def async_create_json(
    client: AuthenticatedClient, body: JsonBody, *, extra_body: Mapping[str, Any] | None = None
) -> Video:
    warn_if_retired(getattr(body, "model", None))
    kwargs = with_extra_body(create_request(body), extra_body)
    response = await _asend_once(client, "the create", kwargs)
    return parse_video(response, client.token)
