from typing import Literal

WanVideoRequestSize = Literal[
    "1080x1920",
    "1088x832",
    "1248x1632",
    "1280x720",
    "1440x1440",
    "1632x1248",
    "1920x1080",
    "480x832",
    "624x624",
    "720x1280",
    "832x1088",
    "832x480",
    "960x960",
]

WAN_VIDEO_REQUEST_SIZE_VALUES: set[WanVideoRequestSize] = {
    "1080x1920",
    "1088x832",
    "1248x1632",
    "1280x720",
    "1440x1440",
    "1632x1248",
    "1920x1080",
    "480x832",
    "624x624",
    "720x1280",
    "832x1088",
    "832x480",
    "960x960",
}


def check_wan_video_request_size(value: str) -> WanVideoRequestSize:
    if value in WAN_VIDEO_REQUEST_SIZE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WAN_VIDEO_REQUEST_SIZE_VALUES!r}")
