from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.seedance_options_duration import SeedanceOptionsDuration, check_seedance_options_duration
from ..models.seedance_options_ratio import SeedanceOptionsRatio, check_seedance_options_ratio
from ..models.seedance_options_resolution import SeedanceOptionsResolution, check_seedance_options_resolution
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.seedance_reference import SeedanceReference


T = TypeVar("T", bound="SeedanceOptions")


@_attrs_define
class SeedanceOptions:
    """The members the page's example sends inside a literal `extra_body` object.

    Attributes:
        content (list[SeedanceReference] | Unset):
        duration (SeedanceOptionsDuration | Unset):
        resolution (SeedanceOptionsResolution | Unset):
        ratio (SeedanceOptionsRatio | Unset):
        watermark (bool | Unset):
        generate_audio (bool | Unset):
        seed (int | Unset): Seed for a repeatable render; -1 lets the model choose.
        camera_fixed (bool | Unset):
    """

    content: list[SeedanceReference] | Unset = UNSET
    duration: SeedanceOptionsDuration | Unset = UNSET
    resolution: SeedanceOptionsResolution | Unset = UNSET
    ratio: SeedanceOptionsRatio | Unset = UNSET
    watermark: bool | Unset = UNSET
    generate_audio: bool | Unset = UNSET
    seed: int | Unset = UNSET
    camera_fixed: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        content: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.content, Unset):
            content = []
            for content_item_data in self.content:
                content_item = content_item_data.to_dict()
                content.append(content_item)

        duration: int | Unset = UNSET
        if not isinstance(self.duration, Unset):
            duration = self.duration

        resolution: str | Unset = UNSET
        if not isinstance(self.resolution, Unset):
            resolution = self.resolution

        ratio: str | Unset = UNSET
        if not isinstance(self.ratio, Unset):
            ratio = self.ratio

        watermark = self.watermark

        generate_audio = self.generate_audio

        seed = self.seed

        camera_fixed = self.camera_fixed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if content is not UNSET:
            field_dict["content"] = content
        if duration is not UNSET:
            field_dict["duration"] = duration
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if ratio is not UNSET:
            field_dict["ratio"] = ratio
        if watermark is not UNSET:
            field_dict["watermark"] = watermark
        if generate_audio is not UNSET:
            field_dict["generate_audio"] = generate_audio
        if seed is not UNSET:
            field_dict["seed"] = seed
        if camera_fixed is not UNSET:
            field_dict["camera_fixed"] = camera_fixed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seedance_reference import SeedanceReference  # noqa: PLC0415

        d = dict(src_dict)
        _content = d.pop("content", UNSET)
        content: list[SeedanceReference] | Unset = UNSET
        if _content is not UNSET:
            content = []
            for content_item_data in _content:
                content_item = SeedanceReference.from_dict(content_item_data)

                content.append(content_item)

        _duration = d.pop("duration", UNSET)
        duration: SeedanceOptionsDuration | Unset
        if isinstance(_duration, Unset):
            duration = UNSET
        else:
            duration = check_seedance_options_duration(_duration)

        _resolution = d.pop("resolution", UNSET)
        resolution: SeedanceOptionsResolution | Unset
        if isinstance(_resolution, Unset):
            resolution = UNSET
        else:
            resolution = check_seedance_options_resolution(_resolution)

        _ratio = d.pop("ratio", UNSET)
        ratio: SeedanceOptionsRatio | Unset
        if isinstance(_ratio, Unset):
            ratio = UNSET
        else:
            ratio = check_seedance_options_ratio(_ratio)

        watermark = d.pop("watermark", UNSET)

        generate_audio = d.pop("generate_audio", UNSET)

        seed = d.pop("seed", UNSET)

        camera_fixed = d.pop("camera_fixed", UNSET)

        seedance_options = cls(
            content=content,
            duration=duration,
            resolution=resolution,
            ratio=ratio,
            watermark=watermark,
            generate_audio=generate_audio,
            seed=seed,
            camera_fixed=camera_fixed,
        )

        return seedance_options
