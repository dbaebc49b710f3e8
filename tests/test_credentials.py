"""The one module that decides what a credential is and how it is blanked, held by properties.

Secrets are drawn from the characters keys are made of, at every length; the texts and bodies
around them are arbitrary. Every artefact that takes the module's word (a text redacted, a
stream scrubbed in any chunking, a cassette, the audit's reports, the client's errors) is
then searched for the secret.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from videos_contract.audit.reports import write_reports
from videos_contract.audit.results import AuditResult, CheckOutcome, Exchange, Violation
from videos_contract.cassette import Recorder
from videos_contract.client.errors import ApiError
from videos_contract.credentials import (
    MASK,
    MIN_SCRUB_LENGTH,
    Secrets,
    StreamScrubber,
    bare_url,
    mask_key,
    masked_header,
    masked_headers,
    masked_target,
    masked_url,
    values_in_header,
    values_in_query,
)

KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
keys = st.text(KEY_ALPHABET, min_size=1, max_size=64)
long_keys = st.text(KEY_ALPHABET, min_size=MIN_SCRUB_LENGTH, max_size=64)
# Text around a key: anything but `*`, which a blanked key is made of.
around = st.text(st.characters(blacklist_characters="*", blacklist_categories=["Cs"]), max_size=80)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _standalone(secret: str, text: str) -> bool:
    """Whether `secret` stands in `text` between characters that cannot belong to a key."""
    start = text.find(secret)
    while start >= 0:
        before = text[start - 1] if start else " "
        after = text[start + len(secret)] if start + len(secret) < len(text) else " "
        if before not in KEY_ALPHABET + "~+/" and after not in KEY_ALPHABET + "~+/=":
            return True
        start = text.find(secret, start + 1)
    return False


@SETTINGS
@given(long_keys, around, around)
def test_a_long_key_never_survives_in_text(key: str, prefix: str, suffix: str) -> None:
    assert key not in Secrets([key])(prefix + key + suffix + key)


@SETTINGS
@given(keys, around, around)
@example("k", "Bearer ", "")
@example("k", '{"key":"', '"}')
def test_a_key_of_any_length_never_stands_alone_in_text(key: str, prefix: str, suffix: str) -> None:
    text = f"{prefix} {key} {suffix}"
    redacted = Secrets([key])(text)
    assert not _standalone(key, redacted)
    assert MASK in redacted


def test_a_short_key_inside_a_word_is_left_alone() -> None:
    # A one-letter key blanked everywhere would turn "broken" into "bro***en".
    assert Secrets(["k"])("the relay is broken (key k)") == "the relay is broken (key ***)"
    assert Secrets(["k"])("key=k&limit=2") == "key=***&limit=2"


@SETTINGS
@given(long_keys, st.binary(max_size=300), st.binary(max_size=300), st.data())
def test_a_stream_is_blanked_in_any_chunking_as_the_whole_would_be(
    key: str, head: bytes, tail: bytes, data: st.DataObject
) -> None:
    secrets = Secrets([key])
    whole = head + key.encode() + tail + key.encode()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(whole)), max_size=12)))
    scrubber = StreamScrubber(secrets, short=False)
    out = b""
    for start, end in zip([0, *cuts], [*cuts, len(whole)], strict=True):
        out += scrubber.feed(whole[start:end])
    out += scrubber.flush()
    assert out == secrets.scrub(whole, short=False)
    assert key.encode() not in out and len(out) == len(whole)


def test_a_key_added_while_a_stream_runs_is_blanked_from_then_on() -> None:
    secrets = Secrets()
    scrubber = StreamScrubber(secrets)
    first = scrubber.feed(b"before ")
    secrets.add("sk-late-key-123456")
    rest = scrubber.feed(b"sk-late-") + scrubber.feed(b"key-123456 after") + scrubber.flush()
    assert b"sk-late-key-123456" not in first + rest


def test_there_is_no_cap_on_how_many_values_are_blanked() -> None:
    secrets = Secrets(f"sk-key-number-{n:05d}" for n in range(2000))
    text = " ".join(f"sk-key-number-{n:05d}" for n in range(0, 2000, 97))
    assert "sk-key" not in secrets(text) and len(secrets) == 2000


@SETTINGS
@given(keys, st.sampled_from(["Bearer", "bearer", "Token"]))
def test_an_authorization_is_masked_and_its_token_found(key: str, scheme: str) -> None:
    assert masked_header("Authorization", f"{scheme} {key}") == f"{scheme} {MASK}"
    assert key in values_in_header("Authorization", f"{scheme} {key}")


@SETTINGS
@given(keys, keys)
def test_a_basic_pair_yields_the_pair_and_the_password(user: str, password: str) -> None:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    found = values_in_header("Proxy-Authorization", f"Basic {token}")
    assert {token, f"{user}:{password}", password} <= set(found)


@SETTINGS
@given(keys, keys)
def test_every_cookie_value_is_found_and_no_cookie_is_shown(first: str, second: str) -> None:
    header = f"session={first}; theme={second}"
    assert {first, second} <= set(values_in_header("Cookie", header))
    assert masked_headers([("Cookie", header), ("Accept", "*/*")]) == (
        ("Cookie", MASK),
        ("Accept", "*/*"),
    )
    assert values_in_header("Set-Cookie", f"id={first}; Path=/; HttpOnly")[-1] == first


@SETTINGS
@given(keys)
def test_query_keys_are_found_and_masked(key: str) -> None:
    target = f"/v1/videos?limit=2&api_key={key}&after=video_1"
    assert values_in_query(target) == [key]
    assert masked_target(target) == f"/v1/videos?limit=2&api_key={MASK}&after=video_1"
    assert masked_target("/v1/videos?limit=2") == "/v1/videos?limit=2"


def test_a_key_is_shown_only_by_a_prefix_that_says_nothing() -> None:
    assert mask_key("sk-gateway-abcdef123456") == "sk-gat…"
    assert mask_key("short") == MASK and mask_key("k") == MASK


@SETTINGS
@given(long_keys, keys)
def test_a_cassette_holds_no_credential(key: str, cookie: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder) / "c"
        now = time.monotonic()
        rec = Recorder.create(directory, upstream=f"https://user:{key}@gateway.example")
        exchange = rec.begin(
            "POST",
            f"/v1/videos?key={key}",
            [
                ("Authorization", f"Bearer {key}"),
                ("Cookie", f"session={cookie}"),
                ("Content-Type", "application/json"),
            ],
            started=now,
        )
        exchange.request_body(f'{{"prompt": "echo {key}"}}'.encode())
        exchange.response(200, [("Content-Type", "video/mp4"), ("X-Echo", key)], at=now)
        exchange.response_body(b"\x00\x00\x00\x18ftyp" + key.encode() + b"\x00" * 50)
        exchange.finish(at=now, error=f"upstream said {key}")
        rec.close()
        for path in directory.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path.name


@SETTINGS
@given(keys)
def test_reports_hold_no_key_of_any_length(key: str) -> None:
    import tempfile

    exchange = Exchange(
        method="GET",
        url=f"http://127.0.0.1:9/v1/videos?api_key={key}",
        headers=(("Authorization", f"Bearer {key}"),),
        body=f"bad key {key}".encode(),
        status=401,
    )
    violation = Violation(
        "auth", "listVideos", f"key {key} echoed", f"body {key}", "no key", key, exchange
    )
    result = AuditResult(
        target="http://127.0.0.1:9",
        profile="quick",
        seed=1,
        started_at="2026-12-05T00:00:00Z",
        duration=1.0,
        outcomes=(
            CheckOutcome("auth", "listVideos", "behaviour", failed=1, violations=(violation,)),
        ),
    )
    with tempfile.TemporaryDirectory() as folder:
        for path in write_reports(result, Path(folder), secrets=[key]):
            assert not _standalone(key, path.read_text(encoding="utf-8")), path.name


@SETTINGS
@given(keys)
def test_client_errors_hold_no_key_of_any_length(key: str) -> None:
    response = httpx.Response(
        401, json={"error": {"message": f"key {key} is refused", "type": "auth"}}
    )
    error = ApiError.from_response(response, key)
    assert not _standalone(key, str(error))


@SETTINGS
@given(long_keys)
def test_a_urls_password_and_query_keys_are_masked(password: str) -> None:
    url = (
        f"postgresql://mock:{password}@db.internal:5432/videos?sslmode=require&password={password}"
    )
    shown = masked_url(url)
    assert password not in shown
    assert shown == (
        f"postgresql://mock:{MASK}@db.internal:5432/videos?sslmode=require&password={MASK}"
    )
    assert masked_url("https://gateway.example/v1?api_key=" + password).endswith(f"api_key={MASK}")
    assert masked_url("not a url") == "not a url"


@SETTINGS
@given(long_keys, st.binary(max_size=3000), st.binary(max_size=300))
def test_a_file_is_scrubbed_in_place_and_its_new_digest_given(
    key: str, head: bytes, tail: bytes
) -> None:
    import hashlib
    import tempfile

    secrets = Secrets([key])
    whole = head + key.encode() + tail
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "body.bin"
        path.write_bytes(whole)
        digest = secrets.scrub_file(path, short=False)
        kept = path.read_bytes()
        assert [p.name for p in Path(folder).iterdir()] == ["body.bin"]  # no temporary left
    assert kept == secrets.scrub(whole, short=False) and len(kept) == len(whole)
    assert key.encode() not in kept and digest == hashlib.sha256(kept).hexdigest()


@SETTINGS
@given(keys, around)
def test_kept_headers_and_targets_note_and_blank_every_value(key: str, text: str) -> None:
    secrets = Secrets()
    headers = [("Authorization", f"Bearer {key}"), ("X-Note", f"{text} {key} ")]
    kept = secrets.kept_headers(headers)
    assert key in secrets
    assert kept[0] == ("Authorization", f"Bearer {MASK}")
    assert not _standalone(key, kept[1][1]) and "*" in kept[1][1]
    target = secrets.kept_target(f"/v1/videos?key={key}&after={key}x")
    assert target.startswith(f"/v1/videos?key={MASK}&after=")
    assert secrets.scrub_text(f"({key})") == "(" + "*" * len(key.encode()) + ")"


def test_a_bare_url_keeps_the_origin_and_path_alone() -> None:
    assert bare_url("https://user:pw@gateway.example:8443/v1/?key=sk-1#top") == (
        "https://gateway.example:8443/v1"
    )
    assert bare_url("http://[::1]/v1") == "http://[::1]/v1"
