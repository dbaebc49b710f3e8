from typing import Literal

DashScopeVideoCreateModel = Literal["happyhorse-1.0-i2v", "happyhorse-1.0-t2v"]

DASH_SCOPE_VIDEO_CREATE_MODEL_VALUES: set[DashScopeVideoCreateModel] = {
    "happyhorse-1.0-i2v",
    "happyhorse-1.0-t2v",
}


def check_dash_scope_video_create_model(value: str) -> DashScopeVideoCreateModel:
    if value in DASH_SCOPE_VIDEO_CREATE_MODEL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DASH_SCOPE_VIDEO_CREATE_MODEL_VALUES!r}")
