from typing import Literal

DashScopeParametersAspectRatio = Literal["16:9", "1:1", "3:4", "4:3", "9:16"]

DASH_SCOPE_PARAMETERS_ASPECT_RATIO_VALUES: set[DashScopeParametersAspectRatio] = {
    "16:9",
    "1:1",
    "3:4",
    "4:3",
    "9:16",
}


def check_dash_scope_parameters_aspect_ratio(value: str) -> DashScopeParametersAspectRatio:
    if value in DASH_SCOPE_PARAMETERS_ASPECT_RATIO_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DASH_SCOPE_PARAMETERS_ASPECT_RATIO_VALUES!r}")
