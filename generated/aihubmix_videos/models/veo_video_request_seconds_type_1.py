from typing import Literal

VeoVideoRequestSecondsType1 = Literal[4, 5, 6, 7, 8]

VEO_VIDEO_REQUEST_SECONDS_TYPE_1_VALUES: set[VeoVideoRequestSecondsType1] = {
    4,
    5,
    6,
    7,
    8,
}


def check_veo_video_request_seconds_type_1(value: int) -> VeoVideoRequestSecondsType1:
    if value in VEO_VIDEO_REQUEST_SECONDS_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VEO_VIDEO_REQUEST_SECONDS_TYPE_1_VALUES!r}")
