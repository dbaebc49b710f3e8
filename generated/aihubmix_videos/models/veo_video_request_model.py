from typing import Literal

VeoVideoRequestModel = Literal[
    "veo-2.0-generate-001",
    "veo-3.0-generate-preview",
    "veo-3.1-fast-generate-preview",
    "veo-3.1-generate-preview",
    "veo-3.1-lite-generate-preview",
]

VEO_VIDEO_REQUEST_MODEL_VALUES: set[VeoVideoRequestModel] = {
    "veo-2.0-generate-001",
    "veo-3.0-generate-preview",
    "veo-3.1-fast-generate-preview",
    "veo-3.1-generate-preview",
    "veo-3.1-lite-generate-preview",
}


def check_veo_video_request_model(value: str) -> VeoVideoRequestModel:
    if value in VEO_VIDEO_REQUEST_MODEL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {VEO_VIDEO_REQUEST_MODEL_VALUES!r}")
