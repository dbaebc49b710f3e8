from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.dash_scope_parameters_aspect_ratio import (
    DashScopeParametersAspectRatio,
    check_dash_scope_parameters_aspect_ratio,
)
from ..models.dash_scope_parameters_ratio import DashScopeParametersRatio, check_dash_scope_parameters_ratio
from ..models.dash_scope_parameters_resolution import (
    DashScopeParametersResolution,
    check_dash_scope_parameters_resolution,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="DashScopeParameters")


@_attrs_define
class DashScopeParameters:
    """How the clip is rendered. Every member is optional; the defaults are the adapter's
    (it snaps a missing length to 5 seconds and a missing resolution to `720p`).

        Attributes:
            resolution (DashScopeParametersResolution | Unset): The resolution tier, upper case. Default: '720P'.
            duration (int | Unset): Length in seconds, 3 to 15. Default: 5.
            ratio (DashScopeParametersRatio | Unset): The frame's aspect ratio.
            aspect_ratio (DashScopeParametersAspectRatio | Unset): The adapter's name for `ratio` (send one of the two).
            prompt_extend (bool | Unset): Whether the prompt is rewritten before rendering (the adapter sends true).
            watermark (bool | Unset): Whether the clip carries a watermark (the adapter sends false).
            seed (int | Unset): Seed for a repeatable render.
    """

    resolution: DashScopeParametersResolution | Unset = "720P"
    duration: int | Unset = 5
    ratio: DashScopeParametersRatio | Unset = UNSET
    aspect_ratio: DashScopeParametersAspectRatio | Unset = UNSET
    prompt_extend: bool | Unset = UNSET
    watermark: bool | Unset = UNSET
    seed: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        resolution: str | Unset = UNSET
        if not isinstance(self.resolution, Unset):
            resolution = self.resolution

        duration = self.duration

        ratio: str | Unset = UNSET
        if not isinstance(self.ratio, Unset):
            ratio = self.ratio

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio

        prompt_extend = self.prompt_extend

        watermark = self.watermark

        seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if duration is not UNSET:
            field_dict["duration"] = duration
        if ratio is not UNSET:
            field_dict["ratio"] = ratio
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if prompt_extend is not UNSET:
            field_dict["prompt_extend"] = prompt_extend
        if watermark is not UNSET:
            field_dict["watermark"] = watermark
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _resolution = d.pop("resolution", UNSET)
        resolution: DashScopeParametersResolution | Unset
        if isinstance(_resolution, Unset):
            resolution = UNSET
        else:
            resolution = check_dash_scope_parameters_resolution(_resolution)

        duration = d.pop("duration", UNSET)

        _ratio = d.pop("ratio", UNSET)
        ratio: DashScopeParametersRatio | Unset
        if isinstance(_ratio, Unset):
            ratio = UNSET
        else:
            ratio = check_dash_scope_parameters_ratio(_ratio)

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: DashScopeParametersAspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = check_dash_scope_parameters_aspect_ratio(_aspect_ratio)

        prompt_extend = d.pop("prompt_extend", UNSET)

        watermark = d.pop("watermark", UNSET)

        seed = d.pop("seed", UNSET)

        dash_scope_parameters = cls(
            resolution=resolution,
            duration=duration,
            ratio=ratio,
            aspect_ratio=aspect_ratio,
            prompt_extend=prompt_extend,
            watermark=watermark,
            seed=seed,
        )

        return dash_scope_parameters
