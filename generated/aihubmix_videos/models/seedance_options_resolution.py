from typing import Literal

SeedanceOptionsResolution = Literal["1080p", "480p", "720p"]

SEEDANCE_OPTIONS_RESOLUTION_VALUES: set[SeedanceOptionsResolution] = {
    "1080p",
    "480p",
    "720p",
}


def check_seedance_options_resolution(value: str) -> SeedanceOptionsResolution:
    if value in SEEDANCE_OPTIONS_RESOLUTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_OPTIONS_RESOLUTION_VALUES!r}")
