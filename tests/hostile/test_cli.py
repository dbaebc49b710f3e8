"""The video commands against hostile servers: one line and exit 1, bounded memory and time,
no key in any output, and no server-chosen escape sequence reaching the terminal.

Commands run as subprocesses (as users run them) so that their peak RSS is their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.hostile import (
    EVIL,
    Connection,
    Measured,
    Seen,
    behind_a_cdn,
    completed_video,
    cut_halfway,
    endless_chunked,
    escapes,
    gzip_bomb,
    gzipped_asset,
    hostile,
    huge_json,
    is_content,
    is_retrieve,
    list_cycle,
    run_measured,
    silent,
    trickle,
    unsafe_characters,
)
from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import MockServer

# `create` names its model (none is defaulted): the default family's first, whose
# multipart form these tests exercise.
MODEL = families().default_family.models[0]

RSS_LIMIT_MIB = 300


def _cli(url: str, mock: MockServer, *args: str, timeout: float = 120.0) -> Measured:
    env = {"VIDEOS_API_URL": url, "VIDEOS_API_KEY": mock.key}
    return run_measured(list(args), env, timeout=timeout)


def _bounded(result: Measured, mock: MockServer, record: Callable[..., None], **what: Any) -> None:
    record(
        target="CLI",
        exit=result.code,
        seconds=round(result.seconds, 2),
        rss_mib=round(result.rss_mib, 1),
        message=result.err.strip().splitlines()[-1][:160] if result.err.strip() else "",
        **what,
    )
    assert result.rss_mib < RSS_LIMIT_MIB, result
    assert mock.key not in result.output
    assert "Traceback" not in result.output


def test_get_of_a_two_gigabyte_body(mock: MockServer, record: Callable[..., None]) -> None:
    rule = lambda seen: huge_json if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "get", "video_x")
    _bounded(result, mock, record, behaviour="retrieve answers a 2 GB JSON body")
    assert result.code == 1 and "declares 2147483648 bytes" in result.err
    assert result.err.count("\n") == 1


@pytest.mark.slow
def test_get_of_an_endless_chunked_body(mock: MockServer, record: Callable[..., None]) -> None:
    rule = lambda seen: endless_chunked if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "get", "video_x")
        sent = server.sent
    _bounded(result, mock, record, behaviour="retrieve answers an endless chunked body")
    assert result.code == 1 and "was cut off" in result.err
    assert sent < 64 * 1024 * 1024


def test_get_of_a_trickle(mock: MockServer, record: Callable[..., None]) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: trickle(1.0) if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "get", video_id, "--call-timeout", "3")
    _bounded(result, mock, record, behaviour="retrieve trickles one byte a second")
    # The call deadline's error, not the trickle's end (minutes away), ended the command.
    assert result.code == 1 and "within 3 s (the server is too slow)" in result.err


@pytest.mark.slow
def test_get_of_a_server_that_never_answers(mock: MockServer, record: Callable[..., None]) -> None:
    rule = lambda seen: silent if is_retrieve(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "get", "video_x", "--call-timeout", "2")
    _bounded(result, mock, record, behaviour="accepts the connection, never answers")
    assert result.code == 1 and "no answer within 2 s" in result.err


def test_download_of_a_gzip_bomb(mock: MockServer, tmp_path: Path, record: Any) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: gzip_bomb if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "download", video_id, "-o", str(tmp_path / "c.mp4"))
        sent = server.sent
    _bounded(result, mock, record, behaviour="/content answers a gzip bomb (5 GiB inflated)")
    assert result.code == 1 and "Content-Encoding 'gzip'" in result.err
    assert sent < 4 * 1024 * 1024 and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_download_of_unrequested_gzip(mock: MockServer, tmp_path: Path, record: Any) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: gzipped_asset if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "download", video_id, "-o", str(tmp_path / "c.mp4"))
    _bounded(result, mock, record, behaviour="/content gzip-encoded although identity asked")
    assert result.code == 1 and "Content-Encoding 'gzip'" in result.err
    assert list(tmp_path.iterdir()) == []


def test_download_cut_halfway_without_length(mock: MockServer, tmp_path: Path, record: Any) -> None:
    video_id = completed_video(mock)
    rule = lambda seen: cut_halfway(0.5) if is_content(seen) else None  # noqa: E731
    with hostile(mock.url, rule) as server:
        result = _cli(server.url, mock, "download", video_id, "-o", str(tmp_path / "c.mp4"))
    _bounded(result, mock, record, behaviour="/content close-delimited, cut halfway")
    assert result.code == 1 and "kept as" in result.err and "saved" not in result.out
    assert not (tmp_path / "c.mp4").exists() and (tmp_path / "c.mp4.part").exists()


@pytest.mark.slow
def test_download_redirected_to_another_origin(
    mock: MockServer, tmp_path: Path, record: Any
) -> None:
    video_id = completed_video(mock)

    with behind_a_cdn(mock.url, mock.key) as (cdn, api):
        result = _cli(api.url, mock, "download", video_id, "-o", str(tmp_path / "c.mp4"))
        heads = [s.raw_head.lower() for s in cdn.seen]
    _bounded(result, mock, record, behaviour="/content 302 to another origin")
    assert result.code == 0 and "saved" in result.out
    assert heads and all(b"authorization" not in h and mock.key.encode() not in h for h in heads)


def test_list_all_with_cycling_cursors(mock: MockServer, record: Callable[..., None]) -> None:
    with hostile(mock.url, list_cycle) as server:
        result = _cli(server.url, mock, "list", "--all")
        requests = len(server.seen)
    _bounded(result, mock, record, behaviour="list cursors cycle A, B, A, B")
    assert result.code == 1 and "loop" in result.err
    assert result.out.splitlines()[0].startswith("video_A"), "streamed before the error"
    assert requests == 3


# --- terminal escapes, in-process: every command's readable output ---------------------------


@pytest.fixture
def evil_server(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    with hostile(mock.url, escapes) as server:
        monkeypatch.setenv("VIDEOS_API_URL", server.url)
        monkeypatch.setenv("VIDEOS_API_KEY", mock.key)
        yield server


def _breaker(field: str) -> Any:
    def rule(seen: Seen) -> Any:
        if not is_retrieve(seen):
            return None

        async def behaviour(conn: Connection) -> None:
            up = await conn.upstream()
            data = json.loads(up.body)
            data[field] = EVIL
            await conn.answer(up.status, up.headers, json.dumps(data).encode())

        return behaviour

    return rule


def test_every_command_prints_server_strings_defused(
    mock: MockServer, evil_server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = completed_video(mock)
    victim = completed_video(mock)
    commands = [
        ["get", source],
        ["list"],
        ["list", "--all"],
        ["create", "--model", MODEL, "--prompt", "a fox"],
        ["remix", source, "--prompt", "at night"],
        ["delete", victim],
        ["get", "video_unknown"],  # an error line: code, message and param
        ["download", "video_unknown", "-o", str(tmp_path / "x.mp4")],
    ]
    for argv in commands:
        main(argv)
        out, err = capsys.readouterr()
        assert EVIL not in out + err
        assert unsafe_characters(out + err) == set(), (argv, out, err)
        assert "\\x1b]0;pwned\\x07" in out + err, f"{argv}: the sequence is shown, defused"
        assert mock.key not in out + err


# `model` of a Video is an open string (gateways report snapshot names): shown, defused;
# `status` is an enum: the answer is refused, and the error line quotes it, defused.
@pytest.mark.parametrize(("field", "code"), [("model", 0), ("status", 1)])
def test_a_field_full_of_escapes_is_shown_defused(
    mock: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    field: str,
    code: int,
) -> None:
    video_id = completed_video(mock)
    with hostile(mock.url, _breaker(field)) as server:
        monkeypatch.setenv("VIDEOS_API_URL", server.url)
        monkeypatch.setenv("VIDEOS_API_KEY", mock.key)
        assert main(["get", video_id]) == code
    out, err = capsys.readouterr()
    assert unsafe_characters(out + err) == set() and "\\x1b[2J" in out + err
    if code:
        assert "breaks the Video schema" in err
