from typing import Literal

VideoListObject = Literal["list"]

VIDEO_LIST_OBJECT_VALUES: set[VideoListObject] = {
    "list",
}


def check_video_list_object(value: str) -> VideoListObject:
    if value in VIDEO_LIST_OBJECT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VIDEO_LIST_OBJECT_VALUES!r}")
