from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.video_model import VideoModel, check_video_model
from ..models.video_seconds import VideoSeconds, check_video_seconds
from ..models.video_size import VideoSize, check_video_size
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.image_reference import ImageReference


T = TypeVar("T", bound="SoraVideoRequest")


@_attrs_define
class SoraVideoRequest:
    """OpenAI Sora (`sora-2`, `sora-2-pro`) as `application/json`. Deprecated: OpenAI shuts
    the Sora API down on 2026-09-24.

        Attributes:
            prompt (str): What the video should show, in plain language.
            model (VideoModel): Which OpenAI Sora model renders the job. Deprecated: OpenAI shuts the Sora API down on
                2026-09-24.
            input_reference (ImageReference | Unset): A reference image given by location instead of by upload: either a URL
                (an `https:`
                address or a `data:` URL) or the id of a file already uploaded to the gateway.
                Exactly one of the two is set.
            seconds (VideoSeconds | Unset): Length of the clip in whole seconds, sent as a string.
            size (VideoSize | Unset): Frame size as `WIDTHxHEIGHT` in pixels.
    """

    prompt: str
    model: VideoModel
    input_reference: ImageReference | Unset = UNSET
    seconds: VideoSeconds | Unset = UNSET
    size: VideoSize | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        model: str = self.model

        input_reference: dict[str, Any] | Unset = UNSET
        if not isinstance(self.input_reference, Unset):
            input_reference = self.input_reference.to_dict()

        seconds: str | Unset = UNSET
        if not isinstance(self.seconds, Unset):
            seconds = self.seconds

        size: str | Unset = UNSET
        if not isinstance(self.size, Unset):
            size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
                "model": model,
            }
        )
        if input_reference is not UNSET:
            field_dict["input_reference"] = input_reference
        if seconds is not UNSET:
            field_dict["seconds"] = seconds
        if size is not UNSET:
            field_dict["size"] = size

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_reference import ImageReference  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = check_video_model(d.pop("model"))

        _input_reference = d.pop("input_reference", UNSET)
        input_reference: ImageReference | Unset
        if isinstance(_input_reference, Unset):
            input_reference = UNSET
        else:
            input_reference = ImageReference.from_dict(_input_reference)

        _seconds = d.pop("seconds", UNSET)
        seconds: VideoSeconds | Unset
        if isinstance(_seconds, Unset):
            seconds = UNSET
        else:
            seconds = check_video_seconds(_seconds)

        _size = d.pop("size", UNSET)
        size: VideoSize | Unset
        if isinstance(_size, Unset):
            size = UNSET
        else:
            size = check_video_size(_size)

        sora_video_request = cls(
            prompt=prompt,
            model=model,
            input_reference=input_reference,
            seconds=seconds,
            size=size,
        )

        return sora_video_request
