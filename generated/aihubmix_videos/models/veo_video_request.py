from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.veo_video_request_duration_type_0 import (
    VeoVideoRequestDurationType0,
    check_veo_video_request_duration_type_0,
)
from ..models.veo_video_request_duration_type_1 import (
    VeoVideoRequestDurationType1,
    check_veo_video_request_duration_type_1,
)
from ..models.veo_video_request_model import VeoVideoRequestModel, check_veo_video_request_model
from ..models.veo_video_request_seconds_type_0 import (
    VeoVideoRequestSecondsType0,
    check_veo_video_request_seconds_type_0,
)
from ..models.veo_video_request_seconds_type_1 import (
    VeoVideoRequestSecondsType1,
    check_veo_video_request_seconds_type_1,
)
from ..models.veo_video_request_size import VeoVideoRequestSize, check_veo_video_request_size
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.inline_image import InlineImage


T = TypeVar("T", bound="VeoVideoRequest")


@_attrs_define
class VeoVideoRequest:
    """Google Veo. Veo 3 and 3.1 take 4, 6 or 8 seconds, Veo 2 five to eight; `4k` needs
    Veo 3 or later; a first-frame image (`input_reference`, Veo 3.1 only) fixes the
    length at 8 seconds. Orientation follows `size`.

        Attributes:
            prompt (str): What the video should show, in plain language.
            model (VeoVideoRequestModel):
            seconds (Unset | VeoVideoRequestSecondsType0 | VeoVideoRequestSecondsType1): Length in seconds, as a string (the
                page's form) or an integer. Default: '8'.
            size (VeoVideoRequestSize | Unset): A resolution token or one of the pixel sizes the gateway maps. Default:
                '720p'.
            input_reference (InlineImage | str | Unset): A reference image: an `https:` URL, a `data:` URL, or an object
                with the image's media
                type and base64 data.
            duration (Unset | VeoVideoRequestDurationType0 | VeoVideoRequestDurationType1): Alias of `seconds` (the page
                accepts both names except for Sora).
            generate_audio (bool | Unset): Whether the clip gets a soundtrack (the adapter sends it for Veo 3.1).
            seed (int | Unset): Seed for a repeatable render.
    """

    prompt: str
    model: VeoVideoRequestModel
    seconds: Unset | VeoVideoRequestSecondsType0 | VeoVideoRequestSecondsType1 = "8"
    size: VeoVideoRequestSize | Unset = "720p"
    input_reference: InlineImage | str | Unset = UNSET
    duration: Unset | VeoVideoRequestDurationType0 | VeoVideoRequestDurationType1 = UNSET
    generate_audio: bool | Unset = UNSET
    seed: int | Unset = UNSET

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

        generate_audio = self.generate_audio

        seed = self.seed

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
        if generate_audio is not UNSET:
            field_dict["generate_audio"] = generate_audio
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inline_image import InlineImage  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = check_veo_video_request_model(d.pop("model"))

        def _parse_seconds(data: object) -> Unset | VeoVideoRequestSecondsType0 | VeoVideoRequestSecondsType1:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seconds_type_0 = check_veo_video_request_seconds_type_0(data)

                return seconds_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, int):
                raise TypeError()
            seconds_type_1 = check_veo_video_request_seconds_type_1(data)

            return seconds_type_1

        seconds = _parse_seconds(d.pop("seconds", UNSET))

        _size = d.pop("size", UNSET)
        size: VeoVideoRequestSize | Unset
        if isinstance(_size, Unset):
            size = UNSET
        else:
            size = check_veo_video_request_size(_size)

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

        def _parse_duration(data: object) -> Unset | VeoVideoRequestDurationType0 | VeoVideoRequestDurationType1:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                duration_type_0 = check_veo_video_request_duration_type_0(data)

                return duration_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, int):
                raise TypeError()
            duration_type_1 = check_veo_video_request_duration_type_1(data)

            return duration_type_1

        duration = _parse_duration(d.pop("duration", UNSET))

        generate_audio = d.pop("generate_audio", UNSET)

        seed = d.pop("seed", UNSET)

        veo_video_request = cls(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            duration=duration,
            generate_audio=generate_audio,
            seed=seed,
        )

        return veo_video_request
