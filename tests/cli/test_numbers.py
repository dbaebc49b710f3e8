"""Every number option of the command line refuses `nan`, `inf` and out-of-range values."""

from __future__ import annotations

import argparse

import pytest

from videos_contract.cli import build_parser, main


def _float_options() -> list[tuple[str, str]]:
    """(command, option) for every option whose type reads a float, found in the parsers."""
    found: list[tuple[str, str]] = []
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for option in sub._actions:
                    if option.option_strings and option.type is not None:
                        try:
                            value = option.type("1")
                        except (argparse.ArgumentTypeError, ValueError, TypeError):
                            continue
                        if isinstance(value, float):
                            found.append((name, option.option_strings[-1]))
    return found


FLOAT_OPTIONS = _float_options()


def test_the_float_options_are_found() -> None:
    assert ("get", "--timeout") in FLOAT_OPTIONS
    assert ("mock", "--fail-rate") in FLOAT_OPTIONS
    assert ("audit", "--deadline") in FLOAT_OPTIONS


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "-1"])
@pytest.mark.parametrize(("command", "option"), FLOAT_OPTIONS)
def test_non_finite_numbers_are_refused(
    command: str, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, *(["video_1"] if command in ("get", "download") else [])]
    if command in ("create",):
        argv += ["--prompt", "x"]
    if command == "remix":
        argv += ["video_1", "--prompt", "x"]
    try:
        code = main([*argv, f"{option}={value}"])
    except SystemExit as exc:  # argparse refused it
        code = exc.code  # type: ignore[assignment]
    assert code == 2  # (a rate out of 0..1 is refused by the mock's config, before serving)
    _, err = capsys.readouterr()
    # The option is named (a rate's range is checked by the mock's config, by field name).
    field = option.removeprefix("--").replace("-", "_")
    assert (option in err or field in err) and err.count("\n") == 1
