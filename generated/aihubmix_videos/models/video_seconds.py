from typing import Literal

VideoSeconds = Literal["12", "4", "8"]

VIDEO_SECONDS_VALUES: set[VideoSeconds] = {
    "12",
    "4",
    "8",
}


def check_video_seconds(value: str) -> VideoSeconds:
    if value in VIDEO_SECONDS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VIDEO_SECONDS_VALUES!r}")
