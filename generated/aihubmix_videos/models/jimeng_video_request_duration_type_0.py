from typing import Literal

JimengVideoRequestDurationType0 = Literal["10", "5"]

JIMENG_VIDEO_REQUEST_DURATION_TYPE_0_VALUES: set[JimengVideoRequestDurationType0] = {
    "10",
    "5",
}


def check_jimeng_video_request_duration_type_0(value: str) -> JimengVideoRequestDurationType0:
    if value in JIMENG_VIDEO_REQUEST_DURATION_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JIMENG_VIDEO_REQUEST_DURATION_TYPE_0_VALUES!r}")
