from typing import Literal

ContentVariant = Literal["spritesheet", "thumbnail", "video"]

CONTENT_VARIANT_VALUES: set[ContentVariant] = {
    "spritesheet",
    "thumbnail",
    "video",
}


def check_content_variant(value: str) -> ContentVariant:
    if value in CONTENT_VARIANT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CONTENT_VARIANT_VALUES!r}")
