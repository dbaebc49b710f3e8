"""Sweep planning: which models the audit covers, and which creates cover each model's
lengths and sizes (read from its family's schema)."""

from __future__ import annotations

from typing import Any

from videos_contract.audit.context import ALL_MODELS, CheckContext
from videos_contract.families import Family, families

__all__ = [
    "ALL_MODELS",
    "MAX_SWEPT_LENGTHS",
    "audited_models",
    "expected_clip",
    "first_frame_cell",
    "sweep_cells",
]


# A family's lengths swept: every value when there are few, else the lowest, the default and
# the highest (Wan 2.6 takes 2 to 15 seconds: three cells instead of fourteen).
MAX_SWEPT_LENGTHS = 5


def _covering(axes: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """A covering set: every value of every axis at least once."""
    axes = {name: values for name, values in axes.items() if values}
    if not axes:
        return [{}]
    count = max(len(values) for values in axes.values())
    return [{name: values[i % len(values)] for name, values in axes.items()} for i in range(count)]


def _lengths(family: Family, model: str) -> list[Any]:
    values = [v for v in family.allowed(model, family.seconds_field) if int(v) > 0]
    if len(values) <= MAX_SWEPT_LENGTHS:
        return values
    default = family.field_default(family.seconds_field)
    picked = [values[0], default, values[-1]]
    return [v for i, v in enumerate(picked) if v in values and v not in picked[:i]]


def sweep_cells(ctx: CheckContext, model: str) -> list[dict[str, Any]]:
    """A covering set of creates for one model: each of its lengths and sizes at least once."""
    family = families(ctx.spec).for_model(model)
    if family.catch_all:
        return [{"model": model}]
    cells = _covering(
        {
            family.seconds_field: _lengths(family, model),
            family.size_field: list(family.allowed(model, family.size_field)),
        }
    )
    return [{"model": model, **cell} for cell in cells]


def audited_models(ctx: CheckContext) -> list[str]:
    """The models the sweep covers: `--model` as given, every listed one, or one per family."""
    catalogue = families(ctx.spec)
    if not ctx.models:
        return list(catalogue.representatives())
    if ALL_MODELS in ctx.models:
        return list(catalogue.models)
    return list(dict.fromkeys(ctx.models))


def expected_clip(family: Family, cell: dict[str, Any]) -> tuple[str | None, int | None]:
    """The frame (`WxH`) and whole seconds a cell's job must render, when the spec says."""
    frame = family.frame(str(cell[family.size_field])) if family.size_field in cell else None
    length = cell.get(family.seconds_field)
    seconds = int(length) if length is not None else None
    return (f"{frame[0]}x{frame[1]}" if frame else None), seconds


def first_frame_cell(family: Family, model: str) -> dict[str, Any] | None:
    """A create with a first-frame image, when the family's rules make it a capability of
    its own for `model` (Veo 3.1: an image fixes the length): the model, a length the image
    allows and the default size. None when the image changes nothing or is not allowed."""
    if "input_reference" not in family.properties or "input_reference" in family.requires(model):
        return None
    url = "https://example.com/first-frame.png"
    with_image = family.allowed(model, family.seconds_field, input_reference=url)
    if not with_image or with_image == family.allowed(model, family.seconds_field):
        return None
    cell = {
        "model": model,
        family.seconds_field: with_image[0],
        family.size_field: family.field_default(family.size_field),
    }
    return None if family.refusals({**cell, "prompt": "x", "input_reference": url}) else cell
