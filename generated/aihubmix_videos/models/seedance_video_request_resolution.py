from typing import Literal

SeedanceVideoRequestResolution = Literal["1080p", "480p", "720p"]

SEEDANCE_VIDEO_REQUEST_RESOLUTION_VALUES: set[SeedanceVideoRequestResolution] = {
    "1080p",
    "480p",
    "720p",
}


def check_seedance_video_request_resolution(value: str) -> SeedanceVideoRequestResolution:
    if value in SEEDANCE_VIDEO_REQUEST_RESOLUTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_VIDEO_REQUEST_RESOLUTION_VALUES!r}")
