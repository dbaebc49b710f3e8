"""Each family's request forms on the wire, against the mock on a socket: JSON with the
length as a string and as an integer, multipart, and Seedance's literal `extra_body`.

Which forms a family takes is read from its schema (a `seconds` with a string branch, an
integer branch, or both; the multipart form is the default family's only), never typed here.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from videos_contract.families import Family, families
from videos_contract.mock import MockServer
from videos_contract.spec import load_spec

LISTED = [f for f in families() if f.models]


def _types(family: Family) -> set[str]:
    prop = family.field_schema(family.seconds_field)
    return {str(b["type"]) for b in [prop, *prop.get("oneOf", [])] if "type" in b}


def _post(server: MockServer, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.key}"}
    return httpx.post(f"{server.url}/v1/videos", headers=headers, timeout=30, **kwargs)


@pytest.mark.parametrize("family", LISTED, ids=[f.name for f in LISTED])
def test_the_length_as_a_string_and_as_an_integer(family: Family, mock_server: MockServer) -> None:
    model = family.models[0]
    length = int(family.field_default(family.seconds_field))
    types = _types(family)
    for form, value in (("string", str(length)), ("integer", length)):
        answer = _post(
            mock_server, json=family.body_of(model, "a fox", {family.seconds_field: value})
        )
        if form in types:
            assert answer.status_code == 200, answer.text
            job = answer.json()
            echoed = job.get("duration", job.get("seconds"))
            assert str(echoed) == str(length)
        else:
            assert answer.status_code == 400, (form, answer.text)
            assert answer.json()["error"]["param"] == family.seconds_field
    # The pages' form is a string, and every family but Seedance and HappyHorse (`duration`,
    # an integer in both) takes it.
    assert "string" in types or family.seconds_field.rpartition(".")[2] == "duration"


@pytest.mark.parametrize("family", LISTED, ids=[f.name for f in LISTED])
def test_the_multipart_form_is_the_default_family_s_only(
    family: Family, mock_server: MockServer
) -> None:
    fields = {"prompt": (None, "a fox"), "model": (None, family.models[0])}
    answer = _post(mock_server, files=fields)
    if family.default:
        assert answer.status_code == 200, answer.text
    else:
        assert answer.status_code == 400
        assert answer.json()["error"]["param"] == "model"


def test_seedance_fields_inside_a_literal_extra_body(mock_server: MockServer) -> None:
    """The unified page's curl puts Seedance's fields in a literal `extra_body` object."""
    seedance = families().named("seedance")
    resolution = seedance.allowed(seedance.models[0], seedance.size_field)[0]
    options = {seedance.seconds_field: 4, seedance.size_field: resolution, "ratio": "16:9"}
    body = {"prompt": "a surfer", "model": seedance.models[0], "extra_body": options}
    answer = _post(mock_server, json=body)
    assert answer.status_code == 200, answer.text
    job = answer.json()
    frame = seedance.frame(str(resolution))
    assert frame is not None
    assert (job["width"], job["height"], job["duration"]) == (*frame, 4)


def _adapter_only(source: str) -> list[str]:
    """The models whose only sources are `source` and others that are not pages."""
    catalogue = families()
    pages = {name for name, s in catalogue.sources.items() if s.kind == "page"}
    return [
        model
        for family in catalogue
        for model in family.models
        if source in family.sources.get(model, ()) and not pages & set(family.sources[model])
    ]


@pytest.mark.parametrize("model", [*_adapter_only("adapter"), *_adapter_only("news-page")])
def test_each_model_the_news_page_or_the_adapter_names_renders(
    model: str, mock_server: MockServer
) -> None:
    family = families().for_model(model)
    url = "https://example.com/first.png"
    body = family.body_of(
        model, "a fox", {name: family.reference_value(url) for name in family.requires(model)}
    )
    answer = _post(mock_server, json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == model


def test_the_adapter_s_fields_are_taken() -> None:
    """Veo's `generate_audio` and `seed`, Seedance's `seed`, `camera_fixed` and `9:21`."""
    catalogue = families()
    veo, seedance = catalogue.named("veo"), catalogue.named("seedance")
    assert {"generate_audio", "seed"} <= set(veo.properties)
    assert {"seed", "camera_fixed"} <= set(seedance.properties)
    assert "9:21" in seedance.candidates("ratio")


def test_new_fields_and_a_size_spelled_with_a_star_through_the_mock(
    mock_server: MockServer,
) -> None:
    catalogue = families()
    veo = catalogue.named("veo").models[0]
    seedance = catalogue.named("seedance").models[-1]
    wan = catalogue.named("wan").models[0]
    star = next(v for v in catalogue.named("wan").allowed(wan, "size") if "*" in str(v))
    answers = [
        _post(mock_server, json={"prompt": "a", "model": veo, "generate_audio": True, "seed": 7}),
        _post(
            mock_server,
            json={
                "prompt": "a",
                "model": seedance,
                "seed": 7,
                "camera_fixed": True,
                "ratio": "9:21",
            },
        ),
        _post(mock_server, json={"prompt": "a", "model": wan, "size": star}),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
    width, _, height = str(star).partition("*")
    assert (answers[2].json()["width"], answers[2].json()["height"]) == (int(width), int(height))
    tall = answers[1].json()
    assert tall["height"] > tall["width"]  # 9:21 is a portrait frame
    # A Seedance 1.x model takes no last frame, a Veo model no unknown field.
    refused = _post(
        mock_server,
        json={
            "prompt": "a",
            "model": seedance,
            "content": [{"type": "image_url", "image_url": {"url": "u"}, "role": "last_frame"}],
        },
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"].startswith("content")
    odd = _post(mock_server, json={"prompt": "a", "model": veo, "camera_fixed": True})
    assert odd.status_code == 400 and odd.json()["error"]["param"] == "camera_fixed"


UNLISTED = "kling-v2-1"  # a model name no family lists (the spec's own check below)


def test_an_unlisted_model_is_refused_naming_the_model(mock_server: MockServer) -> None:
    assert not families().known(UNLISTED)
    answer = _post(mock_server, json={"prompt": "a kite", "model": UNLISTED})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["param"] == "model" and UNLISTED in error["message"]
    typo = families().named("wan").models[0].rsplit("-", 1)[0]  # `wan2.6`: a typo
    assert _post(mock_server, json={"prompt": "a", "model": typo}).status_code == 400


@pytest.mark.videos_mock(accept_unlisted_models=True)
def test_unlisted_models_take_the_generic_rules_when_accepted(mock_server: MockServer) -> None:
    catch_all = families().catch_all
    answer = _post(
        mock_server,
        json={"prompt": "a kite", "model": UNLISTED, "image_list": ["https://e.com/a.png"]},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == UNLISTED
    too_many = ["https://e.com/a.png"] * (catch_all.properties["image_list"]["maxItems"] + 1)
    refused = _post(
        mock_server, json={"prompt": "a kite", "model": UNLISTED, "image_list": too_many}
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "image_list"


def test_the_mock_command_takes_the_unlisted_models_option() -> None:
    from videos_contract.cli import build_parser
    from videos_contract.cli.mock import mock_config

    parser = build_parser()
    assert not mock_config(parser.parse_args(["mock"])).accept_unlisted_models
    accepted = mock_config(parser.parse_args(["mock", "--accept-unlisted-models"]))
    assert accepted.accept_unlisted_models


def test_the_mock_command_takes_a_default_model() -> None:
    """Without `--default-model` a create must name its model; with it, the older pages'
    behaviour comes back. A blank model is refused in one line (exit 2)."""
    from videos_contract.cli import build_parser
    from videos_contract.cli.common import CliError
    from videos_contract.cli.mock import mock_config

    parser = build_parser()
    model = LISTED[-1].models[0]
    assert mock_config(parser.parse_args(["mock"])).default_model is None
    chosen = mock_config(parser.parse_args(["mock", "--default-model", model]))
    assert chosen.default_model == model
    with pytest.raises(CliError) as refused:
        mock_config(parser.parse_args(["mock", "--default-model", " "]))
    assert "default_model" in str(refused.value)


@pytest.mark.parametrize(
    "default", [None, next(f for f in reversed(LISTED) if not f.nested).models[0]]
)
def test_a_create_without_a_model_is_refused_or_takes_the_default(default: str | None) -> None:
    from videos_contract.mock import MockConfig, running_mock

    with running_mock(MockConfig(render_seconds=0.2, default_model=default)) as server:
        answer = httpx.post(
            f"{server.url}/v1/videos",
            json={"prompt": "a kite"},
            headers={"Authorization": f"Bearer {server.key}"},
        )
    if default is None:
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["param"] == "model"
    else:
        assert answer.status_code == 200, answer.text
        assert answer.json()["model"] == default


ALIASED = [f for f in LISTED if f.seconds_field != "duration" and "duration" in f.properties]


@pytest.mark.parametrize("family", ALIASED, ids=[f.name for f in ALIASED])
def test_the_duration_alias_is_honoured_or_refused(family: Family, mock_server: MockServer) -> None:
    """`{"model": ..., "duration": N}` renders N seconds; never `seconds` in its place."""
    model = family.models[0]
    default = int(family.field_default(family.seconds_field))
    other = next(int(v) for v in family.allowed(model, "duration") if int(v) != default)
    body: dict[str, Any] = {"prompt": "a fox", "model": model, "duration": other}
    for name in family.requires(model):
        body[name] = "https://example.com/first.png"
    job = _post(mock_server, json=body).json()
    assert str(job.get("duration", job.get("seconds"))) == str(other), job
    # A typed client fills `seconds` with its default: `duration` still decides.
    filled = {**body, family.seconds_field: family.field_default(family.seconds_field)}
    job = _post(mock_server, json=filled).json()
    assert str(job.get("duration", job.get("seconds"))) == str(other), job
    # The alias decides whatever `seconds` says, and the job says what it renders.
    lengths = [int(v) for v in family.allowed(model, "duration")]
    third = next((n for n in lengths if n not in (default, other)), default)
    job = _post(mock_server, json={**body, family.seconds_field: str(third)}).json()
    assert str(job.get("duration", job.get("seconds"))) == str(other), job


def _completed(server: MockServer, model: str) -> str:
    family = families().for_model(model)
    url = "https://example.com/first.png"
    body = family.body_of(
        model, "a fox", {name: family.reference_value(url) for name in family.requires(model)}
    )
    job = _post(server, json=body).json()
    headers = {"Authorization": f"Bearer {server.key}"}
    for _ in range(600):
        state = httpx.get(f"{server.url}/v1/videos/{job['id']}", headers=headers).json()
        if state["status"] == "completed":
            return str(job["id"])
        time.sleep(0.05)
    raise AssertionError(f"{model} job never completed")


@pytest.mark.videos_mock(render_seconds=0.05)
def test_remix_and_image_variants_only_where_the_family_offers_them(
    mock_server: MockServer,
) -> None:
    headers = {"Authorization": f"Bearer {mock_server.key}"}
    for family in LISTED:
        job = _completed(mock_server, family.models[0])
        remix = httpx.post(
            f"{mock_server.url}/v1/videos/{job}/remix", headers=headers, json={"prompt": "b"}
        )
        if family.remix:
            assert remix.status_code == 200, remix.text
        else:
            assert remix.status_code == 400, remix.text
            assert remix.json()["error"]["param"] == "video_id"
        for variant in load_spec().enum("ContentVariant"):
            answer = httpx.get(
                f"{mock_server.url}/v1/videos/{job}/content",
                params={"variant": variant},
                headers=headers,
            )
            if variant in family.variants:
                assert answer.status_code == 200, (family.name, variant, answer.text)
            else:
                assert answer.status_code == 400, (family.name, variant)
                assert answer.json()["error"]["param"] == "variant"
    assert any(f.remix for f in LISTED) and not all(f.remix for f in LISTED)


# --- HappyHorse's DashScope-native body (the adapter's builder, src/adapters/video.ts:
# `body = { model: wireModel, input: dashInput, parameters }`)
HAPPYHORSE = families().named("happyhorse")
T2V, I2V = HAPPYHORSE.models
FRAME_URL = "https://example.com/first-frame.png"


def test_the_adapter_s_happyhorse_body_renders_its_parameters(mock_server: MockServer) -> None:
    """The body the adapter builds (its test's `toMatchObject`), at every ratio and both
    resolutions: the job's frame keeps the resolution's short side, its length the duration."""
    for resolution in HAPPYHORSE.allowed(T2V, HAPPYHORSE.size_field):
        base = HAPPYHORSE.frame(str(resolution))
        assert base is not None
        for ratio in HAPPYHORSE.candidates(HAPPYHORSE.ratio_field):
            parameters = {"resolution": resolution, "duration": 3, "ratio": ratio,
                          "prompt_extend": True, "watermark": False}  # fmt: skip
            body = {"model": T2V, "input": {"prompt": "a sunset"}, "parameters": parameters}
            answer = _post(mock_server, json=body)
            assert answer.status_code == 200, answer.text
            job = answer.json()
            across, down = (int(n) for n in str(ratio).split(":"))
            short = min(base)
            assert min(job["width"], job["height"]) == short, (ratio, job)
            assert (job["width"] >= job["height"]) == (across >= down), (ratio, job)
            assert (job["duration"], job["prompt"], job["model"]) == (3, "a sunset", T2V)


def test_happyhorse_image_to_video_takes_its_first_frame(mock_server: MockServer) -> None:
    media = HAPPYHORSE.reference_value(FRAME_URL)
    body = {"model": I2V, "input": {"prompt": "cat stretches", "media": media},
            "parameters": {"aspect_ratio": "1:1", "seed": 7}}  # fmt: skip
    answer = _post(mock_server, json=body)
    assert answer.status_code == 200, answer.text
    job = answer.json()
    frame = HAPPYHORSE.frame(str(HAPPYHORSE.field_default(HAPPYHORSE.size_field)))
    assert frame is not None
    # The adapter's `aspect_ratio` is honoured like `ratio`; the defaults fill the rest.
    assert (job["width"], job["height"]) == (min(frame), min(frame))
    assert job["duration"] == HAPPYHORSE.field_default(HAPPYHORSE.seconds_field)


def _hh(model: str, prompt: Any = "x", media: Any = None, **parameters: Any) -> dict[str, Any]:
    """A DashScope body; `media` a list of (type, url)."""
    inner: dict[str, Any] = {} if prompt is None else {"prompt": prompt}
    if media is not None:
        inner["media"] = [{"type": kind, "url": url} for kind, url in media]
    body: dict[str, Any] = {"model": model, "input": inner}
    return {**body, "parameters": parameters} if parameters else body


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (_hh(I2V), "input.media"),
        (_hh(T2V, prompt=""), "input.prompt"),
        (_hh(T2V, prompt=None), "input.prompt"),
        (_hh(T2V, media=[("first_frame", FRAME_URL)]), "input.media"),
        (_hh(I2V, media=[("last_frame", FRAME_URL)]), "input.media[0].type"),
        (_hh(I2V, media=[("first_frame", "ftp://e/a.png")]), "input.media[0].url"),
        (_hh(T2V, duration=2), "parameters.duration"),
        (_hh(T2V, duration=16), "parameters.duration"),
        (_hh(T2V, resolution="720p"), "parameters.resolution"),
        (_hh(T2V, ratio="21:9"), "parameters.ratio"),
        (_hh(T2V, seed=-1), "parameters.seed"),
        (_hh(T2V, size="1280x720"), "parameters.size"),
        ({**_hh(T2V), "seconds": "5"}, "seconds"),
        ({"model": T2V}, "input"),
    ],
)
def test_a_bad_happyhorse_field_is_refused_by_name(
    body: dict[str, Any], param: str, mock_server: MockServer
) -> None:
    answer = _post(mock_server, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param


def test_each_shape_for_the_other_family_s_model_is_refused_clearly(
    mock_server: MockServer,
) -> None:
    """The flat body for a HappyHorse model, and the DashScope body for a Wan model."""
    flat = _post(mock_server, json={"model": T2V, "prompt": "a fox", "seconds": "5"})
    assert flat.status_code == 400
    error = flat.json()["error"]
    assert error["param"] == "input"
    assert HAPPYHORSE.prompt_field in error["message"] and T2V in error["message"]
    wan = families().named("wan").models[0]
    nested = _post(mock_server, json={"model": wan, "input": {"prompt": "a fox"}})
    assert nested.status_code == 400
    error = nested.json()["error"]
    assert error["param"] == "input"
    assert wan in error["message"] and "flat body" in error["message"]
