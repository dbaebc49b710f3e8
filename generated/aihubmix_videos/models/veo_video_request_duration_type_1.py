from typing import Literal

VeoVideoRequestDurationType1 = Literal[4, 5, 6, 7, 8]

VEO_VIDEO_REQUEST_DURATION_TYPE_1_VALUES: set[VeoVideoRequestDurationType1] = {
    4,
    5,
    6,
    7,
    8,
}


def check_veo_video_request_duration_type_1(value: int) -> VeoVideoRequestDurationType1:
    if value in VEO_VIDEO_REQUEST_DURATION_TYPE_1_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VEO_VIDEO_REQUEST_DURATION_TYPE_1_VALUES!r}")
