"""The cassette writer and reader: masking, scrubbing, streaming, crash safety, strict reading."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from videos_contract.cassette import (
    FORMAT_VERSION,
    CassetteError,
    Recorder,
    read_cassette,
)
from videos_contract.credentials import MASK
from videos_contract.paths import PROJECT_ROOT

KEY = "sk-gateway-SecretRecordingKey42"
OTHER_KEY = "sk-gateway-AnotherKeyLaterSeen7"
JOB = "video_" + "ab" * 24


def _every_file(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def _assert_no_secret(directory: Path, *secrets: str) -> None:
    for path in _every_file(directory):
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret!r} written in {path.name}"


def _record_life(directory: Path, media: bytes, chunk: int = 7) -> None:
    now = time.monotonic()
    auth = [("Authorization", f"Bearer {KEY}"), ("Content-Type", "application/json")]
    with Recorder.create(directory, upstream="https://user:pw@gateway.example/base?x=1") as rec:
        create = rec.begin("POST", "/v1/videos", auth, started=now)
        create.request_body(b'{"prompt": "a fox", "model": "sora-2"}')
        create.response(200, [("Content-Type", "application/json")], at=now + 0.1)
        create.response_body(json.dumps({"id": JOB, "status": "queued"}).encode())
        create.finish(at=now + 0.11)
        for index, status in enumerate(("in_progress", "completed")):
            poll = rec.begin("GET", f"/v1/videos/{JOB}", auth[:1], started=now + 1 + index)
            poll.response(
                200,
                [("content-type", "application/json"), ("set-cookie", "session=cookievalue99")],
                at=now + 1.05 + index,
            )
            poll.response_body(json.dumps({"id": JOB, "status": status}).encode())
            poll.finish(at=now + 1.06 + index)
        download = rec.begin(
            "GET", f"/v1/videos/{JOB}/content?variant=video", auth[:1], started=now + 3
        )
        download.response(
            200,
            [("Content-Type", "video/mp4"), ("Content-Length", str(len(media)))],
            at=now + 3.1,
        )
        for start in range(0, len(media), chunk):
            download.response_body(media[start : start + chunk])
        download.finish(at=now + 3.5)
        listing = rec.begin("GET", "/v1/videos?limit=2&api_key=" + KEY, auth[:1], started=now + 4)
        listing.response(200, [("Content-Type", "application/json")], at=now + 4.1)
        listing.response_body(b'{"object": "list", "data": []}')
        listing.finish(at=now + 4.2)


def test_a_jobs_life_reads_back_grouped_masked_and_whole(tmp_path: Path) -> None:
    # The key sits in the media too, cut across chunk boundaries: it must still be scrubbed.
    media = b"\x00\x00\x00\x18ftypmp42" + os.urandom(300) + KEY.encode() + os.urandom(200)
    _record_life(tmp_path / "c", media)
    cassette = read_cassette(tmp_path / "c")

    assert cassette.upstream == "https://gateway.example/base"
    assert cassette.closed_at is not None
    assert [e.method for e in cassette.exchanges] == ["POST", "GET", "GET", "GET", "GET"]
    life = cassette.jobs[JOB]
    assert [e.seq for e in life] == [1, 2, 3, 4]
    assert [e.response_body.json["status"] for e in life[:3] if e.response_body] == [
        "queued",
        "in_progress",
        "completed",
    ]
    assert life[0].request_body is not None and life[0].request_body.json["model"] == "sora-2"
    assert life[0].request_headers[0] == ("Authorization", f"Bearer {MASK}")
    assert life[1].response_header("set-cookie") == MASK
    assert 0.09 < (life[0].response_at or 0) < 0.2 and life[0].started < 0.01

    body = life[3].response_body
    assert body is not None and body.path is not None and body.content_type == "video/mp4"
    assert body.length == len(media)
    stored = body.path.read_bytes()
    assert stored == media.replace(KEY.encode(), b"*" * len(KEY))
    assert body.sha256 == hashlib.sha256(stored).hexdigest()
    assert b"".join(body.chunks(10, 20)) == stored[10:20]

    listing = cassette.exchanges[4]
    assert listing.job is None and listing.target == f"/v1/videos?limit=2&api_key={MASK}"
    manifest = json.loads((tmp_path / "c" / "cassette.json").read_text())
    assert manifest["version"] == FORMAT_VERSION and manifest["jobs"] == {JOB: [1, 2, 3, 4]}
    _assert_no_secret(tmp_path / "c", KEY, "cookievalue99", "user:pw")


def test_a_key_first_seen_later_is_scrubbed_from_files_written_before(tmp_path: Path) -> None:
    now = time.monotonic()
    rec = Recorder.create(tmp_path / "c", upstream="http://127.0.0.1:9")
    first = rec.begin("POST", "/v1/videos", [("Content-Type", "text/plain")], started=now)
    first.request_body(b"prompt mentions " + OTHER_KEY.encode())
    first.finish(at=now)
    second = rec.begin("GET", "/v1/videos", [("x-api-key", OTHER_KEY)], started=now)
    second.finish(at=now)
    rec.close()
    rec.close()  # idempotent
    _assert_no_secret(tmp_path / "c", OTHER_KEY)
    cassette = read_cassette(tmp_path / "c")
    body = cassette.exchanges[0].request_body
    assert body is not None and body.read() == b"prompt mentions " + b"*" * len(OTHER_KEY)


def test_closing_mid_download_marks_the_exchange_incomplete(tmp_path: Path) -> None:
    now = time.monotonic()
    rec = Recorder.create(tmp_path / "c", upstream="http://127.0.0.1:9")
    download = rec.begin("GET", f"/v1/videos/{JOB}/content", [], started=now)
    download.response(200, [("Content-Type", "video/mp4"), ("Content-Length", "100")], at=now)
    download.response_body(b"x" * 40)
    rec.close()  # what Ctrl-C in the proxy does
    download.response_body(b"late")  # ignored after close
    (exchange,) = read_cassette(tmp_path / "c").exchanges
    assert not exchange.complete and exchange.error is not None
    assert exchange.response_body is not None and exchange.response_body.length == 40
    assert not exchange.response_body.complete and exchange.job == JOB


_KILLED_RECORDER = """
import os, signal, sys, time
from pathlib import Path
from videos_contract.cassette import Recorder
rec = Recorder.create(Path(sys.argv[1]), upstream="http://127.0.0.1:9")
now = time.monotonic()
auth = [("Authorization", "Bearer " + sys.argv[2])]
done = rec.begin("GET", "/v1/videos/video_1", auth, started=now)
done.response(200, [("Content-Type", "application/json")], at=now)
done.response_body(b'{"id": "video_1", "status": "queued"}')
done.finish(at=now)
cut = rec.begin("GET", "/v1/videos/video_1/content", [], started=now)
cut.response(200, [("Content-Type", "video/mp4")], at=now)
cut.response_body(b"y" * 1000)
os.write(os.open(Path(sys.argv[1]) / "exchanges.jsonl", os.O_WRONLY | os.O_APPEND), b'{"ev')
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_recorder_killed_mid_download_leaves_a_readable_cassette(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-c", _KILLED_RECORDER, str(tmp_path / "c"), KEY], check=False
    )
    assert process.returncode == -signal.SIGKILL
    cassette = read_cassette(tmp_path / "c")  # the torn last line is left out
    assert cassette.closed_at is None
    done, cut = cassette.exchanges
    assert done.complete and done.response_body is not None
    assert not cut.complete and cut.status == 200 and cut.response_body is None
    _assert_no_secret(tmp_path / "c", KEY)


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    _record_life(tmp_path / "c", b"\x00\x00\x00\x18ftypmp42" + b"m" * 500)
    return tmp_path / "c"


def _rewrite_manifest(directory: Path, **changes: object) -> None:
    path = directory / "cassette.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: _rewrite_manifest(d, version=99), "format version 99 is not supported"),
        (lambda d: _rewrite_manifest(d, format="other"), "is not a videos-contract-cassette"),
        (lambda d: (d / "cassette.json").write_text("{"), "cassette.json is not readable JSON"),
        (lambda d: (d / "cassette.json").unlink(), "no cassette.json: not a cassette folder"),
        (
            lambda d: next((d / "bodies").iterdir()).write_bytes(b"short"),
            "holds 5 bytes, the journal says 512 (truncated?)",
        ),
        (
            lambda d: (d / "exchanges.jsonl").write_bytes(
                (d / "exchanges.jsonl").read_bytes()[:-9]
            ),
            "exchanges.jsonl ends in the middle of a line (truncated)",
        ),
        (
            lambda d: (d / "exchanges.jsonl").write_bytes(b"not json\n"),
            "exchanges.jsonl line 1 is not valid JSON",
        ),
        (
            lambda d: (d / "exchanges.jsonl").write_bytes(b'{"event": "end", "seq": 4}\n'),
            "line 1 refers to exchange 4, which never began",
        ),
        (
            lambda d: (d / "exchanges.jsonl").write_bytes(
                (d / "exchanges.jsonl").read_bytes().replace(b'"bodies/', b'"../../bodies/')
            ),
            "points outside the cassette",
        ),
    ],
)
def test_a_damaged_cassette_is_refused_in_one_line(
    recorded: Path, damage: object, message: str
) -> None:
    assert callable(damage)
    damage(recorded)
    with pytest.raises(CassetteError) as caught:
        read_cassette(recorded)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_modified_body_fails_its_digest(recorded: Path) -> None:
    media = next((recorded / "bodies").iterdir())
    media.write_bytes(b"z" * media.stat().st_size)
    with pytest.raises(CassetteError, match="does not match its sha256"):
        read_cassette(recorded)
    assert read_cassette(recorded, verify=False).exchanges


def test_recording_into_a_cassette_is_refused(recorded: Path) -> None:
    with pytest.raises(CassetteError, match="already holds a cassette"):
        Recorder.create(recorded, upstream="http://127.0.0.1:9")


def test_the_documented_example_writes_a_readable_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = (PROJECT_ROOT / "docs" / "cassettes.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.*?)```", page, re.S)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/cassettes.md", "exec"), {})
    (exchange,) = read_cassette(tmp_path / "cassettes" / "run1").exchanges
    assert exchange.job == "video_1" and exchange.request_headers[0][1] == f"Bearer {MASK}"


def test_a_compressed_json_body_is_kept_decoded_and_scrubbed(tmp_path: Path) -> None:
    now = time.monotonic()
    echoed = json.dumps({"id": JOB, "status": "queued", "note": f"key {KEY}"}).encode()
    with Recorder.create(tmp_path / "c", upstream="http://127.0.0.1:9") as rec:
        create = rec.begin("POST", "/v1/videos", [("authorization", f"Bearer {KEY}")], started=now)
        gzip_headers = [("content-type", "application/json"), ("content-encoding", "gzip")]
        create.response(200, gzip_headers, at=now)
        create.response_body(gzip.compress(echoed))
        create.finish(at=now)
        odd = rec.begin("GET", f"/v1/videos/{JOB}", [], started=now)
        odd.response(
            200, [("content-type", "application/json"), ("content-encoding", "br")], at=now
        )
        odd.response_body(b"\x8b\x02\x80not-brotli-we-can-read")
        odd.finish(at=now)
    first, second = read_cassette(tmp_path / "c").exchanges
    assert first.job == JOB and first.response_body is not None
    assert first.response_body.json["note"] == "key " + "*" * len(KEY)
    assert first.response_body.length == len(echoed)
    assert second.response_body is not None and second.response_body.content_encoding == "br"
    _assert_no_secret(tmp_path / "c", KEY)


def test_basic_credentials_and_cookies_are_scrubbed_everywhere(tmp_path: Path) -> None:
    now = time.monotonic()
    pair = base64.b64encode(b"team-user:basicPassword77").decode()
    with Recorder.create(tmp_path / "c", upstream="http://127.0.0.1:9") as rec:
        headers = [
            ("Proxy-Authorization", f"Basic {pair}"),
            ("Cookie", "theme=dark; session=cookieSecret55"),
            ("Api-Key", "plainApiKey99"),
        ]
        exchange = rec.begin("POST", "/v1/videos?key=queryKey12345", headers, started=now)
        exchange.request_body(b"basicPassword77 cookieSecret55 plainApiKey99 queryKey12345 dark")
        exchange.finish(at=now)
    _assert_no_secret(
        tmp_path / "c", pair, "basicPassword77", "cookieSecret55", "plainApiKey99", "queryKey12345"
    )
    (recorded,) = read_cassette(tmp_path / "c").exchanges
    assert recorded.request_headers[0] == ("Proxy-Authorization", f"Basic {MASK}")
    assert recorded.request_body is not None and recorded.request_body.read().endswith(b" dark")
