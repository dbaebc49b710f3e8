"""The fuzzer's child process: no key variable in its environment, Hypothesis' storage in a
cache folder that outlives the run (its Unicode tables cost 2-3 s of CPU to compute), and
only the reports asked for besides its NDJSON events."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from videos_contract.audit import fuzz
from videos_contract.audit.engine import AuditConfig
from videos_contract.audit.fuzz import (
    CACHE_ENV,
    EXTRA_REPORTS,
    HYPOTHESIS_STORAGE_ENV,
    command,
    fuzzer_cache,
    fuzzer_environment,
)
from videos_contract.audit.profiles import PROFILES
from videos_contract.paths import PROJECT_ROOT
from videos_contract.protocol import KEY_ENV


def test_the_key_variable_is_left_out_and_the_rest_kept(tmp_path: Path) -> None:
    env = fuzzer_environment({KEY_ENV: "sk-secret", "PATH": "/bin", CACHE_ENV: str(tmp_path)})
    assert KEY_ENV not in env
    assert "sk-secret" not in env.values()
    assert env["PATH"] == "/bin"


def test_hypothesis_storage_goes_to_the_cache_folder(tmp_path: Path) -> None:
    env = fuzzer_environment({CACHE_ENV: str(tmp_path / "cache")})
    assert env[HYPOTHESIS_STORAGE_ENV] == str(tmp_path / "cache" / "hypothesis")
    assert (tmp_path / "cache" / "hypothesis").is_dir()


def test_a_storage_folder_the_user_named_wins(tmp_path: Path) -> None:
    env = fuzzer_environment({CACHE_ENV: str(tmp_path), HYPOTHESIS_STORAGE_ENV: "/mine"})
    assert env[HYPOTHESIS_STORAGE_ENV] == "/mine"
    assert not (tmp_path / "hypothesis").exists()


def test_the_cache_folder_follows_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    assert fuzzer_cache({"XDG_CACHE_HOME": str(xdg)}) == xdg / "videos-contract" / "hypothesis"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".cache" / "videos-contract" / "hypothesis"
    assert fuzzer_cache({}) == expected
    assert expected.is_dir()


def test_no_cache_when_the_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert fuzzer_cache({CACHE_ENV: str(blocker)}) is None
    env = fuzzer_environment({CACHE_ENV: str(blocker), "PATH": "/bin"})
    assert HYPOTHESIS_STORAGE_ENV not in env  # the child computes its tables in its scratch


def test_run_fuzzer_starts_the_child_in_that_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-secret-of-the-audit")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(HYPOTHESIS_STORAGE_ENV, raising=False)
    seen: dict[str, Any] = {}

    def child(args: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        seen.update(options)
        (tmp_path / "out" / "events.ndjson").write_text("")
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(subprocess, "run", child)
    fuzz.run_fuzzer(
        PROJECT_ROOT / "openapi.yaml", "http://127.0.0.1:9", PROFILES["quick"], 0, tmp_path / "out"
    )
    assert KEY_ENV not in seen["env"]
    assert seen["env"][HYPOTHESIS_STORAGE_ENV] == str(tmp_path / "cache" / "hypothesis")
    assert Path(seen["cwd"]) != tmp_path / "cache"  # the scratch folder stays fresh


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def test_the_fuzzer_writes_its_events_and_only_the_reports_asked_for(tmp_path: Path) -> None:
    spec, profile = PROJECT_ROOT / "openapi.yaml", PROFILES["quick"]
    plain = command(spec, "http://127.0.0.1:9", profile, 0, tmp_path)
    assert _option(plain, "--report") == "ndjson"
    assert _option(plain, "--report-ndjson-path") == str(tmp_path / "events.ndjson")
    assert not [arg for arg in plain if arg.endswith(("-har-path", "-vcr-path", "-junit-path"))]
    every = command(spec, "http://127.0.0.1:9", profile, 0, tmp_path, (), ("vcr", "har", "junit"))
    assert _option(every, "--report") == "ndjson,junit,har,vcr"
    for name, file in EXTRA_REPORTS.items():
        assert _option(every, f"--report-{name}-path") == str(tmp_path / file)
    with pytest.raises(ValueError, match="pdf"):
        command(spec, "http://127.0.0.1:9", profile, 0, tmp_path, (), ("pdf",))


def test_an_unknown_report_is_refused_when_the_audit_is_set_up() -> None:
    """Catches a Python caller of `run_audit` learning of a bad format only when the fuzzer
    starts, after the behaviour checks have run (and billed)."""
    with pytest.raises(ValueError, match=r"pdf \(known: junit, har, vcr\)"):
        AuditConfig(fuzzer_reports=("junit", "pdf"))
    assert AuditConfig(fuzzer_reports=("vcr",)).fuzzer_reports == ("vcr",)
