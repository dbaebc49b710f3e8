from typing import Literal

VideoModel = Literal["sora-2", "sora-2-pro"]

VIDEO_MODEL_VALUES: set[VideoModel] = {
    "sora-2",
    "sora-2-pro",
}


def check_video_model(value: str) -> VideoModel:
    if value in VIDEO_MODEL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VIDEO_MODEL_VALUES!r}")
