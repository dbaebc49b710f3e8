from typing import Literal

DashScopeParametersRatio = Literal["16:9", "1:1", "3:4", "4:3", "9:16"]

DASH_SCOPE_PARAMETERS_RATIO_VALUES: set[DashScopeParametersRatio] = {
    "16:9",
    "1:1",
    "3:4",
    "4:3",
    "9:16",
}


def check_dash_scope_parameters_ratio(value: str) -> DashScopeParametersRatio:
    if value in DASH_SCOPE_PARAMETERS_RATIO_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DASH_SCOPE_PARAMETERS_RATIO_VALUES!r}")
