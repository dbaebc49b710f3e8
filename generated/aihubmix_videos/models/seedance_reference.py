from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.seedance_reference_role import SeedanceReferenceRole, check_seedance_reference_role
from ..models.seedance_reference_type import SeedanceReferenceType, check_seedance_reference_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.seedance_url import SeedanceUrl


T = TypeVar("T", bound="SeedanceReference")


@_attrs_define
class SeedanceReference:
    """One reference of a Seedance request: an image (`first_frame`, `last_frame`,
    `reference_image`), a video (`reference_video`) or an audio clip (`reference_audio`),
    given by URL.

        Attributes:
            type_ (SeedanceReferenceType):
            text (str | Unset):
            image_url (SeedanceUrl | Unset):
            video_url (SeedanceUrl | Unset):
            audio_url (SeedanceUrl | Unset):
            role (SeedanceReferenceRole | Unset):
    """

    type_: SeedanceReferenceType
    text: str | Unset = UNSET
    image_url: SeedanceUrl | Unset = UNSET
    video_url: SeedanceUrl | Unset = UNSET
    audio_url: SeedanceUrl | Unset = UNSET
    role: SeedanceReferenceRole | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        text = self.text

        image_url: dict[str, Any] | Unset = UNSET
        if not isinstance(self.image_url, Unset):
            image_url = self.image_url.to_dict()

        video_url: dict[str, Any] | Unset = UNSET
        if not isinstance(self.video_url, Unset):
            video_url = self.video_url.to_dict()

        audio_url: dict[str, Any] | Unset = UNSET
        if not isinstance(self.audio_url, Unset):
            audio_url = self.audio_url.to_dict()

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if text is not UNSET:
            field_dict["text"] = text
        if image_url is not UNSET:
            field_dict["image_url"] = image_url
        if video_url is not UNSET:
            field_dict["video_url"] = video_url
        if audio_url is not UNSET:
            field_dict["audio_url"] = audio_url
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seedance_url import SeedanceUrl  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_seedance_reference_type(d.pop("type"))

        text = d.pop("text", UNSET)

        _image_url = d.pop("image_url", UNSET)
        image_url: SeedanceUrl | Unset
        if isinstance(_image_url, Unset):
            image_url = UNSET
        else:
            image_url = SeedanceUrl.from_dict(_image_url)

        _video_url = d.pop("video_url", UNSET)
        video_url: SeedanceUrl | Unset
        if isinstance(_video_url, Unset):
            video_url = UNSET
        else:
            video_url = SeedanceUrl.from_dict(_video_url)

        _audio_url = d.pop("audio_url", UNSET)
        audio_url: SeedanceUrl | Unset
        if isinstance(_audio_url, Unset):
            audio_url = UNSET
        else:
            audio_url = SeedanceUrl.from_dict(_audio_url)

        _role = d.pop("role", UNSET)
        role: SeedanceReferenceRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = check_seedance_reference_role(_role)

        seedance_reference = cls(
            type_=type_,
            text=text,
            image_url=image_url,
            video_url=video_url,
            audio_url=audio_url,
            role=role,
        )

        seedance_reference.additional_properties = d
        return seedance_reference

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
