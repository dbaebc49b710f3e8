"""README.md stays true: every command it shows is run here (or, for `make test`, by CI).

The commands are read out of the README's `sh` and `python` blocks. Each one must have a
runner below, keyed by its exact text, so a command added to the README without a test fails
`test_every_readme_command_has_a_runner`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, running_mock
from videos_contract.paths import PROJECT_ROOT
from videos_contract.probe import probe_video
from videos_contract.spec import load_spec

MODEL = families().default_family.models[0]

README = PROJECT_ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def readme_commands() -> list[str]:
    """Each shell command of the README's `sh` blocks, continuation lines joined."""
    commands: list[str] = []
    for block in _blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if line:
                commands.append(re.sub(r"\s+", " ", line))
    return commands


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOS_API_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _run(
    command: str, *, cwd: Path = PROJECT_ROOT, timeout: float = 240, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run a README command as a user would type it, from the project root."""
    # `.venv/bin/...` in the README means this environment's scripts.
    command = command.replace(".venv/bin/", f"{VENV_BIN}/")
    return subprocess.run(
        command,
        shell=True,
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


# --- runners, one per README command ---------------------------------------------------------


def _make_test(command: str) -> None:
    """`make test` is what CI runs: .ci/run must call exactly it."""
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.M), ".ci/run does not call `make test`"


def _make_audit(command: str) -> None:
    """The mock passes the standard profile: every behaviour check, and the fuzzer (the same
    audit as tests/audit/test_of_mock.py's slow `test_standard_profile_passes`)."""
    report_dir = PROJECT_ROOT / "reports"
    done = _run(command, timeout=300)
    out = _ok(done)
    assert "Conformant" in out
    assert "auditing the embedded mock" in done.stderr  # never a silent choice of target
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["profile"], summary["verdict"]) == ("standard", "conformant")
    assert summary["embedded_mock"] is True
    checks = [c for group in summary["operations"] for c in group["checks"]]
    behaviour = [c for c in checks if c["source"] == "behaviour"]
    assert behaviour and all(c["outcome"] == "passed" for c in behaviour), behaviour
    assert any(c["source"] == "schemathesis" and c["outcome"] == "passed" for c in checks)
    assert (report_dir / "schemathesis" / "events.ndjson").stat().st_size > 0
    for name in ("junit.xml", "report.html"):
        assert (report_dir / name).stat().st_size > 0


def _audit_running_server(command: str) -> None:
    """The README's URL is the port `make mock` uses; point it at a mock of our own."""
    with running_mock(MockConfig(render_seconds=0.3)) as server:
        command = command.replace("http://127.0.0.1:8000", server.url)
        done = _run(command + " PROFILE=quick", timeout=300)
        out = _ok(done)
        assert f"auditing {server.url}" in done.stderr
    assert "Conformant" in out


def _audit_quick_read_only(command: str) -> None:
    out = _ok(_run(command + " --report-dir reports/readme-quick"))
    assert "Conformant" in out
    summary = json.loads(
        (PROJECT_ROOT / "reports" / "readme-quick" / "summary.json").read_text(encoding="utf-8")
    )
    assert summary["verdict"] == "conformant"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@contextlib.contextmanager
def _serving(command: str, cwd: Path, stop: signal.Signals) -> Iterator[None]:
    """Run a server command of the README until its banner shows port 8000, then stop it."""
    if not _port_free(8000):
        pytest.skip("port 8000 is taken on this machine")
    proc = subprocess.Popen(
        command.replace(".venv/bin/", f"{VENV_BIN}/"),
        shell=True,
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        banner = ""
        while "http://127.0.0.1:8000" not in banner and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            banner += line
        assert "http://127.0.0.1:8000" in banner, banner
        yield
    finally:
        os.killpg(proc.pid, stop)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
        # Worker processes may outlive the parent by a moment; wait until the port is free.
        deadline = time.monotonic() + 30
        while not _port_free(8000) and time.monotonic() < deadline:
            time.sleep(0.1)


def _make_mock(command: str) -> None:
    """`make mock` serves on port 8000; the README's curl command works against it."""
    with _serving(command, PROJECT_ROOT, signal.SIGINT):
        (curl,) = [c for c in readme_commands() if c.startswith("curl ")]
        if shutil.which("curl") is None:
            pytest.skip("curl is not installed")
        video = json.loads(_ok(_run(curl)))
        assert video["object"] == "video" and video["model"] == "wan2.6-t2v"
        assert video["status"] in load_spec().enum("VideoStatus")


def _durable_mock(command: str, tmp: Path) -> None:
    """Jobs created before a `kill -9` of every worker are there after a restart."""
    headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    url = "http://127.0.0.1:8000/v1/videos"
    with _serving(command, tmp, signal.SIGKILL):
        ids = [
            httpx.post(
                url, headers=headers, json={"model": MODEL, "prompt": f"job {n}"}, timeout=30
            ).json()["id"]
            for n in range(10)
        ]
    assert (tmp / "jobs.db").exists()
    with _serving(command, tmp, signal.SIGTERM):
        for video_id in ids:
            reply = httpx.get(f"{url}/{video_id}", headers=headers, timeout=30)
            assert reply.status_code == 200, reply.text


def _curl(command: str) -> None:
    """Run together with `make mock` above."""
    assert "sk-gateway-localmock" in command


def _help(command: str) -> None:
    assert "usage:" in _ok(_run(command))


def _expected_clip(model: str) -> tuple[str, float]:
    """(frame, seconds) a job of `model` with only its defaults renders (the family's)."""
    family = families().for_model(model)
    frame = family.frame(str(family.field_default(family.size_field)))
    assert frame is not None
    return f"{frame[0]}x{frame[1]}", float(family.field_default(family.seconds_field))


def _create_fox(command: str, tmp: Path) -> None:
    _ok(_run(command, cwd=tmp, timeout=120))
    info = probe_video(tmp / "fox.mp4")
    size, seconds = _expected_clip(command.split("--model ", 1)[1].split()[0])
    assert info.size == size
    assert info.duration == pytest.approx(seconds, abs=0.2)


def _create_garden(command: str, tmp: Path) -> None:
    _ok(_run(command, cwd=tmp, timeout=180))
    info = probe_video(tmp / "garden.mp4")
    assert info.size == "1920x1080"
    assert info.duration == pytest.approx(8.0, abs=0.2)


def _create_horse(command: str, tmp: Path) -> None:
    """HappyHorse's DashScope body: the flags land in `parameters`, the clip is theirs."""
    _ok(_run(command, cwd=tmp, timeout=120))
    info = probe_video(tmp / "horse.mp4")
    frame = families().named("happyhorse").frame("1080P")
    assert frame is not None and (info.width, info.height) == frame
    assert info.duration == pytest.approx(3.0, abs=0.2)


def _docs_check_adapter(command: str) -> None:
    out = _ok(_run(command))
    assert "page and spec agree" in out and "missing" not in out


def _proxy_record_replay(command: str, tmp: Path) -> None:
    """The proxy in front of a mock, the README's client through it, then Ctrl-C: a conformant
    verdict, reports and a cassette; `mock --replay` then gives the client the same video."""
    if not (_port_free(8000) and _port_free(8001)):
        pytest.skip("port 8000 or 8001 is taken on this machine")
    (client,) = [c for c in readme_commands() if c.startswith("VIDEOS_API_URL=")]
    (replay,) = [c for c in readme_commands() if "--replay" in c]
    with running_mock(MockConfig(render_seconds=0.3)) as server:
        # No shell in between: the signal and the exit status are the proxy's own.
        words = shlex.split(command.replace("http://127.0.0.1:8000", server.url))
        proxy = subprocess.Popen(
            [words[0].replace(".venv/bin/", f"{VENV_BIN}/"), *words[1:]],
            cwd=tmp,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            assert proxy.stdout is not None
            banner = proxy.stdout.readline()
            assert "http://127.0.0.1:8001" in banner, banner
            _ok(_run(client, cwd=tmp, timeout=120))
        finally:
            os.killpg(proxy.pid, signal.SIGINT)
            out, _ = proxy.communicate(timeout=60)
    assert proxy.returncode == 0, out
    summary = json.loads((tmp / "reports" / "proxy" / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "conformant" and summary["requests"] >= 3
    assert (tmp / "cassette" / "cassette.json").exists()
    recorded = (tmp / "fox.mp4").read_bytes()
    (tmp / "fox.mp4").unlink()
    with _serving(replay, tmp, signal.SIGINT):
        _ok(_run(client.replace(":8001", ":8000"), cwd=tmp, timeout=120))
    assert (tmp / "fox.mp4").read_bytes() == recorded


def _with_proxy(command: str) -> None:
    """Run together with the proxy command above."""
    assert "8001" in command or "--replay" in command


def _docs_check(command: str) -> None:
    page = PROJECT_ROOT.parent / "shared" / "docs-pages" / "create-a-video.txt"
    if not page.exists() and not os.environ.get("CI"):
        pytest.skip(f"documentation page not found at {page}")
    _ok(_run(command))


def _docs_check_families(command: str) -> None:
    assert "page and spec agree" in _ok(_run(command))


def _diff(command: str) -> None:
    _ok(_run(command))


def _tree(root: Path, *names: str) -> dict[str, bytes]:
    """The contents of the files under `names`, by path (caches left out)."""
    files = [
        p for n in names for p in ([root / n] if (root / n).is_file() else (root / n).rglob("*"))
    ]
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in files
        if p.is_file() and "__pycache__" not in p.parts
    }


def _make_regen(command: str, checkout: Any) -> None:
    """In a copy of the checkout: with the spec as released, regen changes no file."""
    before = _tree(checkout.root, "generated", "generator-config.yaml")
    out = _ok(checkout.run(command))
    assert "has not changed since release" in out
    assert _tree(checkout.root, "generated", "generator-config.yaml") == before


def _make_pages(command: str, checkout: Any) -> None:
    """In a copy of the checkout: the committed forms are what the page copy renders."""
    if not checkout.page.exists() and not os.environ.get("CI"):
        pytest.skip(f"documentation page not found at {checkout.page}")
    before = _tree(checkout.root, "tests/docs/pages")
    assert "wrote" in _ok(checkout.run(command))
    assert _tree(checkout.root, "tests/docs/pages") == before


RUNNERS: dict[str, Callable[..., None]] = {
    "make audit": _make_audit,
    "make test": _make_test,
    "make audit URL=http://127.0.0.1:8000 KEY=sk-gateway-localmock": _audit_running_server,
    ".venv/bin/videos-contract audit --mock --profile quick --max-creates 0": (
        _audit_quick_read_only
    ),
    "make mock": _make_mock,
    ".venv/bin/videos-contract mock --help": _help,
    ".venv/bin/videos-contract mock --store jobs.db --workers 2": _durable_mock,
    'curl -s http://127.0.0.1:8000/v1/videos -H "Authorization: Bearer sk-gateway-localmock" '
    '-H "Content-Type: application/json" '
    '-d \'{"model": "wan2.6-t2v", "prompt": "a red fox"}\'': _curl,
    '.venv/bin/videos-contract create --model wan2.6-t2v --prompt "a red fox" --wait '
    "--output fox.mp4": _create_fox,
    '.venv/bin/videos-contract create --prompt "a garden" --model veo-3.1-generate-preview '
    "--seconds 8 --size 1920x1080 --wait --output garden.mp4": _create_garden,
    '.venv/bin/videos-contract create --model happyhorse-1.0-t2v --prompt "a white horse" '
    "--seconds 3 --size 1080P --wait --output horse.mp4": _create_horse,
    ".venv/bin/videos-contract proxy --upstream http://127.0.0.1:8000 --record cassette": (
        _proxy_record_replay
    ),
    "VIDEOS_API_URL=http://127.0.0.1:8001 VIDEOS_API_KEY=sk-gateway-localmock "
    '.venv/bin/videos-contract create --model wan2.6-t2v --prompt "a red fox" --wait '
    "--output fox.mp4": _with_proxy,
    ".venv/bin/videos-contract mock --replay cassette": _with_proxy,
    ".venv/bin/videos-contract docs-check ../shared/docs-pages/create-a-video.txt": _docs_check,
    ".venv/bin/videos-contract docs-check tests/docs/pages/video-gen/video-gen.cn.mdx": (
        _docs_check_families
    ),
    ".venv/bin/videos-contract docs-check tests/docs/pages/adapter/models.txt": (
        _docs_check_adapter
    ),
    ".venv/bin/videos-contract diff generated/openapi.released.yaml openapi.yaml "
    "--format markdown": _diff,
    "make regen": _make_regen,
    "make pages": _make_pages,
}


def test_every_readme_command_has_a_runner() -> None:
    commands = readme_commands()
    assert len(commands) >= 8
    missing = [c for c in commands if c not in RUNNERS]
    assert not missing, f"README commands with no test: {missing}"
    stale = [c for c in RUNNERS if c not in commands]
    assert not stale, f"runners for commands no longer in the README: {stale}"


# Runners that serve on port 8000 or write reports/ in the checkout: one worker runs them all
# (pytest-xdist), one after another.
_IN_THE_CHECKOUT = {_make_audit, _audit_running_server, _audit_quick_read_only, _make_mock,
                    _durable_mock}  # fmt: skip


def _params() -> Iterator[Any]:
    for command in readme_commands():
        if command in RUNNERS:
            marks = (
                [pytest.mark.xdist_group("checkout")]
                if RUNNERS[command] in _IN_THE_CHECKOUT
                else []
            )
            yield pytest.param(command, marks=marks, id=command)


@pytest.mark.parametrize("command", list(_params()))
def test_readme_command_runs(command: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    runner = RUNNERS[command]
    if runner in (_make_regen, _make_pages):
        runner(command, request.getfixturevalue("checkout"))
    elif runner in (
        _create_fox,
        _create_garden,
        _create_horse,
        _durable_mock,
        _proxy_record_replay,
    ):
        runner(command, tmp_path)
    else:
        runner(command)


def test_readme_python_example_runs(tmp_path: Path) -> None:
    (block,) = _blocks("python")
    with running_mock(MockConfig(render_seconds=0.3)) as server:
        result = subprocess.run(
            [sys.executable, "-c", block],
            cwd=tmp_path,
            env=_env(VIDEOS_API_URL=server.url, VIDEOS_API_KEY=server.key),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    _ok(result)
    model = re.search(r'json_body\("[^"]*", "([^"]+)"\)', block)
    assert model is not None
    assert probe_video(tmp_path / "fox.mp4").size == _expected_clip(model.group(1))[0]


def test_readme_links_point_at_files() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if target.startswith("http"):
            continue
        assert (PROJECT_ROOT / target).exists(), f"README links to missing {target}"
