from typing import Literal

InlineImageMimeType = Literal["image/jpeg", "image/png", "image/webp"]

INLINE_IMAGE_MIME_TYPE_VALUES: set[InlineImageMimeType] = {
    "image/jpeg",
    "image/png",
    "image/webp",
}


def check_inline_image_mime_type(value: str) -> InlineImageMimeType:
    if value in INLINE_IMAGE_MIME_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {INLINE_IMAGE_MIME_TYPE_VALUES!r}")
