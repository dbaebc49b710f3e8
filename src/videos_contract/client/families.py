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
from videos_contract.families import Family, families

__all__ = ["BodyError", "JsonBody", "async_create_json", "body_class", "create_json", "json_body"]


class BodyError(ValueError):
    """Values a family's body class does not take; the message names the field."""


def body_class(family: Family) -> type[JsonBody]:
    """The generated class of a family's JSON body (named by the schema's title or name)."""
    name = str(family.schema.get("title") or family.schema_name)
    found = getattr(generated_models, name, None)
    if not isinstance(found, type):
        raise BodyError(f"the generated client has no class {name} for {family.title}")
    return cast(type[JsonBody], found)


def json_body(prompt: str, model: str | None = None, **fields: Any) -> JsonBody:
    """The typed body of `model`'s family with `fields` (None values are left out).

    Raises `BodyError` naming the field when the family's schema refuses a value.
    """
    family = families().for_model(model)
    given = {k: v for k, v in fields.items() if v is not None}
    if family.nested:
        # The DashScope body: each field goes where the schema nests it (`duration` in
        # `parameters`, a `reference` URL as `input.media`'s first frame).
        placed = {
            family.reference_field
            if name == "reference"
            else family.path_of(name): family.reference_value(str(value))
            if name == "reference"
            else value
            for name, value in given.items()
        }
        data = family.body_of(str(model), prompt, placed)
        missing = [p for p in family.requires(str(model)) if family.get(data, p) is None]
        if missing:
            raise BodyError(f"{missing[0]} is required by {family.title} {model} (reference=URL)")
        refused = [path for path in family.refused_paths(data) if path]
    else:
        data = {"prompt": prompt, **given}
        if model is not None:
            data["model"] = model
        refused = [name for name in family.refusals(data) if name]
    if refused:
        name = refused[0]
        allowed = family.allowed(model, name) if model and family.candidates(name) else ()
        hint = f"; {family.title} {model} takes " + ", ".join(map(str, allowed)) if allowed else ""
        shown = family.get(data, name) if family.nested else data.get(name)
        raise BodyError(f"{name}={shown!r} is not accepted by {family.title}{hint}")
    try:
        return body_class(family).from_dict(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise BodyError(f"not a {family.title} body: {exc}") from exc


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
