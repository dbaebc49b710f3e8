from typing import Literal

SeedanceVideoRequestModel = Literal[
    "doubao-seedance-1-0-pro-250528",
    "doubao-seedance-1-0-pro-fast-251015",
    "doubao-seedance-1-5-pro-251215",
    "doubao-seedance-2-0-260128",
    "doubao-seedance-2-0-fast-260128",
]

SEEDANCE_VIDEO_REQUEST_MODEL_VALUES: set[SeedanceVideoRequestModel] = {
    "doubao-seedance-1-0-pro-250528",
    "doubao-seedance-1-0-pro-fast-251015",
    "doubao-seedance-1-5-pro-251215",
    "doubao-seedance-2-0-260128",
    "doubao-seedance-2-0-fast-260128",
}


def check_seedance_video_request_model(value: str) -> SeedanceVideoRequestModel:
    if value in SEEDANCE_VIDEO_REQUEST_MODEL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_VIDEO_REQUEST_MODEL_VALUES!r}")
