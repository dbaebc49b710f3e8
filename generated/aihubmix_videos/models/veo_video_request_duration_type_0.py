from typing import Literal

VeoVideoRequestDurationType0 = Literal["4", "5", "6", "7", "8"]

VEO_VIDEO_REQUEST_DURATION_TYPE_0_VALUES: set[VeoVideoRequestDurationType0] = {
    "4",
    "5",
    "6",
    "7",
    "8",
}


def check_veo_video_request_duration_type_0(value: str) -> VeoVideoRequestDurationType0:
    if value in VEO_VIDEO_REQUEST_DURATION_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VEO_VIDEO_REQUEST_DURATION_TYPE_0_VALUES!r}")
