from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RemixVideoRequest")


@_attrs_define
class RemixVideoRequest:
    """The new prompt for a remix.

    Attributes:
        prompt (str): What the video should show, in plain language.
    """

    prompt: str

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        remix_video_request = cls(
            prompt=prompt,
        )

        return remix_video_request
