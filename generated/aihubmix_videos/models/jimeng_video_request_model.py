from typing import Literal

JimengVideoRequestModel = Literal["jimeng-3.0-1080p", "jimeng-3.0-pro"]

JIMENG_VIDEO_REQUEST_MODEL_VALUES: set[JimengVideoRequestModel] = {
    "jimeng-3.0-1080p",
    "jimeng-3.0-pro",
}


def check_jimeng_video_request_model(value: str) -> JimengVideoRequestModel:
    if value in JIMENG_VIDEO_REQUEST_MODEL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JIMENG_VIDEO_REQUEST_MODEL_VALUES!r}")
