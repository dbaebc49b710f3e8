from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoError")


@_attrs_define
class VideoError:
    """Why a job failed. OpenAI's form carries `code` and `message`; the gateway's unified page
    shows `message` and `type` (`video_generation_error`). Only `message` is required.

        Attributes:
            message (str): Explanation for a person.
            code (str | Unset): Machine-readable failure reason (OpenAI's form).
            type_ (str | Unset): The failure's class (the gateway's form), e.g. `video_generation_error`.
    """

    message: str
    code: str | Unset = UNSET
    type_: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        code = self.code

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
            }
        )
        if code is not UNSET:
            field_dict["code"] = code
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        code = d.pop("code", UNSET)

        type_ = d.pop("type", UNSET)

        video_error = cls(
            message=message,
            code=code,
            type_=type_,
        )

        video_error.additional_properties = d
        return video_error

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
