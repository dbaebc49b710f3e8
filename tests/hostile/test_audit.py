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
    empty_asset,
    endless_chunked,
    gzip_bomb,
    gzipped_asset,
    hostile,
    huge_json,
    is_content,
    is_retrieve,
    run_measured,
    silent,
    trickle,
)
from videos_contract.mock import MockServer

RSS_LIMIT_MIB = 300
# schemathesis in its own process: about 290 MiB against any server, hostile or not (the relay
# bounds what it is given); its limit has the same margin over what it needs as the audit's.
FUZZER_RSS_LIMIT_MIB = 450


def _audit(url: str, key: str, reports: Path, *extra: str, timeout: float = 240.0) -> Measured:
    args = ["audit", "--profile", "quick", "--url", url, "--report-dir", str(reports), *extra]
    result = run_measured(args, {"VIDEOS_API_KEY": key}, timeout=timeout)
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
    assert "not run" in result.out and "fuzzing not run" in result.out
    assert result.seconds < 2 * 8 + 10, "twice the deadline, plus the interpreter's start"


def test_a_server_that_never_answers_is_no_answer_not_unreachable(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    with hostile(None, lambda seen: silent) as server:
        result = _audit(server.url, mock.key, tmp_path, "--deadline", "3")
    _checked(result, mock, record, "accepts the connection, never answers (--deadline 3)")
    assert result.code == 2
    assert "no answer from" in result.err and "cannot reach" not in result.err
    assert result.err.count("\n") == 1


def test_a_trickled_first_answer_is_too_slow(mock: MockServer, tmp_path: Path, record: Any) -> None:
    rule = lambda seen: trickle(1.0)  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _audit(server.url, mock.key, tmp_path, "--deadline", "3")
    _checked(result, mock, record, "every answer trickles one byte a second (--deadline 3)")
    assert result.code == 2 and "answer too slow from" in result.err
    assert result.seconds < 2 * 3 + 10


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
    def cdn_rule(seen: Seen) -> Any:
        async def serve(conn: Connection) -> None:
            conn.seen.path = conn.seen.path.removeprefix("/cdn")
            up = await conn.upstream(headers={"authorization": f"Bearer {mock.key}"})
            await conn.answer(up.status, up.headers, up.body)

        return serve

    def api_rule(seen: Seen) -> Any:
        if not is_content(seen):
            return None

        async def redirect(conn: Connection) -> None:
            query = f"?{seen.query}" if seen.query else ""
            await conn.answer(302, {"location": f"{cdn.url}/cdn{seen.path}{query}"}, b"")

        return redirect

    with hostile(mock.url, cdn_rule) as cdn, hostile(mock.url, api_rule) as api:
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
