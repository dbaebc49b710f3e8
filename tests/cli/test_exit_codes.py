"""One exit-code table for every command: in each `--help`, in the README, and kept.

0: done as asked; 1: the server or the verdict said no; 2: you asked for something impossible
(`videos_contract.cli.common.EXIT_CODES`).
"""

from __future__ import annotations

import argparse
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from videos_contract.cli import build_parser, main
from videos_contract.cli.common import EXIT_CODES
from videos_contract.paths import PROJECT_ROOT
from videos_contract.protocol import KEY_ENV, URL_ENV


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield sub
                yield from _parsers(sub)


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("parser", list(_parsers(build_parser())), ids=lambda p: p.prog)
def test_every_help_ends_with_the_exit_codes(parser: argparse.ArgumentParser) -> None:
    shown = _words(parser.format_help())
    table = shown[shown.index("exit codes:") :]
    for code, meaning in EXIT_CODES:
        assert f"{code} {_words(meaning)}" in table, (parser.prog, code)


def test_the_readme_holds_the_same_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\d+)` \| (.+) \|$", readme, flags=re.M)
    assert rows == [(code, meaning) for code, meaning in EXIT_CODES]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's refusals
        return int(exc.code or 0)


IMPOSSIBLE = {
    "a value the model refuses": ["create", "--mock", "--prompt", "x", "--seconds", "7"],
    "a value another model refuses": [
        "create", "--mock", "--prompt", "x", "--model", "veo-3.1-generate-preview",
        "--seconds", "5",
    ],
    "a URL without a scheme": ["create", "--prompt", "x", "--url", "127.0.0.1:9", "--key", "k"],
    "a missing key": ["create", "--prompt", "x", "--url", "http://127.0.0.1:9"],
    "an empty prompt": ["create", "--mock", "--prompt", ""],
    "a limit out of range": ["list", "--mock", "--limit", "0"],
    "an output folder that is not there": [
        "create", "--mock", "--prompt", "x", "-o", "/nonexistent-folder/x.mp4",
    ],
    "no server for a script": ["list", "--json"],
    "no server to audit": ["audit", "--no-fuzz"],
    "an unreadable page": ["docs-check", "/nonexistent-folder/page.txt"],
    "an unreadable spec": ["diff", "/nonexistent-folder/a.yaml", "/nonexistent-folder/b.yaml"],
}  # fmt: skip


@pytest.mark.parametrize("argv", IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_asking_for_the_impossible_is_2(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert _code(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and "Traceback" not in err, err


def test_a_server_saying_no_is_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    assert _code(["get", "--mock", "video_unknown"]) == 1  # 404 from the server
    url = f"http://127.0.0.1:{_closed_port()}"
    assert _code(["list", "--url", url, "--key", "sk-x"]) == 1  # nobody answers
    err = capsys.readouterr().err
    assert "retrying" not in err and err.count("cannot talk to") == 1, err
