from typing import Literal

JimengVideoRequestSecondsType0 = Literal["10", "5"]

JIMENG_VIDEO_REQUEST_SECONDS_TYPE_0_VALUES: set[JimengVideoRequestSecondsType0] = {
    "10",
    "5",
}


def check_jimeng_video_request_seconds_type_0(value: str) -> JimengVideoRequestSecondsType0:
    if value in JIMENG_VIDEO_REQUEST_SECONDS_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JIMENG_VIDEO_REQUEST_SECONDS_TYPE_0_VALUES!r}")
