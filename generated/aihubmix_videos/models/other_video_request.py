from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.inline_image import InlineImage


T = TypeVar("T", bound="OtherVideoRequest")


@_attrs_define
class OtherVideoRequest:
    """A model this contract does not list: no family, only generic rules. The gateway adds
    models every month, so a client may send any model name; a server that does not serve
    it refuses it with 400 and `param: model` (the toolkit's mock does so unless told to
    accept unlisted models). The English page names Kling's image fields without any Kling
    model: `image` (first frame), `image_tail` (end frame) and `image_list` (up to 4
    images) are typed here. Any further field is passed on.

        Attributes:
            prompt (str): What the video should show, in plain language.
            model (str):
            seconds (int | str | Unset): Length in seconds, as a string or an integer.
            size (str | Unset):
            input_reference (InlineImage | str | Unset): A reference image: an `https:` URL, a `data:` URL, or an object
                with the image's media
                type and base64 data.
            image (str | Unset): Kling's first-frame image (URL or base64).
            image_tail (str | Unset): Kling's end-frame image (URL or base64).
            image_list (list[Any] | Unset): Kling's reference images, up to 4.
    """

    prompt: str
    model: str
    seconds: int | str | Unset = UNSET
    size: str | Unset = UNSET
    input_reference: InlineImage | str | Unset = UNSET
    image: str | Unset = UNSET
    image_tail: str | Unset = UNSET
    image_list: list[Any] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.inline_image import InlineImage  # noqa: PLC0415

        prompt = self.prompt

        model = self.model

        seconds: int | str | Unset
        if isinstance(self.seconds, Unset):
            seconds = UNSET
        else:
            seconds = self.seconds

        size = self.size

        input_reference: dict[str, Any] | str | Unset
        if isinstance(self.input_reference, Unset):
            input_reference = UNSET
        elif isinstance(self.input_reference, InlineImage):
            input_reference = self.input_reference.to_dict()
        else:
            input_reference = self.input_reference

        image = self.image

        image_tail = self.image_tail

        image_list: list[Any] | Unset = UNSET
        if not isinstance(self.image_list, Unset):
            image_list = self.image_list

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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
        if image is not UNSET:
            field_dict["image"] = image
        if image_tail is not UNSET:
            field_dict["image_tail"] = image_tail
        if image_list is not UNSET:
            field_dict["image_list"] = image_list

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.inline_image import InlineImage  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        model = d.pop("model")

        def _parse_seconds(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        seconds = _parse_seconds(d.pop("seconds", UNSET))

        size = d.pop("size", UNSET)

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

        image = d.pop("image", UNSET)

        image_tail = d.pop("image_tail", UNSET)

        image_list = cast(list[Any], d.pop("image_list", UNSET))

        other_video_request = cls(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            image=image,
            image_tail=image_tail,
            image_list=image_list,
        )

        other_video_request.additional_properties = d
        return other_video_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
