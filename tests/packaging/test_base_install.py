"""The base install is the client: the wheel's metadata, and the wheel installed with no extra.

`installed_base` holds the two wheels and their base dependencies only, in a fresh venv outside
the checkout; the servers these tests talk to run in this (the dev) environment.
"""

from __future__ import annotations

import email.parser
import re
import signal
import zipfile
from pathlib import Path

import pytest

from tests.packaging.conftest import README_INSTALLS, Installed
from tests.test_dependencies import closure, normal, project
from videos_contract import extras
from videos_contract.cli import _EXTRA_GROUPS
from videos_contract.families import families
from videos_contract.mock import MockConfig, running_mock
from videos_contract.paths import PROJECT_ROOT
from videos_contract.probe import probe_video
from videos_contract.protocol import KEY_ENV, URL_ENV

pytestmark = pytest.mark.xdist_group("packaging")

MODEL = families().default_family.models[0]
# What the base install must not bring (distribution names).
HEAVY = ("schemathesis", "av", "pillow", "uvicorn", "starlette", "psycopg", "multipart")
_MARKER_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def _requires(dist: Path) -> dict[str, set[str]]:
    """The wheel's Requires-Dist by extra ("" for the unconditional ones)."""
    (wheel,) = dist.glob("videos_contract-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    found: dict[str, set[str]] = {"": set()}
    for line in meta.get_all("Provides-Extra") or []:
        found[line] = set()
    for line in meta.get_all("Requires-Dist") or []:
        requirement, _, marker = line.partition(";")
        name = normal(re.split(r"[\s\[<>=!~]", requirement.strip(), maxsplit=1)[0])
        extra = _MARKER_EXTRA.search(marker)
        found[extra.group(1) if extra else ""].add(name)
    return found


def test_the_readme_shows_the_install_lines_these_tests_run() -> None:
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    for line in README_INSTALLS.values():
        assert f"`{line}`" in readme, line


def test_the_base_wheel_requires_no_server_decoder_or_fuzzer(dist: Path) -> None:
    requires = _requires(dist)
    assert not requires[""] & set(HEAVY), requires[""]
    assert {"httpx", "aihubmix-videos"} <= requires[""]
    assert requires["audit"] >= {"schemathesis", "starlette", "uvicorn", "av", "pillow"}
    assert requires["mock"] >= {"starlette", "uvicorn", "av", "pillow", "multipart"}
    assert requires["proxy"] >= {"uvicorn", "av", "pillow"}
    assert requires["media"] == {"av", "pillow"}
    assert "schemathesis" not in requires["mock"] | requires["proxy"]
    assert "starlette" not in requires["proxy"]


def test_the_wheel_declares_what_pyproject_declares(dist: Path) -> None:
    """Each extra of the wheel, its references to our own extras expanded by the build."""
    requires = _requires(dist)
    assert set(requires) == set(project())
    for extra in project():
        assert requires[extra] == closure(extra), extra


def test_the_base_install_has_none_of_the_extras(installed_base: Installed) -> None:
    modules = sorted({m for names in extras.MODULES.values() for m in names})
    done = installed_base.run(
        "python",
        "-c",
        "import importlib.util, sys; "
        "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))",
        *modules,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_help_runs_and_names_the_extras(installed_base: Installed) -> None:
    done = installed_base.run("videos-contract", "--help")
    assert done.returncode == 0, done.stderr
    shown = " ".join(done.stdout.split())
    for extra, commands in _EXTRA_GROUPS.values():
        for command in commands:
            assert f"{command} (needs the {extra!r} extra" in shown


@pytest.mark.parametrize(
    ("command", "extra"),
    [(command, extra) for extra, commands in _EXTRA_GROUPS.values() for command in commands],
)
def test_a_command_needing_an_extra_says_which_in_one_line(
    installed_base: Installed, command: str, extra: str
) -> None:
    done = installed_base.run("videos-contract", command, "--help")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(
        f"videos-contract {command}: error: needs the {extra!r} extra: "
        f"pip install 'videos-contract[{extra}]' (not installed: "
    )
    assert done.stderr.count("\n") == 1


def test_the_benchmarks_name_the_extra_they_need(installed_base: Installed) -> None:
    done = installed_base.run("python", "-m", "videos_contract.bench", "--smoke")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(
        "python -m videos_contract.bench: error: needs the 'audit' extra: "
        "pip install 'videos-contract[audit]' (not installed: "
    )
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("statement", "extra"),
    [
        ("import videos_contract.mock", "mock"),
        ("import videos_contract.proxy", "proxy"),
        ("from videos_contract.audit import run_audit", "audit"),
    ],
)
def test_the_python_api_names_the_extra(
    installed_base: Installed, statement: str, extra: str
) -> None:
    code = f"try:\n    {statement}\nexcept ImportError as exc:\n    print(exc)\n"
    done = installed_base.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    assert f"needs the {extra!r} extra: pip install 'videos-contract[{extra}]'" in done.stdout


def test_a_video_command_with_no_server_names_the_mock_extra(installed_base: Installed) -> None:
    done = installed_base.run("videos-contract", "list")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert URL_ENV in done.stderr
    assert "the embedded mock needs the 'mock' extra" in done.stderr


def test_the_client_commands_work_against_a_server(
    installed_base: Installed, tmp_path: Path
) -> None:
    with running_mock(MockConfig(render_seconds=0.2)) as server:
        env = {URL_ENV: server.url, KEY_ENV: server.key}
        created = installed_base.run(
            *("videos-contract", "create", "--model", MODEL, "--prompt", "a red fox"),
            *("--wait", "--interval", "0.1", "-o", "fox.mp4"),
            timeout=120,
            env=env,
        )
        assert created.returncode == 0, created.stdout + created.stderr
        listed = installed_base.run("videos-contract", "list", "--json", timeout=120, env=env)
        assert listed.returncode == 0, listed.stderr
    assert probe_video(installed_base.workdir / "fox.mp4").codec == "h264"
    assert "a red fox" in listed.stdout


def test_docs_check_works_in_the_base_install(installed_base: Installed, tmp_path: Path) -> None:
    page = tmp_path / "create-a-video.md"
    page.write_bytes((PROJECT_ROOT / "tests/docs/pages/create-a-video.md").read_bytes())
    checked = installed_base.run("videos-contract", "docs-check", str(page))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_spec_tools_work_in_the_base_install(installed_base: Installed) -> None:
    diffed = installed_base.run("videos-contract", "diff", "packaged", "packaged")
    assert diffed.returncode == 0, diffed.stdout + diffed.stderr
    assert "no changes" in diffed.stdout


USERS_TESTS = """
from videos_contract.client import list_page


def test_against_the_live_server(videos_client):
    assert len(list_page(videos_client, limit=1).data) <= 1


def test_against_the_mock(videos_mock):
    pass
"""


def test_the_plugin_in_the_base_install(installed_base_with_pytest: Installed) -> None:
    """With pytest beside the base install the plugin loads: `videos_client` against a server
    works, and `videos_mock` errors naming the extra, without breaking the run."""
    with_pytest = installed_base_with_pytest
    (with_pytest.workdir / "test_users.py").write_text(USERS_TESTS, encoding="utf-8")
    with running_mock(MockConfig(render_seconds=0.2)) as server:
        done = with_pytest.run(
            *("pytest", "-q", "-p", "no:cacheprovider", "test_users.py"),
            env={URL_ENV: server.url, KEY_ENV: server.key},
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout, done.stdout
    assert "needs the 'mock' extra: pip install 'videos-contract[mock]'" in done.stdout


def test_the_proxy_extra_alone_runs_the_proxy(installed_proxy: Installed, tmp_path: Path) -> None:
    """No Starlette, schemathesis or psycopg: the proxy still serves, checks and reports (it
    uses the audit's plain layers), and the mock says it needs its own extra."""
    absent = installed_proxy.run(
        "python",
        "-c",
        "import importlib.util; print([m for m in ('starlette', 'schemathesis', 'psycopg') "
        "if importlib.util.find_spec(m)])",
    )
    assert absent.stdout.strip() == "[]", absent.stderr
    refused = installed_proxy.run("videos-contract", "mock", "--port", "0")
    assert refused.returncode == 2 and "needs the 'mock' extra" in refused.stderr
    reports = tmp_path / "reports"
    with running_mock(MockConfig(render_seconds=0.2)) as server:
        proxy = installed_proxy.start(
            *("videos-contract", "proxy", "--port", "0"),
            *("--upstream", server.url, "--report-dir", str(reports)),
        )
        try:
            assert proxy.stdout is not None
            first = proxy.stdout.readline()
            match = re.search(r"listening on (http://\S+),", first)
            assert match, first
            created = installed_proxy.run(
                *("videos-contract", "create", "--model", MODEL, "--prompt", "a red fox"),
                *("--wait", "--interval", "0.1", "-o", "fox.mp4"),
                timeout=120,
                env={URL_ENV: match.group(1), KEY_ENV: server.key},
            )
            assert created.returncode == 0, created.stdout + created.stderr
        finally:
            proxy.send_signal(signal.SIGINT)
            out, _ = proxy.communicate(timeout=60)
    assert proxy.returncode == 0, out
    assert "Conformant" in out
    assert (reports / "summary.json").stat().st_size > 0
    assert probe_video(installed_proxy.workdir / "fox.mp4").codec == "h264"
