from typing import Literal

SeedanceReferenceRole = Literal["first_frame", "last_frame", "reference_audio", "reference_image", "reference_video"]

SEEDANCE_REFERENCE_ROLE_VALUES: set[SeedanceReferenceRole] = {
    "first_frame",
    "last_frame",
    "reference_audio",
    "reference_image",
    "reference_video",
}


def check_seedance_reference_role(value: str) -> SeedanceReferenceRole:
    if value in SEEDANCE_REFERENCE_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_REFERENCE_ROLE_VALUES!r}")
