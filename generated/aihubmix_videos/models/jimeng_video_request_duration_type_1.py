from typing import Literal

JimengVideoRequestDurationType1 = Literal[5, 10]

JIMENG_VIDEO_REQUEST_DURATION_TYPE_1_VALUES: set[JimengVideoRequestDurationType1] = {
    5,
    10,
}


def check_jimeng_video_request_duration_type_1(value: int) -> JimengVideoRequestDurationType1:
    if value in JIMENG_VIDEO_REQUEST_DURATION_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JIMENG_VIDEO_REQUEST_DURATION_TYPE_1_VALUES!r}")
