from typing import Literal

JimengVideoRequestSecondsType1 = Literal[5, 10]

JIMENG_VIDEO_REQUEST_SECONDS_TYPE_1_VALUES: set[JimengVideoRequestSecondsType1] = {
    5,
    10,
}


def check_jimeng_video_request_seconds_type_1(value: int) -> JimengVideoRequestSecondsType1:
    if value in JIMENG_VIDEO_REQUEST_SECONDS_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JIMENG_VIDEO_REQUEST_SECONDS_TYPE_1_VALUES!r}")
