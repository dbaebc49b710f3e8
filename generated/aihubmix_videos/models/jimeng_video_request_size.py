from typing import Literal

JimengVideoRequestSize = Literal[
    "1080x1920",
    "1248x1664",
    "1440x1440",
    "1664x1248",
    "16:9",
    "1920x1080",
    "1:1",
    "2176x928",
    "21:9",
    "3:4",
    "4:3",
    "9:16",
]

JIMENG_VIDEO_REQUEST_SIZE_VALUES: set[JimengVideoRequestSize] = {
    "1080x1920",
    "1248x1664",
    "1440x1440",
    "1664x1248",
    "16:9",
    "1920x1080",
    "1:1",
    "2176x928",
    "21:9",
    "3:4",
    "4:3",
    "9:16",
}


def check_jimeng_video_request_size(value: str) -> JimengVideoRequestSize:
    if value in JIMENG_VIDEO_REQUEST_SIZE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JIMENG_VIDEO_REQUEST_SIZE_VALUES!r}")
