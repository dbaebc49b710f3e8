from typing import Literal

SeedanceReferenceType = Literal["audio_url", "image_url", "text", "video_url"]

SEEDANCE_REFERENCE_TYPE_VALUES: set[SeedanceReferenceType] = {
    "audio_url",
    "image_url",
    "text",
    "video_url",
}


def check_seedance_reference_type(value: str) -> SeedanceReferenceType:
    if value in SEEDANCE_REFERENCE_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_REFERENCE_TYPE_VALUES!r}")
