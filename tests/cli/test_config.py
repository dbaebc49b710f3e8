"""The settings file: found, checked, merged under the flags, shown masked, obeyed by the audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from videos_contract.cli import main
from videos_contract.mock import MockServer

SECRET = "sk-gateway-SettingsFileKey1234567"


def _write(folder: Path, text: str, name: str = "videos-contract.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _show(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["config", "show", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'key = "{SECRET}"\n', "must not hold the API key"),
        (f'api_key = "{SECRET}"\n', "must not hold the API key"),
        (f'key_env = "{SECRET}"\n', "key_env must be the NAME of an environment variable"),
        ('profile = "thorough"\n', "profile 'thorough'"),
        ('max_creates = "five"\n', "max_creates: expected int"),
        ("colour = 1\n", "unknown setting"),
        ("models = 5\n", 'models: expected a list of model names or "all", got 5'),
        ('models = "some"\n', 'models: expected a list of model names or "all"'),
        ("models = [1]\n", 'models: expected a list of model names or "all"'),
        ("rate_limit = nan\n", "rate_limit: must be a finite number"),
        ("rate_limit = -1.5\n", "rate_limit: must be a finite number"),
        ('[severity]\nno_such_check = "warning"\n', "no such check"),
        ('[severity]\ndeleted_video_is_gone = "fatal"\n', "one of error, warning, off"),
        ('url = "${NOT_SET_ANYWHERE}"\n', "${NOT_SET_ANYWHERE} is not set"),
        ("url = [\n", "is not valid TOML"),
        ('docs_sources = "https://docs.example/a"\n', "expected [[docs_sources]] tables"),
        ('[[docs_sources]]\nurl = "https://u:p@docs.example/a"\n', "user name or password"),
    ],
)
def test_a_bad_settings_file_is_one_line_and_exit_2(
    text: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    path = _write(tmp_path, text)
    code, out, err = _show(capsys, "--config", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err
    assert SECRET not in err


def test_flags_override_the_file_and_the_key_is_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_VIDEOS_KEY", SECRET)
    monkeypatch.setenv("GATEWAY_HOST", "gateway.example")
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path,
        'url = "https://${GATEWAY_HOST}/v1"\nkey_env = "TEAM_VIDEOS_KEY"\nprofile = "quick"\n'
        'max_creates = 3\nwithout = ["remixVideo"]\nreport_dir = "out"\n'
        '[severity]\ncontent_supports_byte_ranges = "warning"\n',
    )
    code, out, _ = _show(capsys, "--profile", "standard")
    assert code == 0
    assert SECRET not in out
    lines = {line.split("#")[0].strip() for line in out.splitlines()}
    assert 'url = "https://gateway.example/v1"' in lines
    assert 'profile = "standard"' in lines  # the flag wins
    assert "max_creates = 3" in lines
    assert 'without = ["remixVideo"]' in lines
    assert 'content_supports_byte_ranges = "warning"' in lines
    assert 'deleted_video_is_gone = "error"' in lines
    assert "(masked)" in out and "# flag" in out and "# file" in out


def _shown(out: str) -> set[str]:
    return {line.split("#")[0].strip() for line in out.splitlines()}


def test_models_in_the_file_map_to_the_model_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _show(capsys)
    assert code == 0 and "# models unset: one model per family" in out
    _write(tmp_path, 'models = ["veo-3.0-generate-preview", "my-own-model"]\n')
    code, out, _ = _show(capsys)
    assert code == 0
    assert 'models = ["veo-3.0-generate-preview", "my-own-model"]' in _shown(out)
    code, out, _ = _show(capsys, "--models", "all")  # the flag wins
    assert code == 0 and 'models = "all"' in _shown(out) and "# flag" in out
    code, out, _ = _show(capsys, "--model", "sora-2")
    assert code == 0 and 'models = ["sora-2"]' in _shown(out)
    _write(tmp_path, 'models = "all"\n')
    code, out, _ = _show(capsys)
    assert code == 0 and 'models = "all"' in _shown(out) and "# file" in out


def test_docs_sources_are_shown_with_their_variables_substituted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCS_HOST", "docs.example")
    text = (
        '[[docs_sources]]\nurl = "https://${DOCS_HOST}/news.md"\nkind = "news"\n\n'
        '[[docs_sources]]\nurl = "https://docs.example/Video-Gen.md"\n'
    )
    code, out, _ = _show(capsys, "--config", str(_write(tmp_path, text)))
    assert code == 0
    shown = out[out.index("[[docs_sources]]") :]
    assert shown.count("[[docs_sources]]") == 2
    assert 'url = "https://docs.example/news.md"\nkind = "news"' in shown
    assert 'url = "https://docs.example/Video-Gen.md"' in shown


def test_the_table_in_pyproject_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, '[tool.videos-contract]\nprofile = "quick"\n', "pyproject.toml")
    code, out, _ = _show(capsys)
    assert code == 0 and "pyproject.toml" in out and 'profile = "quick"' in out


def test_a_missing_config_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _show(capsys, "--config", "nowhere.toml")
    assert code == 2 and "nowhere.toml" in err


def _audit_with_settings(
    severity: str,
    server: MockServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str, dict[str, object]]:
    monkeypatch.setenv("MOCK_URL", server.url)
    monkeypatch.setenv("MOCK_KEY", server.key)
    path = _write(
        tmp_path,
        f'url = "${{MOCK_URL}}"\nkey_env = "MOCK_KEY"\nreport_dir = "{tmp_path / "reports"}"\n'
        f'[severity]\ndeleted_video_is_gone = "{severity}"\n',
    )
    code = main(["audit", "--config", str(path), "--no-fuzz", "--check", "deleted_video_is_gone"])
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text("utf-8"))
    return code, json.dumps(summary), summary


@pytest.mark.videos_mock(defects=["undeletable"])
@pytest.mark.parametrize(("severity", "exit_code"), [("error", 1), ("warning", 0)])
def test_severity_decides_whether_a_violation_fails_the_audit(
    severity: str,
    exit_code: int,
    videos_mock: MockServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, text, _ = _audit_with_settings(severity, videos_mock, tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert code == exit_code, out
    assert "deleted_video_is_gone" in text and '"failed"' in text
    assert ("Warnings only" in out) is (severity == "warning")


def test_severity_off_leaves_the_check_not_run(
    videos_mock: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text, _ = _audit_with_settings("off", videos_mock, tmp_path, monkeypatch)
    assert code == 0
    assert "switched off (severity off in the settings file)" in text


def test_config_show_names_the_server_the_audit_would_use_without_a_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIDEOS_API_URL", raising=False)
    code, out, _ = _show(capsys)
    assert code == 0 and "# url unset: refused, unless --mock" in out
    code, out, _ = _show(capsys, "--mock")
    assert code == 0 and "refused, unless --mock" not in out
    url_line = next(line for line in out.splitlines() if "url unset" in line)
    assert "the embedded mock" in url_line and url_line.endswith("# --mock")
