"""The audit against hostile servers: a violation or a clear abort, reports written, bounded
memory (peak RSS of the audit process and its fuzzer) and time, no key anywhere.

Each audit runs the quick profile as a subprocess; the longer variants are marked `slow`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.hostile import (
    Connection,
    Measured,
    Seen,
    behind_a_cdn,
    empty_asset,
    endless_chunked,
    gzip_bomb,
    gzipped_asset,
    hostile,
    huge_asset,
    huge_json,
    is_content,
    is_retrieve,
    run_measured,
    silent,
    trickle,
)
from videos_contract.audit.proxy import DEFAULT_MAX_MEDIA
from videos_contract.mock import MockServer

RSS_LIMIT_MIB = 300
# schemathesis in its own process: about 290 MiB against any server, hostile or not (the relay
# bounds what it is given); its limit has the same margin over what it needs as the audit's.
FUZZER_RSS_LIMIT_MIB = 450


def _audit(
    url: str,
    key: str,
    reports: Path,
    *extra: str,
    timeout: float = 240.0,
    tmpdir: Path | None = None,
) -> Measured:
    args = ["audit", "--profile", "quick", "--url", url, "--report-dir", str(reports), *extra]
    env = {"VIDEOS_API_KEY": key}
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    result = run_measured(args, env, timeout=timeout)
    for path in reports.rglob("*"):
        if path.is_file():
            result.files[str(path.relative_to(reports))] = path.read_text(errors="replace")
    return result


def _checked(
    result: Measured, mock: MockServer, record: Callable[..., None], behaviour: str
) -> None:
    lines = [line for line in result.output.splitlines() if line.strip()]
    record(
        target="audit --profile quick",
        behaviour=behaviour,
        exit=result.code,
        seconds=round(result.seconds, 2),
        rss_mib=round(result.rss_mib, 1),
        fuzzer_rss_mib=round(result.child_rss_mib, 1),
        message=lines[-1][:160] if lines else "",
    )
    assert result.rss_mib < RSS_LIMIT_MIB, result.rss_mib
    assert result.child_rss_mib < FUZZER_RSS_LIMIT_MIB, result.child_rss_mib
    assert "Traceback" not in result.output
    assert mock.key not in result.output
    for name, text in result.files.items():
        assert mock.key not in text, name


def _violations(result: Measured) -> list[dict[str, Any]]:
    summary = json.loads(result.files["summary.json"])
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "at_fault" in node and "actual" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(summary)
    return found


def test_gzip_bomb_on_content(mock: MockServer, tmp_path: Path, record: Any) -> None:
    rule = lambda seen: gzip_bomb if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path)
        sent = server.sent
    _checked(result, mock, record, "/content answers a gzip bomb (5 GiB inflated)")
    assert result.code == 1
    assert any("Content-Encoding 'gzip'" in v["actual"] for v in _violations(result))
    assert sent < 16 * 1024 * 1024, "the relay never read the bomb"


def test_a_huge_media_body_streams_through_and_is_cut_at_the_cap(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    """A 300 MiB MP4 (a real head, then zeros, no Content-Length) passes through the relay and
    the check chunk by chunk: the audit's memory grows by far less than the media cap, the body
    is cut at the cap as a violation, and no temporary file is left behind."""
    size = 300 * 1024 * 1024
    baseline_tmp, huge_tmp = tmp_path / "tmp-baseline", tmp_path / "tmp-huge"
    baseline_tmp.mkdir()
    huge_tmp.mkdir()
    with hostile(mock.url, lambda seen: None) as server:
        baseline = _audit(server.url, mock.key, tmp_path / "baseline", tmpdir=baseline_tmp)

    def rule(seen: Seen) -> Any:
        return huge_asset(size) if is_content(seen) and "variant=video" in seen.query else None

    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path / "huge", tmpdir=huge_tmp)
        sent = server.sent
    _checked(result, mock, record, "/content answers a 300 MiB MP4 (close-delimited)")
    growth = result.rss_mib - baseline.rss_mib
    record(target="audit --profile quick", behaviour="same, baseline", rss_mib=baseline.rss_mib)
    assert baseline.code == 0, baseline.output
    assert growth < 64, f"{result.rss_mib:.0f} MiB against {baseline.rss_mib:.0f} MiB"
    assert sent > DEFAULT_MAX_MEDIA, "the body went through up to the cap"
    assert result.code == 1
    cut = [v for v in _violations(result) if f"passed {DEFAULT_MAX_MEDIA} bytes" in v["actual"]]
    assert cut and "still coming" in cut[0]["actual"]
    assert "content is real mp4 matching size and seconds" in [v["title"] for v in cut]
    assert not list(huge_tmp.iterdir()) and not list(baseline_tmp.iterdir())


@pytest.mark.slow
def test_a_large_media_body_under_the_cap_is_decoded_from_disk(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    """120 MiB (a real MP4, then zeros, its length declared) is under the cap: it streams to a
    file that the check decodes, and the audit's memory stays far below the body's size."""
    size = 120 * 1024 * 1024
    tmp = tmp_path / "tmp"
    tmp.mkdir()

    def rule(seen: Seen) -> Any:
        wanted = is_content(seen) and "variant=video" in seen.query
        return huge_asset(size, declared=True) if wanted else None

    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path / "reports", tmpdir=tmp)
    _checked(result, mock, record, "/content answers a 120 MiB MP4 (close-delimited)")
    assert result.rss_mib < size / (1024 * 1024), result.rss_mib
    assert result.code == 1
    found = {v["title"]: v for v in _violations(result)}
    # Read whole and decoded (the trailing zeros are past the movie): the MP4 check passes;
    # the byte-range check sees the mock's own 206 for a 15 kB asset.
    assert "content is real mp4 matching size and seconds" not in found, found
    assert f"/{size}" in found["content supports byte ranges"]["expected"]
    assert not list(tmp.iterdir())


def test_trickle_is_cut_by_the_deadline_and_reports_are_written(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    rule = lambda seen: trickle(1.0) if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path, "--deadline", "8")
    _checked(result, mock, record, "retrieve trickles one byte a second (--deadline 8)")
    assert result.code == 2
    assert "cut off: the audit's deadline of 8 s (--deadline)" in result.out
    assert "unknown_video_is_not_found" in result.files["summary.json"]
    assert {"summary.json", "junit.xml", "report.html"} <= set(result.files)
    summary = json.loads(result.files["summary.json"])
    assert (summary["verdict"], summary["exit_code"]) == ("cut short", 2), summary["verdict"]
    assert "deadline" in summary["reason"] and "<error" in result.files["junit.xml"]
    # The deadline, not the trickle's end (minutes away), stopped the run: the reports say it
    # cut the check off and left the rest not run; no clock is read here.
    assert "not run" in result.out and "fuzzing not run" in result.out


def test_a_server_that_never_answers_is_no_answer_not_unreachable(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    with hostile(None, lambda seen: silent) as server:
        result = _audit(server.url, mock.key, tmp_path, "--deadline", "3")
    _checked(result, mock, record, "accepts the connection, never answers (--deadline 3)")
    assert result.code == 2
    assert "no answer from" in result.err and "cannot reach" not in result.err
    assert result.err.count("\n") == 1
    summary = json.loads(result.files["summary.json"])  # the reports say why, too
    assert (summary["verdict"], summary["exit_code"]) == ("could not audit", 2)
    assert "no answer from" in summary["reason"]


def test_a_trickled_first_answer_is_too_slow(mock: MockServer, tmp_path: Path, record: Any) -> None:
    rule = lambda seen: trickle(1.0)  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path, "--deadline", "3")
    _checked(result, mock, record, "every answer trickles one byte a second (--deadline 3)")
    # Exit 2 with the slow-answer reason: the deadline ended the run, not the trickle's end.
    assert result.code == 2 and "answer too slow from" in result.err


def test_a_closed_port_is_cannot_reach(mock: MockServer, tmp_path: Path, record: Any) -> None:
    with hostile(None, lambda seen: silent) as server:
        url = server.url
    result = _audit(url, mock.key, tmp_path, "--deadline", "3")
    _checked(result, mock, record, "nothing listens on the port")
    assert result.code == 2 and "cannot reach" in result.err


@pytest.mark.slow
def test_content_redirected_to_another_origin(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    with behind_a_cdn(mock.url, mock.key) as (cdn, api):
        result = _audit(api.url, mock.key, tmp_path)
        heads = [s.raw_head.lower() for s in cdn.seen]
    _checked(result, mock, record, "/content 302 to another origin")
    assert "redirect followed: GET /v1/videos/" in result.out
    assert heads and all(b"authorization" not in h and mock.key.encode() not in h for h in heads)
    failed = {v.get("check") for v in _violations(result)}
    assert not {c for c in failed if c and c.startswith("content")}, failed


@pytest.mark.slow
def test_two_gigabyte_json_on_retrieve(mock: MockServer, tmp_path: Path, record: Any) -> None:
    rule = lambda seen: huge_json if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path)
    _checked(result, mock, record, "retrieve answers a 2 GB JSON body")
    assert result.code == 1
    assert any("declares 2147483648 bytes" in v["actual"] for v in _violations(result))


@pytest.mark.slow
def test_endless_chunked_retrieve(mock: MockServer, tmp_path: Path, record: Any) -> None:
    rule = lambda seen: endless_chunked if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path)
    _checked(result, mock, record, "retrieve answers an endless chunked body")
    assert result.code == 1
    assert any("still coming" in v["actual"] for v in _violations(result))


@pytest.mark.slow
def test_unrequested_gzip_on_content(mock: MockServer, tmp_path: Path, record: Any) -> None:
    rule = lambda seen: gzipped_asset if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path)
    _checked(result, mock, record, "/content gzip-encoded although identity asked")
    assert result.code == 1
    assert any("Content-Encoding 'gzip'" in v["actual"] for v in _violations(result))


@pytest.mark.slow
def test_empty_content_asks_no_impossible_range(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    rule = lambda seen: empty_asset if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path)
        ranges = [s.headers.get("range", "") for s in server.requests_to("/content")]
    _checked(result, mock, record, "/content answers an empty body")
    assert result.code == 1
    assert not [r for r in ranges if "--" in r], ranges
    assert "the asset is empty" in result.out


@pytest.mark.slow
def test_ignored_auth_reproduction_shows_the_accepted_credentials(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    def any_key(seen: Seen) -> Any:
        async def behaviour(conn: Connection) -> None:
            if "authorization" not in seen.headers:
                error = {"error": {"message": "no key", "type": "x", "param": None, "code": "k"}}
                body = json.dumps(error).encode()
                await conn.answer(401, {"content-type": "application/json"}, body)
                return
            conn.seen.headers["authorization"] = f"Bearer {mock.key}"
            await conn.relay()

        return behaviour

    with hostile(mock.url, any_key) as server:
        result = _audit(server.url, mock.key, tmp_path)
    _checked(result, mock, record, "any credentials accepted (a missing key refused)")
    assert result.code == 1
    wrong = [v for v in _violations(result) if "wrong key" in v.get("at_fault", "")]
    assert wrong, "the behaviour check reports the wrong key accepted"
    shown = [line for line in result.out.splitlines() if "reproduce:" in line]
    accepted = [line for line in shown if "authorization: bearer wrong-" in line.lower()]
    assert accepted, shown
    assert all("$VIDEOS_API_KEY" not in line for line in accepted)
    # The fuzzer's own finding shows what it sent, never the key variable in its place.
    for violation in _violations(result):
        if violation.get("check") == "ignored_auth":
            assert "$VIDEOS_API_KEY" not in json.dumps(violation), violation
