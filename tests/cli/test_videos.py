"""The video commands, in-process through `main` and once as a real subprocess."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import FAIL_MARKER, MockServer
from videos_contract.probe import probe_image, probe_video
from videos_contract.protocol import KEY_ENV, URL_ENV
from videos_contract.spec import load_spec

# `create` names its model (none is defaulted): the default family's first, whose
# multipart form these tests exercise.
MODEL = families().default_family.models[0]


@pytest.fixture(autouse=True)
def no_server_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test names its server itself (or none, for the embedded mock)."""
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)


@pytest.fixture
def on_mock(mock_server: MockServer, monkeypatch: pytest.MonkeyPatch) -> MockServer:
    monkeypatch.setenv(URL_ENV, mock_server.url)
    monkeypatch.setenv(KEY_ENV, mock_server.key)
    return mock_server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_create_wait_output_with_the_embedded_mock(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "fox.mp4"
    code, out, err = run(
        capsys,
        "create",
        "--model",
        MODEL,
        "--prompt",
        "a red fox",
        "--wait",
        "--output",
        str(target),
    )
    assert code == 0, err
    assert "embedded mock" in err
    assert f"saved {target}" in out
    info = probe_video(target)
    assert info.size == load_spec().default("VideoSize")
    assert info.duration == pytest.approx(float(load_spec().default("VideoSeconds")), abs=0.1)


def test_lifecycle_as_json(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = load_spec()
    size = families().default_family.allowed(MODEL, "size")[-1]
    created = run_json(capsys, "create", "--model", MODEL, "--prompt", "a heron", "--size", size)
    assert created["status"] in spec.enum("VideoStatus")
    assert created["size"] == size

    done = run_json(capsys, "get", created["id"], "--wait", "--interval", "0.05")
    assert done["status"] == "completed"

    for variant in spec.enum("ContentVariant"):
        target = tmp_path / f"asset-{variant}"
        saved = run_json(
            capsys, "download", created["id"], "--variant", variant, "--output", str(target)
        )
        assert saved["bytes"] == target.stat().st_size > 0
        if variant == "video":
            assert probe_video(target).size == size
        else:
            assert probe_image(target).format in ("webp", "jpeg")

    remixed = run_json(capsys, "remix", created["id"], "--prompt", "at night", "--wait")
    assert remixed["remixed_from_video_id"] == created["id"]
    assert remixed["status"] == "completed"

    listed = run_json(capsys, "list", "--all", "--limit", "1")
    assert {v["id"] for v in listed["data"]} == {created["id"], remixed["id"]}
    page = run_json(capsys, "list", "--limit", "1")
    assert page["has_more"] is True and len(page["data"]) == 1

    assert run_json(capsys, "delete", created["id"])["deleted"] is True
    code, out, err = run(capsys, "get", created["id"])
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "404" in err and "video_not_found" in err


def test_human_output(on_mock: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "create", "--model", MODEL, "--prompt", "a kite", "--wait")
    assert code == 0, err
    assert "completed  100%" in out
    assert "'a kite'" in out
    code, out, _ = run(capsys, "list")
    assert code == 0 and "a kite" in out


def test_create_with_a_file_reference(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    size = load_spec().default("VideoSize")
    width, height = (int(n) for n in size.split("x"))
    image = tmp_path / "first-frame.png"
    Image.new("RGB", (width, height), (200, 80, 20)).save(image)
    created = run_json(
        capsys, "create", "--model", MODEL, "--prompt", "a fox", "--reference", str(image)
    )
    assert created["status"] in load_spec().enum("VideoStatus")


def test_create_with_a_reference_of_the_wrong_size(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image = tmp_path / "small.png"
    Image.new("RGB", (64, 64)).save(image)
    code, out, err = run(
        capsys, "create", "--model", MODEL, "--prompt", "a fox", "--reference", str(image)
    )
    assert code == 1 and out == ""
    assert "64x64" in err and "input_reference" in err


def test_create_with_a_url_reference(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    created = run_json(
        capsys,
        "create",
        "--model",
        MODEL,
        "--prompt",
        "a fox",
        "--reference",
        "https://example.com/fox.png",
    )
    assert created["status"] in load_spec().enum("VideoStatus")


def test_failed_job_is_one_line_and_non_zero(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "create", "--model", MODEL, "--prompt", f"a storm {FAIL_MARKER}", "--wait"
    )
    assert code == 1
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1 and "failed (" in lines[0]


def test_download_of_an_unfinished_job(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with on_mock.service.holding():
        created = run_json(capsys, "create", "--model", MODEL, "--prompt", "a snail")
        code, _, err = run(capsys, "download", created["id"], "-o", str(tmp_path / "x.mp4"))
    assert code == 1 and "video_not_ready" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["create"],
        ["download", "video_1", "--variant", "poster", "-o", "x"],
        ["get", "video_1", "--timeout", "-1"],
    ],
)
def test_bad_arguments_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and f"videos-contract {argv[0]}: error:" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["create", "--model", MODEL, "--prompt", "x", "--size", "640x480"],
        ["create", "--model", MODEL, "--prompt", "x", "--seconds", "5"],
    ],
)
def test_values_the_spec_refuses_are_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and argv[-2] in err and argv[-1] in err


def test_choices_come_from_the_spec(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["create", "--help"])
    out, _ = capsys.readouterr()
    spec = load_spec()
    for schema in ("VideoModel", "VideoSeconds", "VideoSize"):
        assert ", ".join(spec.enum(schema)) in out


def test_refused_key_is_never_printed(
    mock_server: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "sk-gateway-notthekey0123456789"
    code, out, err = run(capsys, "list", "--url", mock_server.url, "--key", secret)
    assert code == 1
    assert "401" in err
    assert secret not in out + err


def test_missing_key_with_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "list", "--url", "http://127.0.0.1:9")
    assert code == 2 and KEY_ENV in err


def test_progress_bars_when_asked(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "clip.mp4"
    code, _, err = run(
        capsys,
        "create",
        "--model",
        MODEL,
        "--prompt",
        "a boat",
        "-o",
        str(target),
        "--progress",
        "always",
    )
    assert code == 0
    assert "100%" in err and "completed" in err
    assert "kB" in err  # the download bar
    code, _, err = run(
        capsys, "create", "--model", MODEL, "--prompt", "a boat", "--wait", "--quiet"
    )
    assert code == 0 and err == ""


def test_subprocess_create_wait_output(tmp_path: Path) -> None:
    """The installed command, as a user runs it: no server set up by hand."""
    script = Path(sys.executable).with_name("videos-contract")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "videos_contract"]
    env = {k: v for k, v in os.environ.items() if k not in (URL_ENV, KEY_ENV)}
    target = tmp_path / "fox.mp4"
    done = subprocess.run(
        [
            *command,
            "create",
            "--model",
            MODEL,
            "--prompt",
            "a red fox",
            "--wait",
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "embedded mock" in done.stderr
    assert "Traceback" not in done.stderr
    assert probe_video(target).size == load_spec().default("VideoSize")


@pytest.mark.parametrize("flag", ["-q", "--json"])
def test_scripts_without_a_server_are_refused(
    flag: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "q.mp4"
    code, out, err = run(
        capsys, "create", "--model", MODEL, "--prompt", "x", flag, "--wait", "-o", str(target)
    )
    assert code == 2
    if flag == "--json":
        assert URL_ENV in json.loads(out)["error"]["message"]
    assert URL_ENV in err and "--mock" in err
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_the_unasked_mock_is_announced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "list", "--progress", "never")
    assert code == 0, err
    assert "warning:" in err and "embedded mock" in err and URL_ENV in err


def test_the_mock_when_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "q.mp4"
    code, _, err = run(
        capsys, "create", "--model", MODEL, "--prompt", "x", "-q", "--mock", "-o", str(target)
    )
    assert code == 0, err
    assert err == ""
    probe_video(target)
    code, _, err = run(capsys, "list", "--mock", "--url", "http://127.0.0.1:9")
    assert code == 2 and "--mock" in err


def test_json_failures_are_one_document(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A failed job: the job itself, with its error, and a non-zero exit.
    for argv in (["create", "--model", MODEL, "--prompt", f"a storm {FAIL_MARKER}", "--wait"],):
        code, out, err = run(capsys, *argv, "--json")
        assert code == 1 and "failed (" in err
        failed = json.loads(out)
        assert failed["status"] == "failed" and failed["error"]["code"]
        code, out, _ = run(capsys, "get", failed["id"], "--wait", "--json")
        assert code == 1 and json.loads(out)["id"] == failed["id"]
    # Any other failure: an error object carrying the exit code.
    code, out, _ = run(capsys, "get", "video_missing", "--json")
    assert code == 1
    assert json.loads(out)["error"]["exit_code"] == 1
    with pytest.raises(SystemExit):
        main(["get", "video_1", "--timeout", "-1", "--json"])
    out, _ = capsys.readouterr()
    assert json.loads(out)["error"]["exit_code"] == 2


def test_create_output_json_is_the_video_with_its_download(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "fox.mp4"
    saved = run_json(
        capsys,
        "create",
        "--model",
        MODEL,
        "--prompt",
        "a fox",
        "-o",
        str(target),
        "--interval",
        "0.05",
    )
    assert saved["status"] == "completed" and saved["object"] == "video"
    assert saved["download"]["path"] == str(target)
    assert saved["download"]["bytes"] == target.stat().st_size


def test_list_all_json_failure_closes_the_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "list", "--all", "--json", "--url", "http://127.0.0.1:9", "--key", "k"
    )
    assert code == 1
    assert json.loads(out)["error"]["exit_code"] == 1


@pytest.mark.parametrize("argv", [["list"], ["list", "--json"], ["list", "--all"]])
def test_a_closed_pipe_ends_quietly(on_mock: MockServer, argv: list[str]) -> None:
    main(["create", "--model", MODEL, "--prompt", "one", "-q"])
    read, write = os.pipe()
    os.close(read)  # no reader at all: the first write meets a closed pipe, every time
    try:
        done = subprocess.run(
            [sys.executable, "-m", "videos_contract", *argv],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == 141


def _current_model() -> str:
    """A listed model with no retirement date: the first of the first such family."""
    catalogue = families()
    return next(m for m in catalogue.models if catalogue.retired_on(m) is None)


def test_create_without_a_model_refuses_naming_the_flag(
    on_mock: MockServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no settings file here
    code, out, err = run(capsys, "create", "--prompt", "a fox")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--model" in err


def test_create_takes_the_settings_file_s_model(
    on_mock: MockServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = _current_model()
    (tmp_path / "videos-contract.toml").write_text(f'model = "{model}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    created = run_json(capsys, "create", "--prompt", "a fox")
    assert created["model"] == model


def test_create_with_a_retired_model_warns(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = families()
    retired = next(m for m in catalogue.models if catalogue.retired(m, "9999-12-31"))
    date = catalogue.retired_on(retired)
    assert date is not None
    code, _, err = run(capsys, "create", "--model", retired, "--prompt", "a fox")
    if date <= datetime.date.today().isoformat():
        assert code == 0 and f"{retired} was retired on {date}" in err
    current = _current_model()
    code, _, err = run(capsys, "create", "--model", current, "--prompt", "a fox")
    assert code == 0 and "retired" not in err


def test_create_sends_extra_fields_as_given(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    veo = families().named("veo")
    model = next(m for m in veo.models if families().retired_on(m) is None)
    created = run_json(
        capsys, "create", "--model", model, "--prompt", "a garden", "--extra", "seed=42",
        "--extra", "generate_audio=false",
    )  # fmt: skip
    assert created["model"] == model
    # Not checked here: the server's refusal of a field Veo does not take is what comes back.
    code, _, err = run(
        capsys, "create", "--model", model, "--prompt", "x", "--extra", "camera_fixed=true"
    )
    assert code == 1 and "camera_fixed" in err


@pytest.mark.parametrize("value", ["seed", "=1", "style=anime"])
def test_a_malformed_extra_is_one_line(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["create", "--model", MODEL, "--prompt", "x", "--extra", value])
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "--extra" in err and "Traceback" not in err
