"""What a job of each model family renders: its pixel frame and its length in seconds.

The values come from the request body, already checked against the family's schema, with
the family's schema defaults for fields left out. Size tokens (`720p`, `16:9`, ...) render at
the pixel frame the spec's `x-video-families` table gives them; a Seedance or HappyHorse
`ratio` reshapes its resolution's frame so that the short side keeps the resolution's
height. A model the contract does not list renders at its `size` when that is
`WIDTHxHEIGHT`, otherwise at the default family's default size, and for its `seconds` when
that is a whole number, otherwise for the default family's default length. The DashScope
body's length and size are nested (`parameters.duration`), named so by `x-video-families`.

`duration`, the alias of `seconds` the families but Sora accept, is honoured: a body that
sends it renders its length, whatever `seconds` says (a typed client fills `seconds` with its
default, so the alias, sent on purpose, decides). Both are valid for the schema, so a body
with two different lengths is not refused; the job's own `duration` says which was taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from videos_contract.families import Family

__all__ = ["plan_render"]

_ALIAS = "duration"

# Seedance's `adaptive` ratio lets the model choose; the mock renders it as the first listed
# fixed ratio's frame (the resolution's own frame).
_ADAPTIVE = "adaptive"
# Ratios closer than this are the same shape (the table's frames are rounded to encoder sizes).
_SAME_RATIO = 0.05


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _ratio(frame: tuple[int, int], ratio: Any) -> tuple[int, int]:
    if not isinstance(ratio, str) or ratio == _ADAPTIVE or ":" not in ratio:
        return frame
    across, _, down = ratio.partition(":")
    if not (across.isdigit() and down.isdigit()) or int(across) == 0 or int(down) == 0:
        return frame
    rw, rh = int(across), int(down)
    if abs(frame[0] / frame[1] - rw / rh) < _SAME_RATIO:
        return frame  # the resolution's own frame has this ratio (480p 16:9 is 864x480)
    short = min(frame)
    if rw >= rh:
        return 2 * round(short * rw / rh / 2), short
    return short, 2 * round(short * rh / rw / 2)


def _alias_length(family: Family, sent: Mapping[str, Any]) -> int | None:
    """The length `duration` asks for, when it is the alias of `seconds` and was sent."""
    name = family.seconds_field
    if name == _ALIAS or _ALIAS not in sent or _ALIAS not in family.properties:
        return None
    return _whole(sent[_ALIAS])


def plan_render(
    family: Family,
    body: Mapping[str, Any],
    fallback: Family,
    sent: Mapping[str, Any] | None = None,
) -> tuple[int, int, int]:
    """(width, height, seconds) of the clip a checked create body asks for.

    `sent` is the body as the client sent it (before defaults were filled in), which tells a
    `seconds` the client chose from one the validation added.
    """
    extra = body.get("extra_body")
    nested: Mapping[str, Any] = extra if isinstance(extra, Mapping) else {}

    def value(name: str) -> Any:
        # A literal `extra_body` member first: the top level then holds only the default the
        # validation filled in for the field the client sent inside `extra_body`. A dotted
        # name is a nested member (the DashScope body's `parameters.duration`).
        if name in nested:
            return nested[name]
        if name in body:
            return body[name]
        found = family.get(body, name)
        return found if found is not None else family.field_default(name)

    size = value(family.size_field)
    frame = family.frame(size if isinstance(size, str) else None)
    if frame is None:
        default_size = fallback.field_default(fallback.size_field)
        frame = fallback.frame(str(default_size)) or (1280, 720)
    if family.has_field(family.ratio_field):
        ratio = next((v for v in map(value, family.ratio_fields) if v is not None), None)
        frame = _ratio(frame, ratio)
    seconds = _alias_length(family, sent if sent is not None else body)
    if seconds is None:
        seconds = _whole(value(family.seconds_field))
    if seconds is None and family.seconds_field != "duration":
        seconds = _whole(value("duration"))
    if seconds is None or seconds < 1:
        seconds = _whole(family.field_default(family.seconds_field))
    if seconds is None or seconds < 1:
        seconds = _whole(fallback.field_default(fallback.seconds_field)) or 1
    return frame[0], frame[1], seconds
