"""What every family's create takes, checked before anything is sent: a model's length, size
and first frame placed in its family's own fields, typed as the family takes them, and a
value the family's schema refuses named with the values the model takes.

`options_body` builds the typed JSON body of a family that takes JSON (every family but the
default's multipart form) from those options; `check_options` refuses, for any model, a
length or size its family does not take for it (what `calls.create` does before sending).
The command line only maps its flags onto these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from videos_contract.families import Family, families

__all__ = ["BodyError", "check_options", "first_refusal", "typed_option"]


class BodyError(ValueError):
    """Values a family's body class does not take; the message names the field."""


def typed_option(family: Family, name: str, value: Any) -> Any:
    """`value` (text, as a command line gives it) as the family's field `name` takes it: a
    whole number where only numbers fit; `BodyError` naming the field when it is none."""
    candidates = family.candidates(name)
    if isinstance(value, str) and candidates and not any(isinstance(v, str) for v in candidates):
        try:
            return int(value)
        except ValueError:
            raise BodyError(f"{name}={value!r} is not a whole number") from None
    return value


def first_refusal(
    family: Family,
    model: str | None,
    data: Mapping[str, Any],
    *,
    ignore: tuple[str, ...] = ("prompt",),
) -> BodyError | None:
    """The first value of `data` (a body of `family`, nested where the family nests its
    fields) its schema refuses, but those of the fields in `ignore`, as an error naming the
    field (by its path in a nested body) and the values `model` takes; None when it takes
    them all."""
    found = family.refused_paths(data) if family.nested else family.refusals(data)
    refused = [name for name in found if name and name not in ignore]
    if not refused:
        return None
    name = refused[0]
    shown = family.get(data, name) if family.nested else data.get(name)
    allowed = family.allowed(model, name) if model and family.candidates(name) else ()
    hint = f"; {family.title} {model} takes " + ", ".join(map(str, allowed)) if allowed else ""
    return BodyError(f"{name}={shown!r} is not accepted by {family.title}{hint}")


def check_options(model: str, *, seconds: Any = None, size: Any = None) -> None:
    """Refuse (`BodyError`, naming the field) a length or size `model`'s family does not take
    for it, before anything is sent."""
    family = families().for_model(model)
    data: dict[str, Any] = {"prompt": "x", "model": model}
    if seconds is not None:
        data[family.seconds_field] = typed_option(family, family.seconds_field, seconds)
    if size is not None:
        data[family.size_field] = typed_option(family, family.size_field, size)
    error = first_refusal(family, model, family.shaped(data) if family.nested else data)
    if error is not None:
        raise error
