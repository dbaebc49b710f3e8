from typing import Literal

VideoObject = Literal["video"]

VIDEO_OBJECT_VALUES: set[VideoObject] = {
    "video",
}


def check_video_object(value: str) -> VideoObject:
    if value in VIDEO_OBJECT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VIDEO_OBJECT_VALUES!r}")
