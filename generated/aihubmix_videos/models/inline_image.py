from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.inline_image_mime_type import InlineImageMimeType, check_inline_image_mime_type

T = TypeVar("T", bound="InlineImage")


@_attrs_define
class InlineImage:
    """An image given inline as base64.

    Attributes:
        mime_type (InlineImageMimeType):
        data (str): The image's bytes, base64.
    """

    mime_type: InlineImageMimeType
    data: str

    def to_dict(self) -> dict[str, Any]:
        mime_type: str = self.mime_type

        data = self.data

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mime_type": mime_type,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mime_type = check_inline_image_mime_type(d.pop("mime_type"))

        data = d.pop("data")

        inline_image = cls(
            mime_type=mime_type,
            data=data,
        )

        return inline_image
