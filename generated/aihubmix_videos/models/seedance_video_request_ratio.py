from typing import Literal

SeedanceVideoRequestRatio = Literal["16:9", "1:1", "21:9", "3:4", "4:3", "9:16", "9:21", "adaptive"]

SEEDANCE_VIDEO_REQUEST_RATIO_VALUES: set[SeedanceVideoRequestRatio] = {
    "16:9",
    "1:1",
    "21:9",
    "3:4",
    "4:3",
    "9:16",
    "9:21",
    "adaptive",
}


def check_seedance_video_request_ratio(value: str) -> SeedanceVideoRequestRatio:
    if value in SEEDANCE_VIDEO_REQUEST_RATIO_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_VIDEO_REQUEST_RATIO_VALUES!r}")
