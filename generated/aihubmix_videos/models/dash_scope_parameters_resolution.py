from typing import Literal

DashScopeParametersResolution = Literal["1080P", "720P"]

DASH_SCOPE_PARAMETERS_RESOLUTION_VALUES: set[DashScopeParametersResolution] = {
    "1080P",
    "720P",
}


def check_dash_scope_parameters_resolution(value: str) -> DashScopeParametersResolution:
    if value in DASH_SCOPE_PARAMETERS_RESOLUTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DASH_SCOPE_PARAMETERS_RESOLUTION_VALUES!r}")
