from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageReference")


@_attrs_define
class ImageReference:
    """A reference image given by location instead of by upload: either a URL (an `https:`
    address or a `data:` URL) or the id of a file already uploaded to the gateway.
    Exactly one of the two is set.

        Attributes:
            image_url (str | Unset): Address of the image: an `https:` URL with a host (`https://...`) or a `data:`
                URL of an image (`data:image/...;base64,...`). Any other scheme (`http:`, `ftp:`)
                or text that is not such a URL is refused with 400.
            file_id (str | Unset): Id of a previously uploaded file.
    """

    image_url: str | Unset = UNSET
    file_id: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        image_url = self.image_url

        file_id = self.file_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if image_url is not UNSET:
            field_dict["image_url"] = image_url
        if file_id is not UNSET:
            field_dict["file_id"] = file_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        image_url = d.pop("image_url", UNSET)

        file_id = d.pop("file_id", UNSET)

        image_reference = cls(
            image_url=image_url,
            file_id=file_id,
        )

        return image_reference
