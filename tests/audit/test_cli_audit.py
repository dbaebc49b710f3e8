"""`videos-contract audit` as a user meets it: exit codes, reports, the key kept out of sight."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.audit.conftest import CountedMock
from videos_contract.audit.engine import REMOTE_MAX_CREATES, default_max_creates
from videos_contract.audit.serving import serve_in_thread
from videos_contract.cli import main
from videos_contract.mock import MockConfig, MockServer, create_app

SECRET = "sk-gateway-TopSecretAuditKey42"


def every_file(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_url_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    code = main(["audit", "--url", url, "--key", SECRET, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "cannot connect" in err and SECRET not in err
    _assert_reports_say(tmp_path, "could not audit", 2, "cannot connect")


def test_unknown_host_exits_2_at_once_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "http://no-such-host.invalid"
    code = main(["audit", "--url", url, "--key", SECRET, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "unknown host no-such-host.invalid" in err, err
    _assert_reports_say(tmp_path, "could not audit", 2, "unknown host")


def _assert_reports_say(folder: Path, verdict: str, code: int, reason: str) -> None:
    """All three reports are there, with the verdict the exit code gave and its reason."""
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    assert (summary["verdict"], summary["exit_code"]) == (verdict, code), summary
    assert reason in summary["reason"], summary["reason"]
    junit = (folder / "junit.xml").read_text("utf-8")
    html = (folder / "report.html").read_text("utf-8")
    if code == 2:
        assert 'errors="1"' in junit and reason in junit
        assert f"{verdict}: " in html
    assert reason in html or reason in summary["reason"]


def test_rejected_key_exits_2(
    counted_mock: CountedMock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with counted_mock() as (server, created):
        code = main(["audit", "--url", server.url, "--key", SECRET, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "key seems refused" in err and SECRET not in err
    assert err.count("\n") == 1 and "HTTP 401" in err
    assert created == []
    _assert_reports_say(tmp_path, "could not audit", 2, "the key seems refused")
    for path in every_file(tmp_path):
        assert SECRET.encode() not in path.read_bytes(), path


def _no_db(app: Any) -> Any:
    """A gateway whose key lookup fails: every authenticated request is 400 "No connected db."."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or b"authorization" not in dict(scope["headers"]):
            await app(scope, receive, send)
            return
        body = b'{"error": {"message": "No connected db.", "type": "auth_error"}}'
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def test_a_key_refused_with_400_is_one_reason_not_violations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = _no_db(create_app(MockConfig(render_seconds=0.1)))
    with serve_in_thread(app) as url:
        code = main(["audit", "--url", url, "--key", SECRET, "--report-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and "the key seems refused" in captured.err
    assert "No connected db." in captured.err and SECRET not in captured.err
    assert "violation" not in captured.out


def _same_without_key(app: Any) -> Any:
    """A server that answers every request, with a key or without, with the same 500."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        body = b'{"error": {"message": "upstream auth failed", "type": "server_error"}}'
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def test_a_key_answered_like_no_key_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with serve_in_thread(_same_without_key(create_app(MockConfig()))) as url:
        code = main(["audit", "--url", url, "--key", SECRET, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "key seems refused" in err and "without a key" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--url", "ftp://example.test", "--key", "k"],
        ["--url", "http://127.0.0.1:1"],  # a URL without any key
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIDEOS_API_KEY", raising=False)
    assert main(["audit", *args]) == 2
    assert "error:" in capsys.readouterr().err


def test_negative_max_creates_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--max-creates", "-1"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("url", ["", None])
def test_no_server_named_is_refused_in_one_line(
    url: str | None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `make audit` without URL= passes an empty string; a misspelt variable leaves it unset.
    monkeypatch.delenv("VIDEOS_API_URL", raising=False)
    if url is not None:
        monkeypatch.setenv("VIDEOS_API_URL", url)
    monkeypatch.setenv("VIDEOS_API_URLL", "http://127.0.0.1:1")  # the misspelling
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "--profile", "quick"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "VIDEOS_API_URL" in err and "--mock" in err, err
    assert out == "" and not (tmp_path / "reports").exists()


def test_mock_audits_the_embedded_mock_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VIDEOS_API_URL", "")
    monkeypatch.setenv("VIDEOS_API_KEY", "")
    monkeypatch.chdir(tmp_path)  # and a relative report folder, as `make audit` uses
    code = main(["audit", "--mock", "--profile", "quick"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Auditing the embedded mock at http://127.0.0.1:" in out
    assert (tmp_path / "reports" / "schemathesis" / "events.ndjson").exists()
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["verdict"] == "conformant" and summary["target"].startswith("http://127.0.0.1:")
    assert summary["embedded_mock"] is True and summary["exit_code"] == 0
    assert "the embedded mock at" in (tmp_path / "reports" / "report.html").read_text()


def test_mock_and_url_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--mock", "--url", "http://127.0.0.1:1", "--key", "k"]) == 2
    assert "--mock and --url" in capsys.readouterr().err


@pytest.fixture
def secret_mock(counted_mock: CountedMock) -> Iterator[tuple[MockServer, list[str]]]:
    with counted_mock(keys=(SECRET,)) as started:
        yield started


def test_key_never_reaches_output_or_any_artefact(
    secret_mock: tuple[MockServer, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = secret_mock
    code = main(
        ["audit", "--url", server.url, "--key", SECRET, "--profile", "quick",
         "--report-dir", str(tmp_path),
         "--fuzzer-report", "har", "--fuzzer-report", "vcr", "--fuzzer-report", "junit"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, out
    files = list(every_file(tmp_path))
    names = {path.name for path in files}
    assert {"summary.json", "junit.xml", "report.html"} <= names
    fuzzer = {path.name for path in (tmp_path / "schemathesis").iterdir()}
    assert {"events.ndjson", "traffic.har", "cassette.yaml", "junit.xml"} <= fuzzer
    assert SECRET not in out and SECRET not in err
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_the_fuzzer_keeps_only_its_events_unless_asked_for_more(
    counted_mock: CountedMock, tmp_path: Path
) -> None:
    with counted_mock() as (server, _):
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    assert code == 0
    fuzzer = sorted(path.name for path in (tmp_path / "schemathesis").iterdir())
    assert fuzzer == ["console.txt", "events.ndjson"]


def test_an_unknown_fuzzer_report_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--mock", "--fuzzer-report", "pdf"])
    assert exit_info.value.code == 2
    assert "--fuzzer-report" in capsys.readouterr().err


def test_max_creates_caps_accepted_jobs_and_reports_skips(
    counted_mock: CountedMock, tmp_path: Path
) -> None:
    with counted_mock() as (server, created):
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--max-creates", "1", "--report-dir", str(tmp_path)]
        )  # fmt: skip
    assert code in (0, 1)  # the verdict itself is what test_audit_of_mock proves
    assert len(created) == 1, "the server must never have accepted more than the cap"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["cost"]["billed_accepted"] == 1 and summary["cost"]["billed_skipped"] > 0
    outcomes = {
        check["check"]: check for group in summary["operations"] for check in group["checks"]
    }
    assert outcomes["remix_points_to_source"]["outcome"] == "not run"
    assert "max-creates" in outcomes["remix_points_to_source"]["reason"]


def test_zero_max_creates_sends_no_billed_request(
    counted_mock: CountedMock, tmp_path: Path
) -> None:
    with counted_mock() as (server, created):
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "quick",
             "--max-creates", "0", "--report-dir", str(tmp_path)]
        )  # fmt: skip
    assert code in (0, 1)  # the verdict itself is what test_audit_of_mock proves
    assert created == []
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["cost"]["billed_sent"] == 0 and summary["cost"]["billed_accepted"] == 0
    read_only = {
        check["check"]: check["outcome"]
        for group in summary["operations"]
        for check in group["checks"]
    }
    assert read_only["missing_or_wrong_key_is_refused"] == "passed"
    assert read_only["created_job_reaches_terminal_status"] == "not run"


def test_default_cap_depends_on_where_the_server_is() -> None:
    assert default_max_creates("http://127.0.0.1:8000") is None
    assert default_max_creates("http://localhost:8000") is None
    assert default_max_creates("https://aihubmix.com") == REMOTE_MAX_CREATES


def test_tls_failure_exits_2(
    counted_mock: CountedMock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with counted_mock() as (server, _):
        https = server.url.replace("http://", "https://")
        code = main(["audit", "--url", https, "--key", server.key, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "TLS" in err and err.count("\n") == 1


def test_url_without_the_api_exits_2(
    counted_mock: CountedMock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with counted_mock() as (server, _):
        url = server.url + "/elsewhere"
        code = main(["audit", "--url", url, "--key", server.key, "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "no Videos API" in err
    _assert_reports_say(tmp_path, "could not audit", 2, "no Videos API")


def test_unwritable_report_dir_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["audit", "--mock", "--report-dir", str(blocker / "reports")]) == 2
    assert "cannot write reports" in capsys.readouterr().err


def test_the_sweep_respects_the_budget_and_lists_the_cells_left_out(
    counted_mock: CountedMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with counted_mock() as (server, created):
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--profile", "standard",
             "--no-fuzz", "--max-creates", "5", "--report-dir", str(tmp_path)]
        )  # fmt: skip
    assert len(created) <= 5
    out = capsys.readouterr().out
    summary = json.loads((tmp_path / "summary.json").read_text())
    outcomes = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    sweep = outcomes["parameters_are_honoured"]
    assert sweep["cases"]["not_run"] >= 1 and "left out by --max-creates" in sweep["reason"]
    assert "reference image" in sweep["reason"]
    assert code == 0 and summary["totals"]["run_in_part"] >= 1
    assert "by your settings." in out and "run in part: parameters_are_honoured" in out


def test_operations_the_user_says_are_absent_are_not_offered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["audit", "--mock", "--profile", "quick", "--no-fuzz", "--without", "remixVideo",
         "--report-dir", str(tmp_path)]
    )  # fmt: skip
    out = capsys.readouterr().out
    said = "the settings say the server does not offer remixVideo"
    summary = json.loads((tmp_path / "summary.json").read_text())
    outcomes = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    remix = outcomes["remix_points_to_source"]
    assert remix["outcome"] == "not offered" and remix["reason"] == said
    assert f"not offered: {said}" in (tmp_path / "junit.xml").read_text()
    assert "not offered:" in out and said in " ".join(out.split())
    # Not offered has no effect on the verdict.
    assert code == 0 and summary["verdict"] == "conformant"


def test_without_an_operation_leaves_the_every_operation_key_check_running(
    tmp_path: Path,
) -> None:
    code = main(
        ["audit", "--mock", "--profile", "quick", "--no-fuzz", "--without", "listVideos",
         "--check", "missing_or_wrong_key_is_refused",
         "--check", "list_pagination_has_no_duplicates_or_gaps", "--report-dir", str(tmp_path)]
    )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    outcomes = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    key = outcomes["missing_or_wrong_key_is_refused"]
    assert key["outcome"] == "passed" and "listVideos" in key["reason"]
    assert outcomes["list_pagination_has_no_duplicates_or_gaps"]["outcome"] == "not offered"
    assert code == 0


def test_a_check_selection_leaves_the_others_not_run(tmp_path: Path) -> None:
    code = main(
        ["audit", "--mock", "--profile", "quick", "--no-fuzz", "--check",
         "unknown_video_is_not_found",
         "--report-dir", str(tmp_path)]
    )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    outcomes = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    assert outcomes["unknown_video_is_not_found"]["outcome"] == "passed"
    others = [c for name, c in outcomes.items() if name != "unknown_video_is_not_found"]
    assert others and all(c["outcome"] == "not run" for c in others)
    assert outcomes["deleted_video_is_gone"]["reason"] == "not selected (--check)"
    assert outcomes["schemathesis"]["reason"] == "--no-fuzz"
    assert code == 0 and summary["verdict"] == "conformant"


def _bad_key_handling(app: Any, key: str) -> Any:
    """No key: 500. A wrong key: 400. The right key: the mock."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        authorization = dict(scope.get("headers", [])).get(b"authorization")
        if scope["type"] != "http" or authorization == f"Bearer {key}".encode():
            await app(scope, receive, send)
            return
        status = 500 if authorization is None else 400
        body = b'{"error": {"message": "no", "type": "x", "param": null, "code": null}}'
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def test_the_key_check_tries_every_case_after_a_failing_one(tmp_path: Path) -> None:
    config = MockConfig(render_seconds=0.1)
    with serve_in_thread(_bad_key_handling(create_app(config), config.keys[0])) as url:
        code = main(
            ["audit", "--url", url, "--key", config.keys[0], "--no-fuzz", "--check",
             "missing_or_wrong_key_is_refused", "--report-dir", str(tmp_path)]
        )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    (check,) = [c for g in summary["operations"] for c in g["checks"] if c["violations"]]
    faults = [v["at_fault"] for v in check["violations"]]
    assert code == 1
    assert any("without a key" in f for f in faults) and any("wrong key" in f for f in faults)
    # One finding per way of sending a key, naming every operation it failed on.
    assert len(faults) >= 2 and any("also on" in f for f in faults)


def test_a_first_answer_blaming_a_field_is_not_taken_for_a_refused_key() -> None:
    from videos_contract.audit.engine import _names_a_field

    blamed = {"error": {"message": "limit must be >= 10", "type": "x", "param": "limit"}}
    assert _names_a_field(json.dumps(blamed))
    assert not _names_a_field('{"error": {"message": "No connected db.", "param": null}}')
    assert not _names_a_field("No connected db.")
