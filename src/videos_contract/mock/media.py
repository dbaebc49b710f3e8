"""Real assets for completed jobs: an H.264 MP4, a WebP thumbnail and a JPEG spritesheet.

Assets depend only on (size, seconds), so each is rendered once and cached; repeated
downloads cost a dictionary lookup. The clip is cheap on purpose (low frame rate, a moving
bar, the fastest x264 preset) but it is a genuine, decodable file of the job's frame size and
duration.
"""

from __future__ import annotations

import io
import threading
from functools import lru_cache
from typing import Any

import av
from PIL import Image, ImageDraw

__all__ = ["FPS", "RENDERED_MEDIA_TYPES", "fps_for", "render_asset"]

FPS = 8
# Frames larger than this are rendered at a proportionally lower frame rate (down to 1 fps),
# so a 1080p clip costs about as much as a 720p one and a 4k clip a few large frames: render
# time and memory stay bounded by about FPS frames of 1280x720 per second of clip.
_PIXEL_BUDGET = 1280 * 720
_SPRITE_COLUMNS = 4
_SPRITE_SCALE = 8

_render_lock = threading.Lock()
# PyAV ships this constructor without annotations.
_from_image: Any = av.VideoFrame.from_image


def _parse_size(size: str) -> tuple[int, int]:
    width, _, height = size.partition("x")
    return int(width), int(height)


def fps_for(width: int, height: int) -> int:
    """The frame rate a clip of this frame size is rendered at."""
    return max(1, min(FPS, FPS * _PIXEL_BUDGET // max(1, width * height)))


def _frame(width: int, height: int, index: int, count: int) -> Image.Image:
    """One frame: a bar crossing a dark background, with a frame counter stripe."""
    image = Image.new("RGB", (width, height), (18, 28, 58))
    draw = ImageDraw.Draw(image)
    bar = max(2, width // 8)
    x = int((width - bar) * index / max(1, count - 1))
    draw.rectangle(
        (x, height // 3, x + bar, height // 3 + max(2, height // 8)), fill=(240, 180, 40)
    )
    stripe = int(width * (index + 1) / count)
    draw.rectangle((0, height - max(2, height // 40), stripe, height), fill=(90, 200, 160))
    return image


def _render_video(width: int, height: int, seconds: int) -> bytes:
    fps = fps_for(width, height)
    count = max(1, seconds * fps)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "40"}
        for index in range(count):
            frame = _from_image(_frame(width, height, index, count))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def _render_thumbnail(width: int, height: int, seconds: int) -> bytes:
    count = max(1, seconds * fps_for(width, height))
    buffer = io.BytesIO()
    _frame(width, height, count // 2, count).save(buffer, format="WEBP", quality=60)
    return buffer.getvalue()


def _render_spritesheet(width: int, height: int, seconds: int) -> bytes:
    """One tile per second of the clip, in rows of `_SPRITE_COLUMNS`."""
    fps = fps_for(width, height)
    count = max(1, seconds * fps)
    tiles = max(1, seconds)
    tile_w, tile_h = max(1, width // _SPRITE_SCALE), max(1, height // _SPRITE_SCALE)
    columns = min(_SPRITE_COLUMNS, tiles)
    rows = -(-tiles // columns)
    sheet = Image.new("RGB", (tile_w * columns, tile_h * rows))
    for tile in range(tiles):
        frame = _frame(width, height, tile * fps, count).resize((tile_w, tile_h))
        sheet.paste(frame, ((tile % columns) * tile_w, (tile // columns) * tile_h))
    buffer = io.BytesIO()
    sheet.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


# The encoders this module has. Which variant is served as which media type is the spec's
# (`x-media-types` of ContentVariant); the service checks at start-up that each is here.
_RENDERERS = {
    "video/mp4": _render_video,
    "image/webp": _render_thumbnail,
    "image/jpeg": _render_spritesheet,
}
RENDERED_MEDIA_TYPES = frozenset(_RENDERERS)


@lru_cache(maxsize=64)
def _cached(media_type: str, size: str, seconds: int) -> bytes:
    width, height = _parse_size(size)
    return _RENDERERS[media_type](width, height, seconds)


def render_asset(media_type: str, size: str, seconds: str) -> bytes:
    """An asset of `media_type` for a job of `size` (`WxH`) and `seconds`, rendered at most once.

    Renders are serialised so that concurrent first downloads do not encode the same clip
    twice on a small machine.
    """
    if media_type not in _RENDERERS:
        raise ValueError(f"no renderer for media type {media_type!r}")
    with _render_lock:
        return _cached(media_type, size, int(seconds))
