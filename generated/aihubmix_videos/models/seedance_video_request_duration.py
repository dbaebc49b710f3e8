from typing import Literal

SeedanceVideoRequestDuration = Literal[-1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

SEEDANCE_VIDEO_REQUEST_DURATION_VALUES: set[SeedanceVideoRequestDuration] = {
    -1,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
}


def check_seedance_video_request_duration(value: int) -> SeedanceVideoRequestDuration:
    if value in SEEDANCE_VIDEO_REQUEST_DURATION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_VIDEO_REQUEST_DURATION_VALUES!r}")
