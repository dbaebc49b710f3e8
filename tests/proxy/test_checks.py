"""The proxy's checks on single exchanges: an MP4 against the job the proxy saw, and the live
line a violation prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from videos_contract.mock.media import render_asset
from videos_contract.proxy import Findings, TrafficChecker
from videos_contract.proxy.checks import Seen
from videos_contract.spec import load_spec

UPSTREAM = "http://127.0.0.1:9"


def _checker(lines: list[str]) -> TrafficChecker:
    return TrafficChecker(load_spec(), Findings(UPSTREAM, lines.append), UPSTREAM)


def _job(**fields: Any) -> dict[str, Any]:
    spec = load_spec()
    video: dict[str, Any] = dict(spec.raw["components"]["examples"]["CompletedVideo"]["value"])
    video.update(fields)
    return video


def _retrieved(checker: TrafficChecker, video: dict[str, Any]) -> None:
    seen = Seen(
        "GET",
        f"/v1/videos/{video['id']}",
        (("authorization", "Bearer ***"),),
        b"",
        200,
        (("content-type", "application/json"),),
    )
    checker.answer(seen, json.dumps(video).encode(), True)


def _asset(checker: TrafficChecker, video: dict[str, Any], path: Path) -> None:
    size = path.stat().st_size
    seen = Seen(
        "GET",
        f"/v1/videos/{video['id']}/content",
        (("authorization", "Bearer ***"),),
        b"",
        200,
        (("content-type", "video/mp4"), ("content-length", str(size))),
    )
    checker.asset(seen, path, size)


def test_mp4_of_another_frame_size_than_its_job(tmp_path: Path) -> None:
    spec = load_spec()
    asked, rendered = spec.enum("VideoSize")[:2]
    job = _job(size=asked)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(render_asset("video/mp4", rendered, str(job["seconds"])))
    lines: list[str] = []
    checker = _checker(lines)
    _retrieved(checker, job)
    _asset(checker, job, clip)
    (violation,) = checker.findings.violations
    assert violation.check == "content_is_real_mp4_matching_size_and_seconds"
    assert violation.at_fault.endswith("frame size")
    assert (violation.expected, violation.actual) == (f"{asked} (the job's size)", rendered)
    assert len(lines) == 1


def test_mp4_of_its_job_passes_and_an_unseen_job_is_noted(tmp_path: Path) -> None:
    job = _job()
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(render_asset("video/mp4", str(job["size"]), str(job["seconds"])))
    checker = _checker([])
    _asset(checker, job, clip)  # not seen yet: decoded, not compared
    _retrieved(checker, job)
    _asset(checker, job, clip)
    result = checker.findings.result()
    assert result.conformant
    assert any("not compared" in note for note in result.notes)


def test_live_line_shows_control_characters(tmp_path: Path) -> None:
    lines: list[str] = []
    checker = _checker(lines)
    _retrieved(checker, _job(status="\x1b]0;owned\x07completed"))
    (line,) = lines
    assert "\x1b" not in line and "\\x1b" in line
    assert line.startswith("✗ retrieveVideo · response_body_matches_schema: ")


def _failed_checks(checker: TrafficChecker) -> set[str]:
    return {v.check for v in checker.findings.violations}


def test_undocumented_status_bad_header_and_wrong_length_are_reported() -> None:
    checker = _checker([])
    job = _job()
    body = json.dumps(job).encode()
    path = f"/v1/videos/{job['id']}"
    auth = (("authorization", "Bearer ***"),)
    teapot = Seen("GET", path, auth, b"", 418, (("content-type", "application/json"),))
    checker.answer(teapot, body, True)
    poll = Seen(
        "GET",
        path,
        auth,
        b"",
        200,
        (
            ("content-type", "application/json"),
            ("openai-poll-after-ms", "soon"),
            ("content-length", str(len(body) + 5)),
        ),
    )
    checker.answer(poll, body, True)
    assert _failed_checks(checker) == {
        "status_is_documented",
        "response_headers_match_spec",
        "content_length_matches_body",
    }


def test_an_image_variant_of_another_type_is_reported(tmp_path: Path) -> None:
    job = _job()
    image = tmp_path / "thumb.jpg"
    image.write_bytes(render_asset("image/jpeg", str(job["size"]), str(job["seconds"])))
    checker = _checker([])
    seen = Seen(
        "GET",
        f"/v1/videos/{job['id']}/content?variant=thumbnail",
        (("authorization", "Bearer ***"),),
        b"",
        200,
        (("content-type", "image/webp"), ("content-length", str(image.stat().st_size))),
    )
    checker.asset(seen, image, image.stat().st_size)
    (violation,) = checker.findings.violations
    assert violation.check == "thumbnail_and_spritesheet_are_real_images"
    assert violation.actual == "a jpeg image"
