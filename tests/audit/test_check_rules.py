"""The rules behind the behaviour checks, on hand-made inputs: sweep, near misses, grids."""

from __future__ import annotations

from typing import Any

import pytest

from videos_contract.audit.checks import CHECKS, BehaviourCheck, check
from videos_contract.audit.checks.content import _is_grid_of
from videos_contract.audit.checks.history import _groups
from videos_contract.audit.checks.plan import (
    ALL_MODELS,
    MAX_SWEPT_LENGTHS,
    audited_models,
    sweep_cells,
)
from videos_contract.audit.checks.refusals import _near_misses
from videos_contract.audit.checks.registry import arrange
from videos_contract.audit.checks.sweep import _model_matches
from videos_contract.audit.context import CheckContext
from videos_contract.families import families
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()


def _ctx() -> CheckContext:
    return CheckContext(SPEC, client=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", families().models)
def test_the_sweep_covers_every_size_and_the_lengths_of_each_model(model: str) -> None:
    family = families().for_model(model)
    cells = sweep_cells(_ctx(), model)
    assert {cell["model"] for cell in cells} == {model}
    sizes = set(family.allowed(model, family.size_field))
    assert {cell[family.size_field] for cell in cells} == sizes
    lengths = [v for v in family.allowed(model, family.seconds_field) if int(v) > 0]
    swept = {cell[family.seconds_field] for cell in cells}
    if len(lengths) <= MAX_SWEPT_LENGTHS:
        assert swept == set(lengths)
    else:
        assert {lengths[0], lengths[-1], family.field_default(family.seconds_field)} == swept
    assert len(cells) == max(len(sizes), len(swept)), "a covering set, not the full product"
    reference = {family.reference_field: "https://example.com/a.png"}
    needs = reference if family.reference_field in family.requires(model) else {}
    for cell in cells:
        body = family.shaped({"model": MODEL, "prompt": "x", **needs, **cell})
        assert family.refused_paths(body) == [], cell


def test_one_model_per_family_by_default_and_every_listed_one_for_all() -> None:
    assert audited_models(_ctx()) == list(families().representatives())
    every = CheckContext(SPEC, client=None, models=(ALL_MODELS,))  # type: ignore[arg-type]
    assert audited_models(every) == list(families().models)
    chosen = CheckContext(SPEC, client=None, models=("kling-v2", "kling-v2"))  # type: ignore[arg-type]
    assert audited_models(chosen) == ["kling-v2"]
    assert sweep_cells(chosen, "kling-v2") == [{"model": "kling-v2"}]


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
    model = SPEC.enum("VideoModel")[0]
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


def _home(registered: BehaviourCheck) -> str:
    return registered.function.__module__.rsplit(".", 1)[-1]


def test_checks_run_grouped_with_the_jobs_first_and_the_deletion_last() -> None:
    homes = [_home(registered) for registered in CHECKS.values()]
    assert list(dict.fromkeys(homes)) == [
        "refusals",
        "jobs",
        "content",
        "remix",
        "sweep",
        "history",
    ]
    names = list(CHECKS)
    assert names.index("created_job_reaches_terminal_status") < names.index(
        "content_is_real_mp4_matching_size_and_seconds"
    )
    # The list walk expects every job the other checks made; the deletion comes after it.
    assert names[-2:] == ["list_pagination_has_no_duplicates_or_gaps", "deleted_video_is_gone"]


def test_arrange_follows_the_modules_then_their_definitions() -> None:
    from videos_contract.audit.checks import history, refusals

    before = dict(CHECKS)
    try:

        @check("listVideos")
        def a_planted_check(ctx: CheckContext) -> None:
            del ctx

        arrange(history, refusals)
        homes = [_home(registered) for registered in CHECKS.values()]
        assert homes[:2] == ["history", "history"] and homes[-1] == "test_check_rules"
        assert homes.index("refusals") < homes.index("jobs")
        assert next(iter(CHECKS)) == "time_and_progress_are_consistent"
    finally:
        CHECKS.clear()
        CHECKS.update(before)
