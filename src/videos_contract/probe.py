"""Inspect downloaded media: is it really an MP4 / WebP / JPEG / PNG, and of what size?

The mock, the client tests and the audit all need the same answer to "is this asset what the
job promised", so the decoding lives here once. Videos are decoded frame by frame (not just
their headers read), so a truncated or corrupt file is caught.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

__all__ = ["MediaError", "MediaInfo", "probe_image", "probe_video"]

ImageFormat = Literal["webp", "jpeg", "png"]


class MediaError(ValueError):
    """The bytes are not a decodable file of the expected kind."""


@dataclass(frozen=True)
class MediaInfo:
    """What a media file really holds."""

    format: str
    codec: str
    width: int
    height: int
    duration: float = 0.0
    frames: int = 1

    @property
    def size(self) -> str:
        """`WIDTHxHEIGHT`, as the API writes sizes."""
        return f"{self.width}x{self.height}"


def _open(source: bytes | Path | IO[bytes]) -> IO[bytes]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return source.open("rb")
    return source


def probe_video(source: bytes | Path | IO[bytes]) -> MediaInfo:
    """Decode every frame of an MP4 and report its codec, frame size and duration."""
    # Imported where media is decoded: a command's `--help` loads no codec library.
    import av
    import av.error

    stream_in = _open(source)
    try:
        with av.open(stream_in, mode="r") as container:
            fmt = container.format.name
            if "mp4" not in fmt.split(","):
                raise MediaError(f"not an MP4 container (found {fmt})")
            if not container.streams.video:
                raise MediaError("MP4 has no video stream")
            stream = container.streams.video[0]
            frames = 0
            last_end = 0.0
            for frame in container.decode(stream):
                frames += 1
                if frame.pts is not None and frame.time_base is not None:
                    duration = frame.duration or 0
                    last_end = max(last_end, float((frame.pts + duration) * frame.time_base))
            if frames == 0:
                raise MediaError("MP4 video stream has no decodable frame")
            return MediaInfo(
                format="mp4",
                codec=stream.codec_context.name,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                duration=round(last_end, 3),
                frames=frames,
            )
    except av.error.FFmpegError as exc:
        raise MediaError(f"not a decodable MP4: {exc}") from exc
    finally:
        if isinstance(source, Path):
            stream_in.close()


def probe_image(source: bytes | Path | IO[bytes], *, decode: bool = True) -> MediaInfo:
    """Decode an image fully and report its format and pixel size; `decode=False` reads the
    header only (format and size, the pixels unchecked)."""
    from PIL import Image, UnidentifiedImageError

    stream_in = _open(source)
    try:
        with Image.open(stream_in) as img:
            fmt = (img.format or "").lower()
            if decode:
                img.load()
            return MediaInfo(format=fmt, codec=fmt, width=img.width, height=img.height)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"not a decodable image: {exc}") from exc
    finally:
        if isinstance(source, Path):
            stream_in.close()
