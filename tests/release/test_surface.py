"""The generated client as a second opinion on `diff`: its public surface, compared."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from videos_contract.cli import main
from videos_contract.paths import GENERATED_DIR, GENERATOR_CONFIG, SPEC_PATH
from videos_contract.release.specdiff import Level, diff_specs, highest_level
from videos_contract.release.specdiff.schemas import Differ
from videos_contract.release.surface import (
    client_surface,
    compare_surfaces,
    generate_and_compare,
    judge,
    merged,
    package_in,
)

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def base() -> Doc:
    loaded: Doc = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def surface() -> dict[str, tuple[str, str]]:
    return client_surface(package_in(GENERATED_DIR))


def test_the_surface_names_modules_functions_fields_and_values(
    surface: dict[str, tuple[str, str]],
) -> None:
    assert surface["api.videos.list_videos"] == ("module", "module")
    kind, signature = surface["api.videos.list_videos.sync"]
    assert kind == "function" and "limit: int | Unset=20" in signature
    assert surface["models.video_error.VideoError.message"] == ("field", "str")
    kind, values = surface["models.video_seconds.VideoSeconds"]
    assert kind == "constant" and values.startswith("Literal[")
    assert not any(name.rsplit(".", 1)[-1].startswith("_") for name in surface)
    assert compare_surfaces(surface, surface) == []


def test_surface_changes_carry_the_least_level_they_imply(
    surface: dict[str, tuple[str, str]],
) -> None:
    changed = dict(surface)
    del changed["models.video_error.VideoError.code"]
    changed["api.videos.list_videos.sync"] = (
        "function",
        surface["api.videos.list_videos.sync"][1].replace("Unset=20", "Unset=50"),
    )
    values = surface["models.video_seconds.VideoSeconds"][1]
    changed["models.video_seconds.VideoSeconds"] = ("constant", values.replace("]", ', "16"]'))
    # A new response model: the return types gain a member.
    for function, kind in (
        ("sync_detailed", "Response[ErrorResponse | VideoList"),
        ("asyncio", ""),
    ):
        name = f"api.videos.list_videos.{function}"
        signature = surface[name][1]
        grown = signature.replace("VideoList", "VideoList | Teapot", 1)
        assert grown != signature and kind in signature
        changed[name] = ("function", grown)
    found = {c.name: (c.kind, c.level) for c in compare_surfaces(surface, changed)}
    assert found == {
        "models.video_error.VideoError.code": ("removed", Level.BREAKING),
        "api.videos.list_videos.sync": ("changed", Level.BREAKING),
        "api.videos.list_videos.sync_detailed": ("changed", Level.ADDITIVE),
        "api.videos.list_videos.asyncio": ("changed", Level.ADDITIVE),
        "models.video_seconds.VideoSeconds": ("widened", Level.ADDITIVE),
    }


def _drop_progress(doc: Doc) -> None:
    video = doc["components"]["schemas"]["Video"]
    video["properties"].pop("progress")
    video["then"]["required"].remove("progress")


def test_the_client_catches_a_rule_that_is_wrong(
    base: Doc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the field-removal rule broken to say additive, the generated client still sees a
    field gone from a model, and the verdict is breaking with both opinions in the report."""
    original = Differ.add

    def misclassify(self: Differ, level: Level, rule: str, where: str, message: str) -> None:
        if rule == "property-removed":
            level = Level.ADDITIVE
        original(self, level, rule, where, message)

    monkeypatch.setattr(Differ, "add", misclassify)
    new = copy.deepcopy(base)
    _drop_progress(new)
    changes = diff_specs(base, new)
    assert highest_level(changes) is Level.ADDITIVE  # the broken rule alone would let it pass

    opinion = generate_and_compare(base, new, changes, config=GENERATOR_CONFIG)
    assert opinion.error is None
    (disagreement,) = opinion.disagreements
    assert (disagreement.level, disagreement.rule, disagreement.where) == (
        Level.BREAKING,
        "client-surface",
        "client models.video.Video.progress",
    )
    assert "rated the spec change additive" in disagreement.message
    assert opinion.notes == (
        "the generated client disagrees: its surface says breaking, the rules say additive; "
        "the larger level counts",
    )
    assert highest_level(merged(changes, opinion)) is Level.BREAKING


def test_a_breaking_change_the_client_cannot_show_stays_breaking(
    base: Doc, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A narrowed limit: the client's surface is the same, the verdict stays breaking, and the
    report says why (`diff --client`, JSON and text)."""
    new = copy.deepcopy(base)
    new["components"]["schemas"]["VideoPrompt"]["maxLength"] = 1000
    old_file, new_file = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old_file.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    new_file.write_text(yaml.safe_dump(new, sort_keys=False), encoding="utf-8")
    assert main(["diff", str(old_file), str(new_file), "--client", "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["breaking"] is True
    assert [c["rule"] for c in result["changes"]] == ["maxLength-narrowed"]
    assert result["client"]["level"] is None and result["client"]["changes"] == []
    (note,) = result["client"]["notes"]
    assert note.startswith("the generated client's public surface is unchanged; the change")
    assert "stays breaking" in note


def test_judge_without_any_change_says_so() -> None:
    opinion = judge([], [])
    assert opinion.notes == ("the generated client's public surface is unchanged",)
    assert opinion.disagreements == ()


def test_a_required_parameter_made_optional_is_compatible(
    surface: dict[str, tuple[str, str]],
) -> None:
    """An optional request body: `body: X` becomes `body: X | Unset=UNSET` (and the reverse
    breaks)."""
    name = "api.videos.remix_video.sync"
    signature = surface[name][1]
    assert "body: RemixVideoRequest)" in signature
    optional = dict(surface)
    optional[name] = (
        "function",
        signature.replace("RemixVideoRequest)", "RemixVideoRequest | Unset=UNSET)"),
    )
    (change,) = compare_surfaces(surface, optional)
    assert change.level is Level.ADDITIVE
    (change,) = compare_surfaces(optional, surface)
    assert change.level is Level.BREAKING


def test_a_respelled_type_is_no_change(surface: dict[str, tuple[str, str]]) -> None:
    name = "models.other_video_request.OtherVideoRequest.image_list"
    kind, text = surface[name]
    assert kind == "field" and text.startswith("list[Any] | Unset")
    respelled = {**surface, name: (kind, text.replace("list[Any]", "list[Any | str]", 1))}
    (change,) = compare_surfaces(surface, respelled)
    assert (change.kind, change.level) == ("respelled", Level.DOCUMENTATION)
    assert judge([], [change]).disagreements == ()
