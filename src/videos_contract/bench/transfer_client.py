"""The client side of a transfer benchmark, alone in its process so that its peak RSS is its
own: `python -m videos_contract.bench.transfer_client JSON` prints one JSON line.

Operations: `upload` (the `create` helper with a file reference), `upload_raw` (raw httpx
sending the same multipart create with the file as a part, then `.json()`), `download` (the
`download` helper to a file), `stream_file` (raw httpx streaming the same body into a file,
then fsync: the fair baseline of `download`) and `stream` (raw httpx reading the same body and
dropping it: the ceiling of any client that uses httpx).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, cast

import httpx
from aihubmix_videos.models import VideoSize

from videos_contract.bench.apps import BENCH_VIDEO_ID
from videos_contract.bench.procs import cpu_seconds, peak_rss_kib
from videos_contract.bench.throughput import MODEL
from videos_contract.client import (
    ApiError,
    VideosClientError,
    connect,
    create,
    download,
    reference_from,
)

__all__ = ["main", "run_transfer"]

_PROMPT = "A red fox trotting through fresh snow at dawn."


def _upload(url: str, key: str, file: Path, size: str) -> dict[str, Any]:
    client = connect(url, key)
    before = peak_rss_kib()
    started = time.perf_counter()
    try:
        video = create(
            client,
            _PROMPT,
            model=MODEL,
            size=cast(VideoSize, size),
            reference=reference_from(file),
        )
        status, answer = 200, str(video.status)
    except ApiError as exc:
        status, answer = exc.status_code, str(exc.code)
    except VideosClientError as exc:
        # A server refusing a huge body early may close the connection while it is sent.
        status, answer = 0, type(exc).__name__
    return {
        "seconds": time.perf_counter() - started,
        "bytes": file.stat().st_size,
        "status": status,
        "answer": answer,
        "start_rss_kib": before,
    }


def _upload_raw(url: str, key: str, file: Path, size: str) -> dict[str, Any]:
    with httpx.Client(timeout=600.0, headers={"Authorization": f"Bearer {key}"}) as http:
        before = peak_rss_kib()
        started = time.perf_counter()
        with file.open("rb") as handle:
            response = http.post(
                f"{url}/v1/videos",
                data={"prompt": _PROMPT, "model": MODEL, "size": size},
                files={"input_reference": (file.name, handle, "image/png")},
            )
            answer = response.json()
        elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "bytes": file.stat().st_size,
        "status": response.status_code,
        "answer": str(answer.get("status") or answer.get("error", {}).get("code")),
        "start_rss_kib": before,
    }


def _stream_file(url: str, dest: Path) -> dict[str, Any]:
    with httpx.Client(timeout=60.0) as http:
        before = peak_rss_kib()
        started = time.perf_counter()
        received = 0
        with (
            http.stream("GET", f"{url}/v1/videos/{BENCH_VIDEO_ID}/content") as response,
            dest.open("wb") as handle,
        ):
            for chunk in response.iter_raw():
                handle.write(chunk)
                received += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        elapsed = time.perf_counter() - started
    dest.unlink()
    return {
        "seconds": elapsed,
        "bytes": received,
        "status": response.status_code,
        "start_rss_kib": before,
    }


def _download(url: str, key: str, dest: Path) -> dict[str, Any]:
    client = connect(url, key)
    before = peak_rss_kib()
    started = time.perf_counter()
    result = download(client, BENCH_VIDEO_ID, dest)
    elapsed = time.perf_counter() - started
    dest.unlink()
    return {"seconds": elapsed, "bytes": result.size, "status": 200, "start_rss_kib": before}


def _stream(url: str) -> dict[str, Any]:
    with httpx.Client(timeout=60.0) as http:
        before = peak_rss_kib()
        started = time.perf_counter()
        received = 0
        with http.stream("GET", f"{url}/v1/videos/{BENCH_VIDEO_ID}/content") as response:
            for chunk in response.iter_raw():
                received += len(chunk)
        elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "bytes": received,
        "status": response.status_code,
        "start_rss_kib": before,
    }


def run_transfer(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one operation described by `spec`; adds the process's peak RSS."""
    operation = spec["op"]
    if operation == "upload":
        result = _upload(spec["url"], spec["key"], Path(spec["file"]), spec["size"])
    elif operation == "upload_raw":
        result = _upload_raw(spec["url"], spec["key"], Path(spec["file"]), spec["size"])
    elif operation == "download":
        result = _download(spec["url"], spec["key"], Path(spec["dest"]))
    elif operation == "stream_file":
        result = _stream_file(spec["url"], Path(spec["dest"]))
    elif operation == "stream":
        result = _stream(spec["url"])
    else:
        raise ValueError(f"unknown transfer {operation!r}")
    return {**result, "peak_rss_kib": peak_rss_kib(), "cpu_seconds": cpu_seconds()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(json.dumps(run_transfer(json.loads(args[0]))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
