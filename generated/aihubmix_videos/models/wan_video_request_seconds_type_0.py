from typing import Literal

WanVideoRequestSecondsType0 = Literal["10", "11", "12", "13", "14", "15", "2", "3", "4", "5", "6", "7", "8", "9"]

WAN_VIDEO_REQUEST_SECONDS_TYPE_0_VALUES: set[WanVideoRequestSecondsType0] = {
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
}


def check_wan_video_request_seconds_type_0(value: str) -> WanVideoRequestSecondsType0:
    if value in WAN_VIDEO_REQUEST_SECONDS_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WAN_VIDEO_REQUEST_SECONDS_TYPE_0_VALUES!r}")
