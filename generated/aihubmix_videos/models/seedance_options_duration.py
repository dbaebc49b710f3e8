from typing import Literal

SeedanceOptionsDuration = Literal[-1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

SEEDANCE_OPTIONS_DURATION_VALUES: set[SeedanceOptionsDuration] = {
    -1,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
}


def check_seedance_options_duration(value: int) -> SeedanceOptionsDuration:
    if value in SEEDANCE_OPTIONS_DURATION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEEDANCE_OPTIONS_DURATION_VALUES!r}")
