"""The kept copies of the video generation pages: each names its source, and the README lists them.

The per-family contract is traced to these copies, so a copy that lost its address or date, a
copy the README does not list, or a copy whose quoted text changed would break that trace.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COPIES = Path(__file__).parent / "pages" / "video-gen"
OPENING = "<!-- page-copy"
CLOSING = "-->"
REQUIRED_KEYS = ("address", "language", "read", "obtained")
LANGUAGES = {"en", "cn"}


class CopyError(ValueError):
    """A page copy whose header is missing or incomplete."""


def read_copy(text: str) -> tuple[dict[str, str], str]:
    """Split a copy into its header fields and the text as obtained."""
    lines = text.split("\n")
    if not lines or lines[0] != OPENING:
        raise CopyError(f"a copy starts with the line {OPENING!r}")
    try:
        end = lines.index(CLOSING)
    except ValueError:
        raise CopyError(f"the header has no closing line {CLOSING!r}") from None
    fields: dict[str, str] = {}
    key = ""
    for line in lines[1:end]:
        if line.startswith("  ") and key:
            fields[key] += " " + line.strip()
            continue
        key, sep, value = line.partition(": ")
        if not sep or not re.fullmatch(r"[a-z-]+", key):
            raise CopyError(f"not a header field: {line!r}")
        fields[key] = value
    missing = [k for k in REQUIRED_KEYS if k not in fields]
    if missing:
        raise CopyError(f"header fields missing: {', '.join(missing)}")
    if not fields["address"].startswith("https://"):
        raise CopyError(f"address is not an https URL: {fields['address']!r}")
    if fields["language"] not in LANGUAGES:
        raise CopyError(f"language is not one of {sorted(LANGUAGES)}: {fields['language']!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["read"]):
        raise CopyError(f"read is not a date: {fields['read']!r}")
    body = "\n".join(lines[end + 1 :])
    if not body.strip():
        raise CopyError("the copy has no page text")
    return fields, body


def _copies() -> list[Path]:
    return sorted(p for p in COPIES.iterdir() if p.name != "README.md")


def test_there_are_copies_in_both_languages() -> None:
    languages = {read_copy(p.read_text(encoding="utf-8"))[0]["language"] for p in _copies()}
    assert languages == LANGUAGES


@pytest.mark.parametrize("path", _copies(), ids=lambda p: p.name)
def test_every_copy_names_its_source(path: Path) -> None:
    fields, _ = read_copy(path.read_text(encoding="utf-8"))
    assert fields["address"].split()[0].startswith("https://docs.aihubmix.com/") or fields[
        "address"
    ].startswith("https://aihubmix.mintlify.app/")


@pytest.mark.parametrize("path", _copies(), ids=lambda p: p.name)
def test_the_readme_lists_every_copy_with_its_address(path: Path) -> None:
    readme = (COPIES / "README.md").read_text(encoding="utf-8")
    fields, _ = read_copy(path.read_text(encoding="utf-8"))
    rows = [line for line in readme.splitlines() if line.startswith(f"| `{path.name}` |")]
    row = rows[0] if rows else None
    assert row is not None, f"{path.name} is not listed in README.md"
    assert fields["address"].split()[0] in row


def _copy(address: str = "https://x", language: str = "en", read: str = "2026-12-01") -> str:
    return f"{OPENING}\naddress: {address}\nlanguage: {language}\nread: {read}\nobtained: x\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Skip to main content\n", "starts with the line"),
        (f"{OPENING}\naddress: https://x\n", "no closing line"),
        (f"{OPENING}\nlanguage: en\nread: 2026-12-01\nobtained: x\n-->\nt\n", "address"),
        (_copy(address="http://x") + "-->\nt\n", "not an https URL"),
        (_copy(language="de") + "-->\nt\n", "language is not one of"),
        (_copy(read="today") + "-->\nt\n", "read is not a date"),
        (_copy() + "-->\n\n", "no page text"),
        (f"{OPENING}\nAddress https://x\n-->\nt\n", "not a header field"),
    ],
)
def test_a_broken_header_is_refused(text: str, message: str) -> None:
    with pytest.raises(CopyError, match=message):
        read_copy(text)


# The sentences the per-family decisions rest on, as the copies hold them. If a copy is
# replaced by a newer reading, these show which decisions have to be looked at again.
QUOTES = [
    (
        "video-gen.en.txt",
        'The seconds parameter for all models is always passed as a string (e.g. "8").',
    ),
    ("video-gen.en.txt", "Kling uses image / image_tail / image_list to pass images"),
    ("video-gen.en.txt", "(query every 15 seconds until status is completed)"),
    (
        "video-gen.en.txt",
        "pass the first-frame image via input_reference (Veo 3.1); "
        'when used, seconds is fixed at "8"',
    ),
    (
        "video-gen.cn.mdx",
        "wan2.6 仅支持 720P 和 1080P；wan2.5 支持 480P、720P、1080P；wan2.2 仅支持 480P 和 1080P。",  # noqa: RUF001
    ),
    ("video-gen.cn.mdx", '| `wan2.6-t2v` / `wan2.6-i2v` | `"2"`~`"15"`（任意整数值） | `"5"` |'),  # noqa: RUF001
    ("video-gen.cn.mdx", "| 时长 (duration) | 整数，范围 `4`~`15`，或 `-1`（模型自动决定） |"),  # noqa: RUF001
    ("video-gen.cn.mdx", '"extra_body": {'),
    ("video-gen.cn.mdx", '"id": "eyJtb2RlbCI6InNvcmEtMi...",'),
    ("video-gen.en.older.mdx", '"durationSeconds": 6'),
    ("video-gen.en.older.mdx", '"seconds": 8,'),
    ("video-gen.en.2026-02.mdx", "- sora：720×1280（默认）、1280×720"),  # noqa: RUF001
    ("seedance.cn.txt", '"duration": 8,'),
]


@pytest.mark.parametrize(
    ("name", "quote"), QUOTES, ids=[f"{n}:{i}" for i, (n, _) in enumerate(QUOTES)]
)
def test_the_quoted_sentences_are_in_the_copies(name: str, quote: str) -> None:
    _, body = read_copy((COPIES / name).read_text(encoding="utf-8"))
    assert quote in body
