from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dash_scope_media import DashScopeMedia


T = TypeVar("T", bound="DashScopeInput")


@_attrs_define
class DashScopeInput:
    """What the clip shows: the prompt and, for image-to-video, the first frame.

    Attributes:
        prompt (str): What the video should show, in plain language.
        media (list[DashScopeMedia] | Unset): The first-frame image (image-to-video only).
    """

    prompt: str
    media: list[DashScopeMedia] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        media: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.media, Unset):
            media = []
            for media_item_data in self.media:
                media_item = media_item_data.to_dict()
                media.append(media_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if media is not UNSET:
            field_dict["media"] = media

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dash_scope_media import DashScopeMedia  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        _media = d.pop("media", UNSET)
        media: list[DashScopeMedia] | Unset = UNSET
        if _media is not UNSET:
            media = []
            for media_item_data in _media:
                media_item = DashScopeMedia.from_dict(media_item_data)

                media.append(media_item)

        dash_scope_input = cls(
            prompt=prompt,
            media=media,
        )

        return dash_scope_input
