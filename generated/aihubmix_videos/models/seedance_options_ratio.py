from typing import Literal

SeedanceOptionsRatio = Literal["16:9", "1:1", "21:9", "3:4", "4:3", "9:16", "9:21", "adaptive"]

SEEDANCE_OPTIONS_RATIO_VALUES: set[SeedanceOptionsRatio] = {
    "16:9",
    "1:1",
    "21:9",
    "3:4",
    "4:3",
    "9:16",
    "9:21",
    "adaptive",
}


def check_seedance_options_ratio(value: str) -> SeedanceOptionsRatio:
    if value in SEEDANCE_OPTIONS_RATIO_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_OPTIONS_RATIO_VALUES!r}")
