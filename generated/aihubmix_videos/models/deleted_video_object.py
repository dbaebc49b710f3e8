from typing import Literal

DeletedVideoObject = Literal["video.deleted"]

DELETED_VIDEO_OBJECT_VALUES: set[DeletedVideoObject] = {
    "video.deleted",
}


def check_deleted_video_object(value: str) -> DeletedVideoObject:
    if value in DELETED_VIDEO_OBJECT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DELETED_VIDEO_OBJECT_VALUES!r}")
