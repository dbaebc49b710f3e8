from typing import Literal

DashScopeMediaType = Literal["first_frame"]

DASH_SCOPE_MEDIA_TYPE_VALUES: set[DashScopeMediaType] = {
    "first_frame",
}


def check_dash_scope_media_type(value: str) -> DashScopeMediaType:
    if value in DASH_SCOPE_MEDIA_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DASH_SCOPE_MEDIA_TYPE_VALUES!r}")
