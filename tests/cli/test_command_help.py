"""Every argument of the mock, audit and docs commands explains itself in `--help`.

(The video commands have their own tests.) Defaults a user relies on are shown, and the key
options say to prefer the environment variable.
"""

from __future__ import annotations

import argparse

import pytest

from videos_contract.cli import build_parser, main

COMMANDS = ("mock", "audit", "docs-check", "diff", "regen")


def _subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    command: argparse.ArgumentParser = subparsers.choices[name]
    return command


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_has_a_help_text(name: str) -> None:
    missing = [
        action.metavar or action.dest
        for action in _subparser(name)._actions
        if not isinstance(action, argparse._HelpAction) and not (action.help or "").strip()
    ]
    assert not missing, f"{name}: no help text for {missing}"


@pytest.mark.parametrize("option", ["--host", "--port", "--seed", "--workers"])
def test_mock_help_shows_the_default(option: str) -> None:
    (action,) = [a for a in _subparser("mock")._actions if option in a.option_strings]
    assert "(default: " in (action.help or ""), action.help


def test_mock_help_shows_defaults_on_screen(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["mock", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for shown in ("(default: 127.0.0.1)", "(default: 8000)", "(default: 1)", "(default: a new"):
        assert shown in text


def test_audit_key_says_to_prefer_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "prefer the variable" in text
