from typing import Literal

VeoVideoRequestSize = Literal["1080p", "1080x1920", "1280x720", "1920x1080", "4k", "720p", "720x1280"]

VEO_VIDEO_REQUEST_SIZE_VALUES: set[VeoVideoRequestSize] = {
    "1080p",
    "1080x1920",
    "1280x720",
    "1920x1080",
    "4k",
    "720p",
    "720x1280",
}


def check_veo_video_request_size(value: str) -> VeoVideoRequestSize:
    if value in VEO_VIDEO_REQUEST_SIZE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VEO_VIDEO_REQUEST_SIZE_VALUES!r}")
