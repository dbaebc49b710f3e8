# The quotes are the pages' own text: full-width punctuation and long table rows.
# ruff: noqa: RUF001, E501
"""Traceability per model family: what the unified page copies state, and what the spec says.

Each row quotes a page copy (the quote must be in the copy, whitespace-insensitive) and
names what the spec must answer, read through `videos_contract.families` (so the per-model
`if`/`then` rules count). Rows whose answer departs from the quote are known deviations,
listed in docs/deviations.md and docs/families.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from videos_contract.families import Families, families
from videos_contract.paths import PROJECT_ROOT
from videos_contract.spec import load_spec
from videos_contract.validator import Compiled

PAGES = PROJECT_ROOT / "tests" / "docs" / "pages" / "video-gen"
CN = "video-gen.cn.mdx"
EN = "video-gen.en.txt"
# The sources beside the unified page (their copies' headers name them), relative to PAGES.
NEWS = "../news/news.cn.mdx"
ADAPTER = "../adapter/models.txt"
GOOGLE = "../lifecycle/google-veo.txt"


@dataclass(frozen=True)
class Row:
    family: str
    field: str
    page: str
    quote: str
    check: Callable[[Families], Any]
    expected: Any


def _allowed(model: str, name: str) -> Callable[[Families], list[str]]:
    return lambda f: [str(v) for v in f.for_model(model).allowed(model, name) if isinstance(v, str)]


def _ints(model: str, name: str) -> Callable[[Families], list[int]]:
    return lambda f: [v for v in f.for_model(model).allowed(model, name) if isinstance(v, int)]


def _default(family: str, name: str) -> Callable[[Families], Any]:
    return lambda f: f.named(family).field_default(name)


def _sizes(model: str) -> Callable[[Families], list[str]]:
    """The model's sizes in the `x` spelling (each also has its `*` twin, checked apart)."""
    return lambda f: [v for v in _allowed(model, "size")(f) if "*" not in v]


def _on(source: str, family: str) -> Callable[[Families], list[str]]:
    """The models of `family` whose entry names `source`."""
    return lambda f: [m for m in f.named(family).models if source in f.named(family).sources[m]]


def _accepts(model: str, **fields: Any) -> Callable[[Families], list[str]]:
    """The fields a body of `model` with `fields` is refused for (none: accepted)."""
    return lambda f: f.for_model(model).refusals({"prompt": "x", "model": model, **fields})


SEEDANCE_1 = [
    "doubao-seedance-1-0-pro-250528",
    "doubao-seedance-1-0-pro-fast-251015",
    "doubao-seedance-1-5-pro-251215",
]
WAN_27 = ["1280x720", "720x1280", "1920x1080", "1080x1920", "720x720", "1080x1080", "960x720",
          "720x960", "1440x1080", "1080x1440"]  # fmt: skip


WAN_480 = ["832x480", "480x832", "624x624"]
WAN_720 = ["1280x720", "720x1280", "960x960", "1088x832", "832x1088"]
WAN_1080 = ["1920x1080", "1080x1920", "1440x1440", "1632x1248", "1248x1632"]

ROWS = [
    # --- Sora
    Row("sora", "model", CN, "| 模型 | `sora-2`、`sora-2-pro` |",
        lambda f: list(f.named("sora").models), ["sora-2", "sora-2-pro"]),
    # Sora's values are the first page's enums (tests/spec/test_traceability.py holds them to
    # that page); here: the unified page lists the same ones, and the family takes them.
    Row("sora", "seconds", CN, '| 时长 (seconds) | `"4"`（默认）、`"8"`、`"12"` |',
        lambda f: _allowed("sora-2", "seconds")(f) == list(load_spec().enum("VideoSeconds")),
        True),
    Row("sora", "size (sora-2-pro)", CN,
        "| 分辨率 (size) | `720x1280`（默认）、`1280x720`、`1024x1792`、`1792x1024` |",
        lambda f: _allowed("sora-2-pro", "size")(f) == list(load_spec().enum("VideoSize")),
        True),
    # Known deviation: OpenAI allows the tall and wide sizes only for sora-2-pro.
    Row("sora", "size (sora-2)", CN,
        "| 分辨率 (size) | `720x1280`（默认）、`1280x720`、`1024x1792`、`1792x1024` |",
        _allowed("sora-2", "size"), ["720x1280", "1280x720"]),
    Row("sora", "lifecycle", CN, "| OpenAI | `sora-2` |",
        lambda f: (f.named("sora").deprecated, f.named("sora").sunset), (True, "2026-09-24")),
    # --- Veo
    Row("veo", "model", CN,
        "`veo-3.1-generate-preview`（推荐）、`veo-3.1-fast-generate-preview`（快速）、"
        "`veo-3.0-generate-preview`、`veo-2.0-generate-001`",
        _on("unified-page", "veo"),
        ["veo-3.1-generate-preview", "veo-3.1-fast-generate-preview",
         "veo-3.0-generate-preview", "veo-2.0-generate-001"]),
    Row("veo", "model (lite)", ADAPTER,
        "veo-3.1-lite-generate-preview | veo | flat, seconds a number | - | 4, 6, 8 | 720p, 1080p | 16:9, 9:16 | seed, generate_audio",
        lambda f: (_allowed("veo-3.1-lite-generate-preview", "seconds")(f),
                   _allowed("veo-3.1-lite-generate-preview", "size")(f)[:2],
                   "4k" in _allowed("veo-3.1-lite-generate-preview", "size")(f),
                   _accepts("veo-3.1-lite-generate-preview", input_reference="u")(f),
                   _on("adapter", "veo")(f)),
        (["4", "6", "8"], ["720p", "1080p"], False, ["model"],
         ["veo-3.1-generate-preview", "veo-3.1-lite-generate-preview"])),
    Row("veo", "generate_audio and seed", ADAPTER,
        "veo-3.1-generate-preview | veo | flat, seconds a number | - | 4, 6, 8 | 720p, 1080p, 4K | 16:9, 9:16 | seed, generate_audio",
        _accepts("veo-3.1-generate-preview", generate_audio=False, seed=42), []),
    Row("veo", "retirement (Veo 2)", GOOGLE, "| `veo-2.0-generate-001` | `veo-3.1-generate-001` |",
        lambda f: (f.retired_on("veo-2.0-generate-001"),
                   f.named("veo").sources["veo-2.0-generate-001"]),
        ("2026-06-30", ("unified-page",))),
    Row("veo", "seconds (Veo 3/3.1)", CN, 'Veo 3/3.1：`"4"`、`"6"`、`"8"`',
        _allowed("veo-3.0-generate-preview", "seconds"), ["4", "6", "8"]),
    Row("veo", "seconds (Veo 2)", CN, 'Veo 2：`"5"`~`"8"`（默认 `"8"`）',
        lambda f: (_allowed("veo-2.0-generate-001", "seconds")(f), _default("veo", "seconds")(f)),
        (["5", "6", "7", "8"], "8")),
    Row("veo", "seconds as an integer", EN, "The seconds parameter for all models is always passed",
        # Known deviation: the gateway's adapter sends a number; both forms are accepted.
        lambda f: [
            n for n in range(1, 10)
            if not f.named("veo").refusals(
                {"prompt": "x", "model": "veo-3.1-generate-preview", "seconds": n}
            )
        ],
        [4, 6, 8]),
    Row("veo", "size", CN,
        "`720p`（默认）、`1080p`、`4k`（4K 仅 Veo 3\\+），或像素格式如 `1280x720`、`1920x1080`",
        lambda f: (_allowed("veo-3.1-generate-preview", "size")(f)[:3], _default("veo", "size")(f)),
        (["720p", "1080p", "4k"], "720p")),
    Row("veo", "size (Veo 2)", CN, "`4k`（4K 仅 Veo 3\\+）",
        lambda f: "4k" in _allowed("veo-2.0-generate-001", "size")(f), False),
    Row("veo", "input_reference", CN,
        '通过 `input_reference` 传入首帧图片（Veo 3.1），使用时 `seconds` 固定为 `"8"`',
        lambda f: (
            f.named("veo").allowed("veo-3.1-generate-preview", "seconds", input_reference="u"),
            f.named("veo").refusals(
                {"prompt": "x", "model": "veo-3.0-generate-preview", "input_reference": "u"}
            ),
        ),
        (("8",), ["model"])),
    # --- Wan
    Row("wan", "model", CN,
        "| 文生视频模型 | `wan2.6-t2v`（推荐）、`wan2.5-t2v-preview`、`wan2.2-t2v-plus` |",
        lambda f: list(f.named("wan").models)[:3],
        ["wan2.6-t2v", "wan2.5-t2v-preview", "wan2.2-t2v-plus"]),
    Row("wan", "model (i2v)", CN,
        "| 图生视频模型 | `wan2.6-i2v`（推荐）、`wan2.5-i2v-preview`、`wan2.2-i2v-plus` |",
        lambda f: list(f.named("wan").models)[3:6],
        ["wan2.6-i2v", "wan2.5-i2v-preview", "wan2.2-i2v-plus"]),
    Row("wan", "model (wan2.7)", NEWS,
        "- `wan2.7-t2v`：高品质文生视频。 - `wan2.7-i2v`：精准图生视频。 "
        "- `wan2.7-r2v`：基于参考视频的风格迁移与生成。 - `wan2.7-videoedit`：智能视频编辑与重绘。",
        _on("news-page", "wan"), ["wan2.7-t2v", "wan2.7-i2v", "wan2.7-r2v", "wan2.7-videoedit"]),
    Row("wan", "size and seconds (wan2.7)", ADAPTER,
        "wan2.7-t2v | generic | flat | first_frame, last_frame | 2-15 | " + ", ".join(WAN_27),
        lambda f: (_sizes("wan2.7-t2v")(f), _allowed("wan2.7-t2v", "seconds")(f),
                   f.named("wan").requires("wan2.7-i2v")),
        (WAN_27, [str(n) for n in range(2, 16)], ("input_reference",))),
    Row("wan", "size spelled with *", CN,
        "| 分辨率 (size) | 见下方表格，`x` 和 `*` 分隔符均可（如 `1920x1080` 或 `1920*1080`） |",
        lambda f: [v.replace("*", "x") for v in _allowed("wan2.6-t2v", "size")(f) if "*" in v]
        == _sizes("wan2.6-t2v")(f) and f.named("wan").frame("1920*1080") == (1920, 1080),
        True),
    Row("wan", "seconds (wan2.6)", CN, '| `wan2.6-t2v` / `wan2.6-i2v` | `"2"`~`"15"`（任意整数值） | `"5"` |',
        lambda f: (_allowed("wan2.6-i2v", "seconds")(f), _default("wan", "seconds")(f)),
        ([str(n) for n in range(2, 16)], "5")),
    Row("wan", "seconds (wan2.5)", CN, '| `wan2.5-t2v-preview` / `wan2.5-i2v-preview` | `"5"` 或 `"10"` |',
        _allowed("wan2.5-t2v-preview", "seconds"), ["5", "10"]),
    Row("wan", "seconds (wan2.2)", CN, '| `wan2.2-t2v-plus` / `wan2.2-i2v-plus` | `"5"`（固定） |',
        _allowed("wan2.2-t2v-plus", "seconds"), ["5"]),
    Row("wan", "size (wan2.6)", CN, "wan2.6 仅支持 720P 和 1080P",
        _sizes("wan2.6-t2v"), WAN_720 + WAN_1080),
    Row("wan", "size (wan2.5)", CN, "wan2.5 支持 480P、720P、1080P",
        _sizes("wan2.5-t2v-preview"), WAN_480 + WAN_720 + WAN_1080),
    Row("wan", "size (wan2.2)", CN, "wan2.2 仅支持 480P 和 1080P",
        _sizes("wan2.2-i2v-plus"), WAN_480 + WAN_1080),
    Row("wan", "size default", CN, "| 720P | `1280x720`（默认）",
        _default("wan", "size"), "1280x720"),
    Row("wan", "input_reference (i2v)", CN, "| `model` | string | 是 |",
        lambda f: (f.named("wan").requires("wan2.6-i2v"), f.named("wan").requires("wan2.6-t2v")),
        (("input_reference",), ())),
    # --- Jimeng
    Row("jimeng", "model", CN, "| 模型 | `jimeng-3.0-pro`（推荐）、`jimeng-3.0-1080p` |",
        lambda f: list(f.named("jimeng").models), ["jimeng-3.0-pro", "jimeng-3.0-1080p"]),
    Row("jimeng", "frames", CN, "| `16:9` 或 `1920x1080` | 1920×1088 |",
        lambda f: (f.named("jimeng").frame("16:9"), f.named("jimeng").frame("1920x1080")),
        ((1920, 1088), (1920, 1088))),
    Row("jimeng", "frames", CN, "| `21:9` 或 `2176x928` | 2176×928 |",
        lambda f: f.named("jimeng").frame("21:9"), (2176, 928)),
    Row("jimeng", "seconds", CN, '| 时长 (seconds) | `"5"` 或 `"10"`（默认 `"5"`） |',
        lambda f: (_allowed("jimeng-3.0-1080p", "seconds")(f), _default("jimeng", "seconds")(f)),
        (["5", "10"], "5")),
    Row("jimeng", "size", CN, "| `4:3` 或 `1664x1248` | 1664×1248 |",
        lambda f: ({"4:3", "1664x1248"} <= set(_allowed("jimeng-3.0-pro", "size")(f)),
                   f.named("jimeng").frame("4:3")),
        (True, (1664, 1248))),
    # --- Seedance
    Row("seedance", "model", CN,
        "| 模型 | `doubao-seedance-2-0-260128`、`doubao-seedance-2-0-fast-260128` |",
        _on("unified-page", "seedance"),
        ["doubao-seedance-2-0-260128", "doubao-seedance-2-0-fast-260128"]),
    Row("seedance", "model (1.x, first frame only)", ADAPTER,
        "doubao-seedance-1-0-pro-250528 | seedance | content[] | first_frame | 4-15 | 480p, 720p",
        lambda f: (_on("adapter", "seedance")(f)[2:],
                   [_allowed(m, "resolution")(f) for m in SEEDANCE_1],
                   _accepts(SEEDANCE_1[2], content=[
                       {"type": "image_url", "image_url": {"url": "u"}, "role": "first_frame"}])(f),
                   _accepts(SEEDANCE_1[0], content=[
                       {"type": "image_url", "image_url": {"url": "u"}, "role": "last_frame"}])(f)),
        (SEEDANCE_1, [["480p", "720p"]] * 3, [], ["content"])),
    Row("seedance", "model (1.0 pro fast)", ADAPTER,
        "doubao-seedance-1-0-pro-fast-251015 | seedance | content[] | first_frame | 4-15 | 480p, 720p",
        _allowed("doubao-seedance-1-0-pro-fast-251015", "resolution"), ["480p", "720p"]),
    Row("seedance", "seed, camera_fixed, 9:21", ADAPTER,
        "doubao-seedance-1-5-pro-251215 | seedance | content[] | first_frame | 4-15 | 480p, 720p | 16:9, 9:16, 4:3, 3:4, 21:9, 1:1, 9:21 | generate_audio, seed, watermark, camera_fixed",
        lambda f: [_accepts(m, seed=7, camera_fixed=True, ratio="9:21", generate_audio=False,
                            watermark=True)(f) for m in f.named("seedance").models],
        [[]] * 5),
    Row("seedance", "duration", CN, "整数，范围 `4`~`15`，或 `-1`（模型自动决定）",
        _ints("doubao-seedance-2-0-fast-260128", "duration"), [-1, *range(4, 16)]),
    # Known deviation: 1080p for the full model (the Seedance page and the adapter).
    Row("seedance", "resolution", CN, '| 分辨率 (resolution) | `"480p"`、`"720p"`（默认） |',
        lambda f: (_allowed("doubao-seedance-2-0-fast-260128", "resolution")(f),
                   _default("seedance", "resolution")(f)),
        (["480p", "720p"], "720p")),
    # Known deviation: the Seedance page adds 1080p (the full model only).
    Row("seedance", "resolution (1080p)", "seedance.cn.txt", "支持基于文本生成 480p / 720p / 1080p 视频",
        _allowed("doubao-seedance-2-0-260128", "resolution"), ["480p", "720p", "1080p"]),
    Row("seedance", "ratio", CN,
        '`"adaptive"`（默认，自动适配）、`"16:9"`、`"9:16"`、`"1:1"`、`"4:3"`、`"3:4"`、`"21:9"`',
        lambda f: (_allowed("doubao-seedance-2-0-260128", "ratio")(f), _default("seedance", "ratio")(f)),
        # Known deviation: the adapter adds 9:21.
        (["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"], "adaptive")),
    Row("seedance", "content", CN, "| 参考音频 | `audio_url` | `reference_audio` |",
        lambda f: f.named("seedance").refusals({
            "prompt": "x", "model": "doubao-seedance-2-0-260128",
            "content": [{"type": "audio_url", "audio_url": {"url": "u"}, "role": "reference_audio"}],
        }),
        []),
    # --- HappyHorse: the adapter's model list and its DashScope-native builder
    Row("happyhorse", "model", ADAPTER,
        "happyhorse-1.0-t2v | dashscope | input.media + parameters | first_frame | 3-15 | 1080P, 720P | 16:9, 9:16, 1:1, 4:3, 3:4 | seed, prompt_extend, watermark",
        lambda f: (list(f.named("happyhorse").models), _on("adapter", "happyhorse")(f),
                   f.named("happyhorse").body, f.named("happyhorse").prompt_field),
        (["happyhorse-1.0-t2v", "happyhorse-1.0-i2v"],
         ["happyhorse-1.0-t2v", "happyhorse-1.0-i2v"], "dashscope", "input.prompt")),
    Row("happyhorse", "parameters.duration", ADAPTER,
        "happyhorse-1.0-i2v | dashscope | input.media + parameters | first_frame | 3-15",
        lambda f: _ints("happyhorse-1.0-i2v", "parameters.duration")(f),
        list(range(3, 16))),
    # The list's order is 1080P first; the default is the builder's snap (`720P`).
    Row("happyhorse", "parameters.resolution", ADAPTER,
        "happyhorse-1.0-t2v | dashscope | input.media + parameters | first_frame | 3-15 | 1080P, 720P",
        lambda f: (sorted(_allowed("happyhorse-1.0-t2v", "parameters.resolution")(f)),
                   _default("happyhorse", "parameters.resolution")(f)),
        (["1080P", "720P"], "720P")),
    Row("happyhorse", "parameters.ratio", ADAPTER,
        "| 1080P, 720P | 16:9, 9:16, 1:1, 4:3, 3:4 | seed, prompt_extend, watermark",
        lambda f: (list(_allowed("happyhorse-1.0-t2v", "parameters.ratio")(f)),
                   list(_allowed("happyhorse-1.0-t2v", "parameters.aspect_ratio")(f))),
        (["16:9", "9:16", "1:1", "4:3", "3:4"], ["16:9", "9:16", "1:1", "4:3", "3:4"])),
    Row("happyhorse", "seed, prompt_extend, watermark", ADAPTER,
        "| seed, prompt_extend, watermark",
        lambda f: f.named("happyhorse").refusals(
            {"model": "happyhorse-1.0-t2v", "input": {"prompt": "x"},
             "parameters": {"seed": 42, "prompt_extend": True, "watermark": False}}),
        []),
    # First frame only: required by i2v, refused by t2v.
    Row("happyhorse", "input.media", ADAPTER,
        "happyhorse-1.0-i2v | dashscope | input.media + parameters | first_frame |",
        lambda f: (f.named("happyhorse").requires("happyhorse-1.0-i2v"),
                   f.named("happyhorse").requires("happyhorse-1.0-t2v"),
                   f.named("happyhorse").reference_value("https://e.com/a.png")),
        (("input.media",), (), [{"type": "first_frame", "url": "https://e.com/a.png"}])),
    # --- Unlisted models: Kling's image fields, named without any Kling model
    Row("unlisted", "image fields", EN, "Kling uses image / image_tail / image_list to pass images",
        lambda f: (f.named("unlisted").fields, f.named("unlisted").catch_all,
                   f.named("unlisted").vendor,
                   f.named("unlisted").properties["image_list"]["maxItems"]),
        (("image", "image_tail", "image_list"), True, "", 4)),
]  # fmt: skip


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.family}.{r.field}")
def test_page_statement_is_in_the_spec(row: Row) -> None:
    text = (PAGES / row.page).read_text(encoding="utf-8")
    assert _norm(row.quote) in _norm(text), f"{row.page} no longer says {row.quote!r}"
    assert row.check(families()) == row.expected


def test_remix_and_image_variants_are_sora_s_only() -> None:
    """The unified page lists create, retrieve, download (the MP4) and delete for every family;
    remix and the image variants are the OpenAI-compatible API's, so Sora's only."""
    text = _norm((PAGES / CN).read_text(encoding="utf-8"))
    for quote in ("| 下载视频 | GET | `/v1/videos/{video_id}/content` | 下载生成的 MP4 视频 |",
                  "| 删除任务 | DELETE | `/v1/videos/{video_id}` |"):  # fmt: skip
        assert _norm(quote) in text
    assert "/remix" not in text and "thumbnail" not in text
    catalogue = families()
    variants = tuple(load_spec().enum("ContentVariant"))
    for family in catalogue:
        assert family.remix == family.default, family.name
        assert family.variants == (variants if family.default else variants[:1]), family.name


def test_the_page_s_failed_job_is_a_valid_video() -> None:
    """The unified page's failed job carries `{"message", "type"}`: valid, `code` optional."""
    quote = '"error": { "message": "Video generation failed due to content policy violation", "type": "video_generation_error" }'
    text = (PAGES / CN).read_text(encoding="utf-8")
    assert _norm(quote) in _norm(text)
    spec = load_spec()
    job = {"id": "eyJ", "object": "video", "model": families().named("wan").models[0],
           "status": "failed",
           "error": {"message": "Video generation failed due to content policy violation",
                     "type": "video_generation_error"}}  # fmt: skip
    assert list(Compiled(spec.schema("Video")).iter_errors(job)) == []
    assert list(Compiled(spec.schema("VideoError")).iter_errors({"type": "x"})) != []


def test_every_family_has_rows() -> None:
    assert {row.family for row in ROWS} == {family.name for family in families()}


def test_every_listed_model_names_a_source_with_a_copy() -> None:
    """Each model's entry names sources of `x-sources`, and each has a kept copy."""
    catalogue = families()
    for family in catalogue:
        for model in family.models:
            named = family.sources.get(model)
            assert named, f"{model} names no source"
            for source in named:
                copy = catalogue.sources[source].copy
                assert copy and (PAGES.parent / copy).is_file(), f"{model}: {source} has no copy"
    for name, entry in catalogue.sources.items():
        assert entry.url.startswith("https://"), name
        assert entry.copy and (PAGES.parent / entry.copy).is_file(), name


def test_every_model_a_non_page_source_names_is_in_a_row() -> None:
    """The news page's and the adapter's models are each quoted by a row above."""
    quoted = " ".join(row.quote for row in ROWS if row.page in (NEWS, ADAPTER))
    catalogue = families()
    for source in ("news-page", "adapter"):
        for model in catalogue.named_by(source):
            if "unified-page" not in catalogue.for_model(model).sources[model]:
                assert model in quoted, model
