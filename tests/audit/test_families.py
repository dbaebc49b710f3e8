"""The audit per model family: one model per family by default, `--model`, `--models all`,
and a model the server calls unknown reported as not offered, never as a violation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from videos_contract.audit.checks.refusals import _family_body, family_near_misses
from videos_contract.audit.serving import serve_in_thread
from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app, running_mock
from videos_contract.paths import SPEC_PATH


class RefusesModels:
    """The mock, except that JSON creates for `refused` models answer 400 "unknown model"."""

    def __init__(self, app: ASGIApp, refused: set[str]) -> None:
        self.app, self.refused = app, refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/videos":
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message: Message = await receive()
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        raw = b"".join(chunks)
        try:
            model = json.loads(raw).get("model")
        except (ValueError, AttributeError):
            model = None
        if model in self.refused:
            body = json.dumps(
                {
                    "error": {
                        "message": f"The model `{model}` does not exist.",
                        "type": "invalid_request_error",
                        "param": "model",
                        "code": "model_not_found",
                    }
                }
            ).encode()
            length = str(len(body)).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", length)]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)


def _audit(url: str, report_dir: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(
        ["audit", "--url", url, "--key", DEFAULT_KEY, "--no-fuzz", "--check",
         "parameters_are_honoured", "--report-dir", str(report_dir), *extra]
    )  # fmt: skip
    summary = json.loads((report_dir / "summary.json").read_text())
    outcomes = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    return code, outcomes["parameters_are_honoured"]


def test_a_family_the_server_does_not_offer_is_not_a_violation(tmp_path: Path) -> None:
    veo = families().named("veo").models[0]
    app = RefusesModels(create_app(MockConfig(render_seconds=0.1)), {veo})
    with serve_in_thread(app) as url:
        code, outcome = _audit(url, tmp_path)
    assert code == 0, outcome
    assert outcome["outcome"] == "passed"
    assert f"not offered by the server: {veo}" in outcome["reason"]


def test_only_unknown_models_make_the_sweep_not_offered(tmp_path: Path) -> None:
    app = RefusesModels(create_app(MockConfig(render_seconds=0.1)), {"kling-v9"})
    with serve_in_thread(app) as url:
        code, outcome = _audit(url, tmp_path, "--model", "kling-v9")
    assert code == 0, outcome
    assert outcome["outcome"] == "not offered"
    assert "kling-v9" in outcome["reason"]


def test_the_settings_file_names_the_models_to_audit(tmp_path: Path) -> None:
    settings = tmp_path / "videos-contract.toml"
    settings.write_text('models = ["kling-v9"]\n', encoding="utf-8")
    app = RefusesModels(create_app(MockConfig(render_seconds=0.1)), {"kling-v9"})
    with serve_in_thread(app) as url:
        code, outcome = _audit(url, tmp_path / "reports", "--config", str(settings))
    assert code == 0, outcome
    assert outcome["outcome"] == "not offered" and "kling-v9" in outcome["reason"]


def test_a_family_swept_at_its_own_values_passes(tmp_path: Path) -> None:
    jimeng = families().named("jimeng").models[0]
    with serve_in_thread(create_app(MockConfig(render_seconds=0.1))) as url:
        code, outcome = _audit(url, tmp_path, "--model", jimeng)
    assert code == 0, outcome
    assert outcome["outcome"] == "passed"


def test_happyhorse_swept_in_its_dashscope_body_passes(tmp_path: Path) -> None:
    """Every length and resolution of both models, nested in `parameters` (the image-to-video
    model with its first frame in `input.media`): each job echoed and rendered as asked."""
    t2v, i2v = families().named("happyhorse").models
    with serve_in_thread(create_app(MockConfig(render_seconds=0.1))) as url:
        code, outcome = _audit(url, tmp_path, "--model", t2v, "--model", i2v)
    assert code == 0, outcome
    assert outcome["outcome"] == "passed"


@pytest.mark.parametrize(
    ("frame", "rendered", "model"),
    [
        # Jimeng's `16:9` at 1920x1080, not the page's actual 1920x1088.
        ("'16:9': 1920x1088", "'16:9': 1920x1080", "jimeng-3.0-pro"),
        # HappyHorse's `1080P` at 1280x720.
        ("1080P: 1920x1080", "1080P: 1280x720", "happyhorse-1.0-t2v"),
    ],
)
def test_a_wrong_frame_for_a_family_is_a_violation(
    frame: str, rendered: str, model: str, tmp_path: Path
) -> None:
    """A server that renders a family's size at another frame than the spec's."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(frame) == 1
    changed = tmp_path / "openapi.yaml"
    changed.write_text(text.replace(frame, rendered), encoding="utf-8")
    app = create_app(MockConfig(render_seconds=0.1, spec_path=changed))
    with serve_in_thread(app) as url:
        code, outcome = _audit(url, tmp_path / "reports", "--model", model)
    assert code == 1
    assert outcome["outcome"] == "failed"
    assert frame.rpartition(": ")[2] in json.dumps(outcome["violations"])


def _audit_defect(defects: tuple[str, ...], report_dir: Path, *extra: str) -> tuple[int, Any]:
    """An audit of one check (`--check` in `extra`) against the mock with `defects`."""
    with running_mock(MockConfig(render_seconds=0.1, defects=defects)) as server:
        code = main(
            ["audit", "--url", server.url, "--key", server.key, "--no-fuzz",
             "--report-dir", str(report_dir), *extra]
        )  # fmt: skip
    summary = json.loads((report_dir / "summary.json").read_text())
    outcomes = {c["check"]: c for group in summary["operations"] for c in group["checks"]}
    return code, outcomes


# Defects of the model families, each tripped here by the one check that sees it.
FAMILY_DEFECTS = {"veo-seconds-as-number", "veo-seconds-refused", "veo-image-refused"}


@pytest.mark.parametrize(
    ("model", "words"),
    [("wan2.6-t2v", "create wan2.6-t2v (Alibaba Wan) with seconds='1'"),
     ("sora-2", "create sora-2 (OpenAI Sora) with size='1024x1792'"),
     ("doubao-seedance-2-0-fast-260128", "with duration=0"),
     ("happyhorse-1.0-t2v", "(Alibaba HappyHorse) with parameters.duration=2"),
     ("happyhorse-1.0-i2v", "happyhorse-1.0-i2v (Alibaba HappyHorse) with parameters.duration=2")],
)  # fmt: skip
def test_a_family_near_miss_taken_for_the_default_is_a_violation(
    tmp_path: Path, model: str, words: str
) -> None:
    """The families' own near misses (a length outside the model's set, another model's
    size) are refused by the mock and caught when a server rounds them to the default."""
    check = "near_miss_values_are_refused"
    args = ("--check", check, "--model", model)
    code, outcomes = _audit_defect(("family-miss-accepted",), tmp_path, *args)
    assert code == 1
    # Each near miss is a case of its own: every one the server took is reported.
    violations = outcomes[check]["violations"]
    assert words in violations[0]["at_fault"], violations


def test_every_family_s_near_misses_are_listed_from_its_schema() -> None:
    catalogue = families()
    misses = {m: family_near_misses(catalogue.for_model(m), m) for m in catalogue.models}
    assert ("size", "1024x1792") in misses["sora-2"]  # sora-2-pro only
    assert ("size", "832x480") in misses["wan2.6-t2v"]  # wan2.6 has no 480P
    assert ("size", "4k") in misses["veo-2.0-generate-001"]
    assert ("seconds", "5") in misses["veo-3.1-generate-preview"]  # Veo 3: 4, 6, 8
    for model, found in misses.items():
        family = catalogue.for_model(model)
        assert all(family.refuses({**_family_body(family, model), k: v}, k) for k, v in found)
        assert not family.refused_paths(family.shaped(_family_body(family, model)))
    # HappyHorse's, in the DashScope body: a length either side of 3-15, no other size.
    assert misses["happyhorse-1.0-t2v"] == [("parameters.duration", 2), ("parameters.duration", 16)]


def test_veo_seconds_taken_only_as_a_number_is_noted_not_failed(tmp_path: Path) -> None:
    check = "parameters_are_honoured"
    # Two jobs are enough: the first is refused as a string and accepted as an integer.
    args = ("--check", check, "--model", "veo-3.1-generate-preview", "--max-creates", "2")
    code, outcomes = _audit_defect(("veo-seconds-as-number",), tmp_path, *args)
    assert code == 0, outcomes[check]
    assert outcomes[check]["outcome"] == "passed"
    assert "`seconds` accepted only as an integer" in outcomes[check]["reason"]


@pytest.mark.parametrize(
    ("defect", "words"),
    [("veo-seconds-refused", "documented capability refused: Google Veo `seconds`"),
     ("veo-image-refused", "documented capability refused: Google Veo image-to-video")],
)  # fmt: skip
def test_a_documented_veo_capability_refused_is_a_violation(
    tmp_path: Path, defect: str, words: str
) -> None:
    check = "parameters_are_honoured"
    args = ("--check", check, "--model", "veo-3.1-generate-preview")
    code, outcomes = _audit_defect((defect,), tmp_path, *args)
    assert code == 1
    # Each near miss is a case of its own: every one the server took is reported.
    violations = outcomes[check]["violations"]
    assert words in violations[0]["at_fault"], violations
