from typing import Literal

VideoSize = Literal["1024x1792", "1280x720", "1792x1024", "720x1280"]

VIDEO_SIZE_VALUES: set[VideoSize] = {
    "1024x1792",
    "1280x720",
    "1792x1024",
    "720x1280",
}


def check_video_size(value: str) -> VideoSize:
    if value in VIDEO_SIZE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VIDEO_SIZE_VALUES!r}")
