from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.seedance_video_request_duration import SeedanceVideoRequestDuration, check_seedance_video_request_duration
from ..models.seedance_video_request_model import SeedanceVideoRequestModel, check_seedance_video_request_model
from ..models.seedance_video_request_ratio import SeedanceVideoRequestRatio, check_seedance_video_request_ratio
from ..models.seedance_video_request_resolution import (
    SeedanceVideoRequestResolution,
    check_seedance_video_request_resolution,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.seedance_options import SeedanceOptions
    from ..models.seedance_reference import SeedanceReference


T = TypeVar("T", bound="SeedanceVideoRequest")


@_attrs_define
class SeedanceVideoRequest:
    """Doubao Seedance. References go in `content`; `duration` is an integer from 4 to 15, or
    -1 to let the model decide; the fast model has no `1080p`; the 1.x models take a first
    frame only, at `480p` or `720p`.

        Attributes:
            prompt (str): What the video should show, in plain language.
            model (SeedanceVideoRequestModel):
            content (list[SeedanceReference] | Unset):
            duration (SeedanceVideoRequestDuration | Unset): Length in seconds, 4 to 15, or -1 for the model's choice.
                Default: 5.
            resolution (SeedanceVideoRequestResolution | Unset):  Default: '720p'.
            ratio (SeedanceVideoRequestRatio | Unset):  Default: 'adaptive'.
            watermark (bool | Unset):  Default: False.
            generate_audio (bool | Unset):  Default: True.
            seed (int | Unset): Seed for a repeatable render; -1 lets the model choose.
            camera_fixed (bool | Unset): Whether the camera stays still.
            extra_body (SeedanceOptions | Unset): The members the page's example sends inside a literal `extra_body` object.
    """

    prompt: str
    model: SeedanceVideoRequestModel
    content: list[SeedanceReference] | Unset = UNSET
    duration: SeedanceVideoRequestDuration | Unset = 5
    resolution: SeedanceVideoRequestResolution | Unset = "720p"
    ratio: SeedanceVideoRequestRatio | Unset = "adaptive"
    watermark: bool | Unset = False
    generate_audio: bool | Unset = True
    seed: int | Unset = UNSET
    camera_fixed: bool | Unset = UNSET
    extra_body: SeedanceOptions | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        model: str = self.model

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

        extra_body: dict[str, Any] | Unset = UNSET
        if not isinstance(self.extra_body, Unset):
            extra_body = self.extra_body.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
                "model": model,
            }
        )
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
        if extra_body is not UNSET:
            field_dict["extra_body"] = extra_body

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seedance_options import SeedanceOptions  # noqa: PLC0415
        from ..models.seedance_reference import SeedanceReference  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = check_seedance_video_request_model(d.pop("model"))

        _content = d.pop("content", UNSET)
        content: list[SeedanceReference] | Unset = UNSET
        if _content is not UNSET:
            content = []
            for content_item_data in _content:
                content_item = SeedanceReference.from_dict(content_item_data)

                content.append(content_item)

        _duration = d.pop("duration", UNSET)
        duration: SeedanceVideoRequestDuration | Unset
        if isinstance(_duration, Unset):
            duration = UNSET
        else:
            duration = check_seedance_video_request_duration(_duration)

        _resolution = d.pop("resolution", UNSET)
        resolution: SeedanceVideoRequestResolution | Unset
        if isinstance(_resolution, Unset):
            resolution = UNSET
        else:
            resolution = check_seedance_video_request_resolution(_resolution)

        _ratio = d.pop("ratio", UNSET)
        ratio: SeedanceVideoRequestRatio | Unset
        if isinstance(_ratio, Unset):
            ratio = UNSET
        else:
            ratio = check_seedance_video_request_ratio(_ratio)

        watermark = d.pop("watermark", UNSET)

        generate_audio = d.pop("generate_audio", UNSET)

        seed = d.pop("seed", UNSET)

        camera_fixed = d.pop("camera_fixed", UNSET)

        _extra_body = d.pop("extra_body", UNSET)
        extra_body: SeedanceOptions | Unset
        if isinstance(_extra_body, Unset):
            extra_body = UNSET
        else:
            extra_body = SeedanceOptions.from_dict(_extra_body)

        seedance_video_request = cls(
            prompt=prompt,
            model=model,
            content=content,
            duration=duration,
            resolution=resolution,
            ratio=ratio,
            watermark=watermark,
            generate_audio=generate_audio,
            seed=seed,
            camera_fixed=camera_fixed,
            extra_body=extra_body,
        )

        return seedance_video_request
