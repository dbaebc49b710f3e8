"""What the checks send: the prompt of their creates, reference images (real PNGs)."""

from __future__ import annotations

import base64
import io

__all__ = ["PROMPT", "reference_data_url", "reference_png"]


PROMPT = "A paper boat drifting down a rain-filled gutter."


def reference_png(size: str) -> bytes:
    """A plain PNG of `WxH` pixels (Pillow, loaded only when an image is sent)."""
    from PIL import Image

    width, _, height = size.partition("x")
    buffer = io.BytesIO()
    Image.new("RGB", (int(width), int(height)), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def reference_data_url(size: str) -> str:
    """A reference image of `WxH` pixels as the `data:` URL a JSON create carries."""
    return "data:image/png;base64," + base64.b64encode(reference_png(size)).decode()
