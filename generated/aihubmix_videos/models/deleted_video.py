from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.deleted_video_object import DeletedVideoObject, check_deleted_video_object

T = TypeVar("T", bound="DeletedVideo")


@_attrs_define
class DeletedVideo:
    """Confirmation that a video was deleted.

    Attributes:
        id (str):
        object_ (DeletedVideoObject):  Default: 'video.deleted'.
        deleted (bool):
    """

    id: str
    deleted: bool
    object_: DeletedVideoObject = "video.deleted"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_: str = self.object_

        deleted = self.deleted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "deleted": deleted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = check_deleted_video_object(d.pop("object"))

        deleted = d.pop("deleted")

        deleted_video = cls(
            id=id,
            object_=object_,
            deleted=deleted,
        )

        deleted_video.additional_properties = d
        return deleted_video

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
