"""`diff` on the model families: deprecations with their sunset, narrowed values breaking."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from videos_contract.release.specdiff import Level, diff_specs, highest_level
from videos_contract.spec import load_spec

Doc = dict[str, Any]
SPEC: Doc = load_spec().raw


def _schemas(doc: Doc) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def _table(doc: Doc) -> dict[str, Any]:
    table: dict[str, Any] = doc["paths"]["/v1/videos"]["post"]["x-video-families"]
    return table


def test_deprecating_a_family_reports_its_sunset() -> None:
    sunset = _table(SPEC)["sora"]["sunset"]
    old = copy.deepcopy(SPEC)
    _table(old)["sora"].pop("deprecated")
    _schemas(old)["VideoModel"].pop("deprecated")
    changes = diff_specs(old, SPEC)
    messages = [c.message for c in changes if c.rule == "deprecation"]
    assert f"now deprecated, sunset {sunset}" in messages
    assert any("family sora" in c.where for c in changes if c.rule == "deprecation")
    assert any("VideoModel" in c.where for c in changes if c.rule == "deprecation")
    assert highest_level(changes) is Level.ADDITIVE


def _drop(values: list[Any], value: Any) -> None:
    values.remove(value)


NARROWINGS = [
    pytest.param(
        lambda d: _drop(_schemas(d)["VeoVideoRequest"]["properties"]["size"]["enum"], "4k"),
        id="veo-size-removed",
    ),
    pytest.param(
        lambda d: _drop(
            _schemas(d)["WanVideoRequest"]["allOf"][0]["then"]["properties"]["size"]["enum"],
            "960x960",
        ),
        id="wan2.6-size-removed-from-its-rule",
    ),
    pytest.param(
        lambda d: _drop(_schemas(d)["SeedanceVideoRequest"]["properties"]["ratio"]["enum"], "21:9"),
        id="seedance-ratio-removed",
    ),
    pytest.param(
        lambda d: _drop(
            _schemas(d)["JimengVideoRequest"]["properties"]["model"]["enum"], "jimeng-3.0-pro"
        ),
        id="jimeng-model-removed",
    ),
    pytest.param(lambda d: _table(d).pop("wan"), id="family-removed"),
]


@pytest.mark.parametrize("edit", NARROWINGS)
def test_narrowing_a_familys_values_is_breaking(edit: Callable[[Doc], object]) -> None:
    new = copy.deepcopy(SPEC)
    edit(new)
    changes = diff_specs(SPEC, new)
    assert highest_level(changes) is Level.BREAKING, changes


def test_widening_a_familys_values_is_not_breaking() -> None:
    new = copy.deepcopy(SPEC)
    _schemas(new)["VeoVideoRequest"]["properties"]["size"]["enum"].append("1440x1440")
    changes = diff_specs(SPEC, new)
    assert highest_level(changes) is Level.ADDITIVE, changes
