from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.wan_video_request_duration_type_0 import (
    WanVideoRequestDurationType0,
    check_wan_video_request_duration_type_0,
)
from ..models.wan_video_request_model import WanVideoRequestModel, check_wan_video_request_model
from ..models.wan_video_request_seconds_type_0 import (
    WanVideoRequestSecondsType0,
    check_wan_video_request_seconds_type_0,
)
from ..models.wan_video_request_size import WanVideoRequestSize, check_wan_video_request_size
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.inline_image import InlineImage


T = TypeVar("T", bound="WanVideoRequest")


@_attrs_define
class WanVideoRequest:
    """Alibaba Wan, text-to-video (`-t2v`) and image-to-video (`-i2v`, which need
    `input_reference`). wan2.6 takes 2 to 15 seconds and the 720P and 1080P sizes; wan2.5
    5 or 10 seconds and every size; wan2.2 5 seconds and the 480P and 1080P sizes; wan2.7
    2 to 15 seconds and its own ten sizes. A size is `WIDTHxHEIGHT` or `WIDTH*HEIGHT`.

        Attributes:
            prompt (str): What the video should show, in plain language.
            model (WanVideoRequestModel):
            seconds (int | Unset | WanVideoRequestSecondsType0): Length in seconds, as a string (the page's form) or an
                integer. Default: '5'.
            size (WanVideoRequestSize | Unset): `WIDTHxHEIGHT` (or `WIDTH*HEIGHT`, the page's other spelling) from the 480P,
                720P
                or 1080P set of the model, or wan2.7's own sizes.
                 Default: '1280x720'.
            input_reference (InlineImage | str | Unset): A reference image: an `https:` URL, a `data:` URL, or an object
                with the image's media
                type and base64 data.
            duration (int | Unset | WanVideoRequestDurationType0): Alias of `seconds` (the page accepts both names except
                for Sora).
    """

    prompt: str
    model: WanVideoRequestModel
    seconds: int | Unset | WanVideoRequestSecondsType0 = "5"
    size: WanVideoRequestSize | Unset = "1280x720"
    input_reference: InlineImage | str | Unset = UNSET
    duration: int | Unset | WanVideoRequestDurationType0 = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.inline_image import InlineImage  # noqa: PLC0415

        prompt = self.prompt

        model: str = self.model

        seconds: int | str | Unset
        if isinstance(self.seconds, Unset):
            seconds = UNSET
        elif isinstance(self.seconds, str):
            seconds = self.seconds
        else:
            seconds = self.seconds

        size: str | Unset = UNSET
        if not isinstance(self.size, Unset):
            size = self.size

        input_reference: dict[str, Any] | str | Unset
        if isinstance(self.input_reference, Unset):
            input_reference = UNSET
        elif isinstance(self.input_reference, InlineImage):
            input_reference = self.input_reference.to_dict()
        else:
            input_reference = self.input_reference

        duration: int | str | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        elif isinstance(self.duration, str):
            duration = self.duration
        else:
            duration = self.duration

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
                "model": model,
            }
        )
        if seconds is not UNSET:
            field_dict["seconds"] = seconds
        if size is not UNSET:
            field_dict["size"] = size
        if input_reference is not UNSET:
            field_dict["input_reference"] = input_reference
        if duration is not UNSET:
            field_dict["duration"] = duration

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inline_image import InlineImage  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = check_wan_video_request_model(d.pop("model"))

        def _parse_seconds(data: object) -> int | Unset | WanVideoRequestSecondsType0:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seconds_type_0 = check_wan_video_request_seconds_type_0(data)

                return seconds_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(int | Unset | WanVideoRequestSecondsType0, data)

        seconds = _parse_seconds(d.pop("seconds", UNSET))

        _size = d.pop("size", UNSET)
        size: WanVideoRequestSize | Unset
        if isinstance(_size, Unset):
            size = UNSET
        else:
            size = check_wan_video_request_size(_size)

        def _parse_input_reference(data: object) -> InlineImage | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_media_reference_type_1 = InlineImage.from_dict(data)

                return componentsschemas_media_reference_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InlineImage | str | Unset, data)

        input_reference = _parse_input_reference(d.pop("input_reference", UNSET))

        def _parse_duration(data: object) -> int | Unset | WanVideoRequestDurationType0:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                duration_type_0 = check_wan_video_request_duration_type_0(data)

                return duration_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(int | Unset | WanVideoRequestDurationType0, data)

        duration = _parse_duration(d.pop("duration", UNSET))

        wan_video_request = cls(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            duration=duration,
        )

        return wan_video_request
