"""The rules behind the behaviour checks, on hand-made inputs: sweep, near misses, grids."""

from __future__ import annotations

from typing import Any

from videos_contract.audit.checks import (
    _groups,
    _is_grid_of,
    _model_matches,
    _near_misses,
    _sweep,
)
from videos_contract.audit.context import CheckContext
from videos_contract.spec import load_spec

SPEC = load_spec()


def _ctx() -> CheckContext:
    return CheckContext(SPEC, client=None)  # type: ignore[arg-type]


def test_the_sweep_covers_every_value_of_every_parameter() -> None:
    cells = _sweep(_ctx())
    for name, schema in (
        ("model", "VideoModel"),
        ("seconds", "VideoSeconds"),
        ("size", "VideoSize"),
    ):
        assert {cell[name] for cell in cells} == set(SPEC.enum(schema)), name
    widest = max(len(SPEC.enum(s)) for s in ("VideoModel", "VideoSeconds", "VideoSize"))
    assert len(cells) == widest, "a covering set, not the full product"


def test_near_misses_lie_just_outside_the_contract() -> None:
    misses = _near_misses(_ctx())
    names = {name for name, _ in misses}
    assert names == {"seconds", "size", "model", "prompt"}
    cap = SPEC.schema("VideoPrompt")["maxLength"]
    assert ("prompt", "a" * (cap + 1)) in misses and ("prompt", "") in misses
    enums = {"seconds": "VideoSeconds", "size": "VideoSize", "model": "VideoModel"}
    for name, value in misses:
        if name in enums:
            assert value not in SPEC.enum(enums[name])
    model = SPEC.default("VideoModel")
    off = [v for n, v in misses if n == "model"]
    assert off and all(len(v) == len(model) and v != model for v in off)


def test_a_spritesheet_is_a_grid_of_cells_with_the_videos_aspect() -> None:
    assert _is_grid_of(360, 160, 720 / 1280)  # 4 x 1 cells of 90 x 160
    assert _is_grid_of(720, 1280, 720 / 1280)  # one cell: the frame itself
    assert not _is_grid_of(64, 64, 1280 / 720 * 4)
    assert not _is_grid_of(97, 89, 720 / 1280)  # primes: only 1 x 1, the wrong shape


def test_a_snapshot_name_counts_for_its_model_and_no_other() -> None:
    models = SPEC.enum("VideoModel")
    short, long = sorted(models, key=len)[0], sorted(models, key=len)[-1]
    ctx = _ctx()
    assert _model_matches(ctx, short, short)
    assert _model_matches(ctx, short, f"{short}-2025-10-06")
    if long.startswith(short + "-"):
        assert not _model_matches(ctx, short, long), "a longer model is not a snapshot"
    assert not _model_matches(ctx, long, short)


def test_jobs_of_the_same_second_may_come_in_either_order() -> None:
    def videos(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
        return [{"id": i, "created_at": t} for i, t in pairs]

    desc = videos(("c", 2), ("b", 1), ("a", 1))
    asc_ties_swapped = videos(("b", 1), ("a", 1), ("c", 2))
    asc_wrong = videos(("c", 2), ("a", 1), ("b", 1))
    assert _groups(asc_ties_swapped) == _groups(desc)[::-1]
    assert _groups(asc_wrong) != _groups(desc)[::-1]
