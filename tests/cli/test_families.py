"""`create` for every model family: values from the spec, refusals in one line, `--help`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.contract import reference_png
from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import MockServer
from videos_contract.probe import probe_video
from videos_contract.protocol import KEY_ENV, URL_ENV

FAMILIES = families()


@pytest.fixture
def on_mock(mock_server: MockServer, monkeypatch: pytest.MonkeyPatch) -> MockServer:
    monkeypatch.setenv(URL_ENV, mock_server.url)
    monkeypatch.setenv(KEY_ENV, mock_server.key)
    return mock_server


def test_veo_at_1080p_for_eight_seconds(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "garden.mp4"
    argv = ["create", "--prompt", "a garden", "--model", "veo-3.1-generate-preview"]
    argv += ["--seconds", "8", "--size", "1920x1080", "--wait", "--interval", "0.05"]
    code = main([*argv, "--output", str(target), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    video = json.loads(out)  # the Video, with its download beside its fields
    assert (video["model"], video["width"], video["height"], video["duration"]) == (
        "veo-3.1-generate-preview",
        1920,
        1080,
        8,
    )
    info = probe_video(target)
    assert info.size == "1920x1080"
    assert info.duration == pytest.approx(8.0, abs=0.2)


@pytest.mark.parametrize("model", FAMILIES.representatives())
def test_every_family_is_created_waited_for_and_downloaded_with_its_defaults(
    model: str, on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    family = FAMILIES.for_model(model)
    target = tmp_path / "heron.mp4"
    argv = ["create", "--prompt", "a heron", "--model", model, "--json"]
    argv += ["--wait", "--interval", "0.05", "--output", str(target)]
    if family.reference_field in family.requires(model):
        argv += ["--reference", "https://example.com/heron.png"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    video = json.loads(out)
    assert (video["model"], video["status"]) == (model, "completed")
    # The clip is the frame and length the spec gives the family's defaults.
    frame = family.frame(str(family.field_default(family.size_field)))
    info = probe_video(target)
    assert frame is not None and (info.width, info.height) == frame
    length = int(family.field_default(family.seconds_field))
    assert info.duration == pytest.approx(length, abs=0.2)


@pytest.mark.parametrize(
    ("model", "option", "value"),
    [
        ("wan2.6-t2v", "--size", "832x480"),
        ("veo-2.0-generate-001", "--size", "4k"),
        ("sora-2", "--size", "1792x1024"),
        ("jimeng-3.0-pro", "--seconds", "7"),
        ("doubao-seedance-2-0-260128", "--seconds", "five"),
        ("happyhorse-1.0-t2v", "--seconds", "2"),
        ("happyhorse-1.0-t2v", "--size", "480P"),
        ("happyhorse-1.0-t2v", "--reference", "https://example.com/first.png"),
        ("happyhorse-1.0-i2v", "--seconds", "three"),
    ],
)
def test_a_value_the_family_refuses_is_one_line(
    model: str, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["create", "--prompt", "a fox", "--model", model, option, value])
    _, err = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in err
    assert option in err and value in err


def test_help_lists_every_family_and_its_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["create", "--help"])
    out, _ = capsys.readouterr()
    for family in FAMILIES:
        assert family.title in out
        for model in family.models:
            assert model in out
        for value in family.candidates(family.size_field):
            assert str(value) in out
    sora = FAMILIES.default_family
    assert f"sunset {sora.sunset}" in out


def _text(values: tuple[object, ...]) -> str:
    strings = [str(v) for v in values if isinstance(v, str)]
    return ", ".join(strings or [str(v) for v in values])


def test_help_lists_values_per_model_where_they_differ(capsys: pytest.CaptureFixture[str]) -> None:
    """A model is shown the values it takes, never its family's union (Veo 2 and Veo 3 take
    different lengths): whatever `create` would refuse for a model is not listed for it."""
    with pytest.raises(SystemExit):
        main(["create", "--help"])
    lines = capsys.readouterr().out.splitlines()
    differing = 0
    for family in FAMILIES:
        if not family.models:
            continue
        for option, name in (("--seconds", family.seconds_field), ("--size", family.size_field)):
            per_model = {model: _text(family.allowed(model, name)) for model in family.models}
            if len(set(per_model.values())) == 1:
                (values,) = set(per_model.values())
                assert any(line.startswith(f"    {option} ({name}): {values}") for line in lines)
                continue
            differing += 1
            header = next(
                i for i, line in enumerate(lines) if line.startswith(f"  {family.name} (")
            )
            start = next(
                i
                for i in range(header, len(lines))
                if lines[i].startswith(f"    {option} ({name}), per model")
            )
            rows = []
            for line in lines[start + 1 :]:
                if not line.startswith("      "):
                    break
                models, values = line.strip().split(": ", 1)
                rows += [(model, values) for model in models.split(", ")]
            assert sorted(rows) == sorted(per_model.items()), (family.name, name)
    assert differing >= 2, "no family's models differ: the test would show nothing"


def test_happyhorse_flags_map_onto_the_dashscope_body(
    on_mock: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--seconds` is `parameters.duration`, `--size` `parameters.resolution`, a
    `--reference` file the first frame of `input.media` (a data: URL); the clip is that."""
    happyhorse = FAMILIES.named("happyhorse")
    model = next(
        m for m in happyhorse.models if happyhorse.reference_field in happyhorse.requires(m)
    )
    image = tmp_path / "first.png"
    image.write_bytes(reference_png("320x320"))
    target = tmp_path / "horse.mp4"
    argv = ["create", "--prompt", "a horse", "--model", model, "--seconds", "3"]
    argv += ["--size", "1080P", "--reference", str(image), "--json"]
    code = main([*argv, "--wait", "--interval", "0.05", "--output", str(target)])
    out, err = capsys.readouterr()
    assert code == 0, err
    video = json.loads(out)
    assert (video["model"], video["width"], video["height"], video["duration"]) == (
        model,
        1920,
        1080,
        3,
    )
    info = probe_video(target)
    assert info.size == "1920x1080"
    assert info.duration == pytest.approx(3.0, abs=0.2)


def test_happyhorse_image_to_video_without_its_first_frame_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["create", "--prompt", "a horse", "--model", "happyhorse-1.0-i2v"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and "--reference" in err and "input.media" in err


def test_help_says_where_happyhorse_takes_its_first_frame(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["create", "--help"])
    out = capsys.readouterr().out
    assert "--seconds (parameters.duration): 3, 4, 5" in out
    assert "--reference (input.media): the first frame, required by happyhorse-1.0-i2v" in out
