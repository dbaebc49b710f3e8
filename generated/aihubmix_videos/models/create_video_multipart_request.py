from __future__ import annotations

import json
from collections.abc import Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..models.video_model import VideoModel, check_video_model
from ..models.video_seconds import VideoSeconds, check_video_seconds
from ..models.video_size import VideoSize, check_video_size
from ..types import UNSET, File, FileTypes, Unset

if TYPE_CHECKING:
    from ..models.image_reference import ImageReference


T = TypeVar("T", bound="CreateVideoMultipartRequest")


@_attrs_define
class CreateVideoMultipartRequest:
    """Fields of a create request sent as `multipart/form-data` (OpenAI Sora only). The
    per-model rules of `CreateVideoJsonRequest` (its `if`/`else`) hold here too, named in
    `x-rules-from`: schemathesis cannot generate multipart bodies under `if`/`then`/`else`
    or `not`, so they are not repeated in this schema.

        Attributes:
            prompt (str): What the video should show, in plain language.
            model (VideoModel): Which OpenAI Sora model renders the job. Deprecated: OpenAI shuts the Sora API down on
                2026-09-24.
            input_reference (File | ImageReference | Unset): Optional image that the first frame should follow: an uploaded
                file, or an
                `ImageReference` sent as a JSON part. Servers also accept the object's fields as
                bracketed form fields (`input_reference[image_url]`), as OpenAI's Node SDK sends
                them.
            seconds (VideoSeconds | Unset): Length of the clip in whole seconds, sent as a string.
            size (VideoSize | Unset): Frame size as `WIDTHxHEIGHT` in pixels.
    """

    prompt: str
    model: VideoModel
    input_reference: File | ImageReference | Unset = UNSET
    seconds: VideoSeconds | Unset = UNSET
    size: VideoSize | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        model: str = self.model

        input_reference: dict[str, Any] | FileTypes | Unset
        if isinstance(self.input_reference, Unset):
            input_reference = UNSET
        elif isinstance(self.input_reference, File):
            input_reference = self.input_reference.to_tuple()

        else:
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

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("prompt", (None, str(self.prompt).encode(), "text/plain")))

        files.append(("model", (None, str(self.model).encode(), "text/plain")))

        if not isinstance(self.input_reference, Unset):
            if isinstance(self.input_reference, File):
                files.append(("input_reference", self.input_reference.to_tuple()))
            else:
                files.append(
                    ("input_reference", (None, json.dumps(self.input_reference.to_dict()).encode(), "application/json"))
                )

        if not isinstance(self.seconds, Unset):
            files.append(("seconds", (None, str(self.seconds).encode(), "text/plain")))

        if not isinstance(self.size, Unset):
            files.append(("size", (None, str(self.size).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_reference import ImageReference  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = check_video_model(d.pop("model"))

        def _parse_input_reference(data: object) -> File | ImageReference | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, bytes):
                    raise TypeError()
                input_reference_type_0 = File(payload=BytesIO(data))

                return input_reference_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            input_reference_type_1 = ImageReference.from_dict(data)

            return input_reference_type_1

        input_reference = _parse_input_reference(d.pop("input_reference", UNSET))

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

        create_video_multipart_request = cls(
            prompt=prompt,
            model=model,
            input_reference=input_reference,
            seconds=seconds,
            size=size,
        )

        return create_video_multipart_request
