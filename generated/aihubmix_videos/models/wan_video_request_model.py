from typing import Literal

WanVideoRequestModel = Literal[
    "wan2.2-i2v-plus",
    "wan2.2-t2v-plus",
    "wan2.5-i2v-preview",
    "wan2.5-t2v-preview",
    "wan2.6-i2v",
    "wan2.6-t2v",
    "wan2.7-i2v",
    "wan2.7-r2v",
    "wan2.7-t2v",
    "wan2.7-videoedit",
]

WAN_VIDEO_REQUEST_MODEL_VALUES: set[WanVideoRequestModel] = {
    "wan2.2-i2v-plus",
    "wan2.2-t2v-plus",
    "wan2.5-i2v-preview",
    "wan2.5-t2v-preview",
    "wan2.6-i2v",
    "wan2.6-t2v",
    "wan2.7-i2v",
    "wan2.7-r2v",
    "wan2.7-t2v",
    "wan2.7-videoedit",
}


def check_wan_video_request_model(value: str) -> WanVideoRequestModel:
    if value in WAN_VIDEO_REQUEST_MODEL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WAN_VIDEO_REQUEST_MODEL_VALUES!r}")
