from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.dash_scope_media_type import DashScopeMediaType, check_dash_scope_media_type

T = TypeVar("T", bound="DashScopeMedia")


@_attrs_define
class DashScopeMedia:
    """One image of a DashScope `input.media` list, given by URL: the clip's first frame.

    Attributes:
        type_ (DashScopeMediaType):
        url (str): The image: an `http:` or `https:` URL with a host, or a `data:` URL of an image
            (`data:image/...;base64,...`), as the adapter sends it.
    """

    type_: DashScopeMediaType
    url: str

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = check_dash_scope_media_type(d.pop("type"))

        url = d.pop("url")

        dash_scope_media = cls(
            type_=type_,
            url=url,
        )

        return dash_scope_media
