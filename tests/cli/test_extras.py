"""A command or package whose extra is not installed says which extra to install.

The missing extra is made here by blanking its modules in `sys.modules` (the import system then
finds none of them, as in an install without the extra); `tests/packaging/test_base_install.py`
shows the same on the real base wheel.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys

import pytest

from videos_contract import extras
from videos_contract.cli import _EXTRA_GROUPS, _GROUPS, build_parser, main
from videos_contract.cli.common import EXIT_CODES
from videos_contract.paths import PROJECT_ROOT
from videos_contract.protocol import KEY_ENV, URL_ENV

# Every command of a group that needs an extra, with that extra.
NEEDING = [(command, extra) for extra, commands in _EXTRA_GROUPS.values() for command in commands]


def _without(monkeypatch: pytest.MonkeyPatch, extra: str) -> None:
    for module in extras.MODULES[extra]:
        monkeypatch.setitem(sys.modules, module, None)


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(action.choices)


def test_the_extras_are_installed_here() -> None:
    """The dev environment has every extra (`make env`): the whole suite runs in it."""
    assert {extra: extras.missing(extra) for extra in extras.MODULES} == dict.fromkeys(
        extras.MODULES, ()
    )


@pytest.mark.parametrize("group", list(_EXTRA_GROUPS))
def test_each_group_needing_an_extra_lists_the_commands_it_adds(group: str) -> None:
    """The placeholders name exactly the commands the group registers when installed."""
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    importlib.import_module(f"videos_contract.cli.{group}").register(subparsers)
    assert set(_EXTRA_GROUPS[group][1]) == _commands(parser)
    assert group in _GROUPS


@pytest.mark.parametrize(("command", "extra"), NEEDING)
@pytest.mark.parametrize("words", [[], ["--help"], ["--port", "0", "--json"]])
def test_a_command_without_its_extra_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    extra: str,
    words: list[str],
) -> None:
    _without(monkeypatch, extra)
    assert main([command, *words]) == 2
    out, err = capsys.readouterr()
    message = (
        f"needs the {extra!r} extra: pip install 'videos-contract[{extra}]' (not installed: "
        f"{', '.join(extras.MODULES[extra])})"
    )
    assert err == f"videos-contract {command}: error: {message}\n"
    if "--json" in words:  # scripts get their one document
        error = {"message": f"videos-contract {command}: {message}", "exit_code": 2}
        assert json.loads(out) == {"error": error}
    else:
        assert out == ""


def test_exit_code_2_says_a_missing_extra() -> None:
    (meaning,) = [meaning for code, meaning in EXIT_CODES if code == "2"]
    assert "extra is not installed" in meaning


def test_one_missing_module_is_enough_and_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "schemathesis", None)
    assert main(["audit", "--mock"]) == 2
    assert capsys.readouterr().err == (
        "videos-contract audit: error: needs the 'audit' extra: "
        "pip install 'videos-contract[audit]' (not installed: schemathesis)\n"
    )


def test_help_lists_every_command_and_the_extras_they_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_all = _commands(build_parser())
    for extra in extras.MODULES:
        _without(monkeypatch, extra)
    parser = build_parser()
    assert _commands(parser) == with_all
    shown = " ".join(parser.format_help().split())
    for command, extra in NEEDING:
        assert f"{command} (needs the {extra!r} extra: pip install 'videos-contract[{extra}]')" in (
            shown
        )


def test_the_commands_of_the_base_install_run_without_any_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in extras.MODULES:
        _without(monkeypatch, extra)
    with pytest.raises(SystemExit) as done:
        main(["create", "--help"])
    assert done.value.code == 0
    assert "--model" in capsys.readouterr().out


@pytest.mark.parametrize("mock_flag", [[], ["--mock"]])
def test_a_video_command_with_no_server_and_no_mock_extra_names_both(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mock_flag: list[str]
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    _without(monkeypatch, "mock")
    # The package loads anew, as it would in an install without the extra.
    monkeypatch.delitem(sys.modules, "videos_contract.mock", raising=False)
    assert main(["list", *mock_flag]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the embedded mock needs the 'mock' extra: pip install 'videos-contract[mock]'" in err
    if mock_flag:
        assert err.startswith("videos-contract list: error: --mock: ")
    else:
        assert f"set {URL_ENV} (or --url)" in err


_IMPORT = """
import sys
for name in sys.argv[2].split(","):
    sys.modules[name] = None
try:
    exec(sys.argv[1])
except ImportError as exc:
    print(type(exc).__name__, exc.name, exc)
else:
    print("imported")
"""


def _import_without(statement: str, extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, statement, ",".join(extras.MODULES[extra])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("statement", "extra", "user"),
    [
        ("import videos_contract.mock", "mock", "videos_contract.mock"),
        ("from videos_contract.mock import running_mock", "mock", "videos_contract.mock"),
        ("import videos_contract.proxy", "proxy", "videos_contract.proxy"),
        ("from videos_contract.audit import run_audit", "audit", "videos_contract.audit.engine"),
        ("from videos_contract.audit import CHECKS", "audit", "videos_contract.audit.checks"),
    ],
)
def test_the_python_api_without_its_extra_raises_an_import_error_naming_it(
    statement: str, extra: str, user: str
) -> None:
    first = extras.MODULES[extra][0]
    assert _import_without(statement, extra) == (
        f"MissingExtra {first} {user}: needs the {extra!r} extra: "
        f"pip install 'videos-contract[{extra}]' (not installed: "
        f"{', '.join(extras.MODULES[extra])})"
    )


def test_the_audits_plain_layers_and_the_client_need_no_extra() -> None:
    """The proxy uses the audit's results and reports in its own install; the client is the
    base install."""
    statement = (
        "from videos_contract.audit import PROFILES, AuditResult, write_reports; "
        "from videos_contract.client import connect, download, wait"
    )
    assert _import_without(statement, "audit") == "imported"


def _readme_rows() -> dict[str, str]:
    """README.md's "What to install" table: each install line's extra ("" for the base) and
    its row."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### What to install") :]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        match = re.match(r"\| `pip install '?videos-contract(?:\[(\w+)\])?'?` \|", line)
        if match:
            rows[match[1] or ""] = line
    return rows


def test_the_readme_table_names_each_extra_and_its_commands() -> None:
    rows = _readme_rows()
    assert set(rows) == {"", "all", *extras.MODULES}
    for command, extra in NEEDING:
        assert f"`{command}`" in rows[extra], (command, extra)
        assert f"`{command}`" not in rows[""], command
