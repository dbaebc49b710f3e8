"""Bad input gets a clear 4xx naming the field; the rules come from openapi.yaml.

Cases are derived from the spec (each enum, length limit, required field and
`additionalProperties` of the create bodies), broken one at a time, for both media types.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml
from PIL import Image
from starlette.applications import Starlette
from starlette.testclient import TestClient

from videos_contract.families import families
from videos_contract.mock import DEFAULT_KEY, MockConfig, create_app
from videos_contract.paths import SPEC_PATH
from videos_contract.probe import probe_image
from videos_contract.spec import HTTP_METHODS, load_spec

MODEL = families().default_family.models[0]

SPEC = load_spec()
CREATE = SPEC.operation("createVideo")
# The Sora branch of the JSON body: a body without `model` is a Sora body.
JSON_SCHEMA = SPEC.schema("CreateVideoJsonRequest")
FORM_SCHEMA = CREATE.request_schema("multipart/form-data")
AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
DEFAULT_SIZE = SPEC.default("VideoSize")


def image_bytes(size: str, fmt: str = "PNG") -> bytes:
    width, _, height = size.partition("x")
    buffer = io.BytesIO()
    Image.new("RGB", (int(width), int(height)), (10, 20, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def client(mock_app: Starlette) -> Iterator[TestClient]:
    with TestClient(mock_app, headers=AUTH, raise_server_exceptions=True) as test_client:
        yield test_client
    assert mock_app.state.service.unexpected_errors == 0


class Answer(Protocol):
    """An HTTP answer as httpx and the test client's transport both give it."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


# Form parts as the test client takes them: (file name, content[, media type]).
FormPart = tuple[str | None, bytes | str] | tuple[str | None, bytes | str, str]
Form = dict[str, FormPart]
FormList = list[tuple[str, FormPart]]


def assert_error(
    response: Answer, status: int, param: str | None, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param, error
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def _broken_values() -> list[tuple[str, Any, str]]:
    """(field, bad value, expected code) for every constraint of the JSON create body."""
    cases: list[tuple[str, Any, str]] = []
    for name, prop in JSON_SCHEMA["properties"].items():
        if "enum" in prop:
            cases.append((name, f"not-{prop['enum'][0]}", "invalid_value"))
        if "minLength" in prop:
            cases.append((name, "x" * (prop["minLength"] - 1), "string_below_min_length"))
        if "maxLength" in prop:
            cases.append((name, "x" * (prop["maxLength"] + 1), "string_above_max_length"))
    return cases


BROKEN = _broken_values()


def test_the_derived_cases_cover_every_constrained_field() -> None:
    constrained = {
        n for n, p in JSON_SCHEMA["properties"].items() if {"enum", "maxLength"} & set(p)
    }
    assert constrained == {name for name, _, _ in BROKEN}
    assert constrained >= {"prompt", "model", "seconds", "size"}


@pytest.mark.parametrize(("field", "value", "code"), BROKEN, ids=[f"{f}-{c}" for f, _, c in BROKEN])
def test_json_body_constraint_broken_names_the_field(
    client: TestClient, field: str, value: Any, code: str
) -> None:
    body = {"model": MODEL, "prompt": "A fox.", field: value}
    if field == "model":
        # In JSON a model the contract does not list takes its own branch, and the mock,
        # serving only the listed models by default, refuses it as unknown.
        assert_error(client.post("/v1/videos", json=body), 400, field, "model_not_found")
        return
    assert_error(client.post("/v1/videos", json=body), 400, field, code)


@pytest.mark.parametrize(("field", "value", "code"), BROKEN, ids=[f"{f}-{c}" for f, _, c in BROKEN])
def test_form_constraint_broken_names_the_field(
    client: TestClient, field: str, value: Any, code: str
) -> None:
    fields = {"model": (None, MODEL), "prompt": (None, "A fox."), field: (None, value)}
    assert_error(client.post("/v1/videos", files=fields), 400, field, code)


@pytest.mark.parametrize("required", JSON_SCHEMA["required"])
def test_missing_required_field(client: TestClient, required: str) -> None:
    body = {"prompt": "A fox.", "model": MODEL}
    body.pop(required)
    assert_error(client.post("/v1/videos", json=body), 400, required, "missing_required_parameter")
    form = {k: (None, v) for k, v in body.items()}
    assert_error(client.post("/v1/videos", files=form), 400, required, "missing_required_parameter")


def test_unknown_fields_are_refused(client: TestClient) -> None:
    assert JSON_SCHEMA["additionalProperties"] is False
    response = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox.", "colour": "red"})
    assert_error(response, 400, "colour", "unknown_parameter")
    response = client.post(
        "/v1/videos",
        files={"model": (None, MODEL), "prompt": (None, "A fox."), "fps": (None, "24")},
    )
    assert_error(response, 400, "fps", "unknown_parameter")


def test_wrong_json_types_are_refused(client: TestClient) -> None:
    error = assert_error(
        client.post("/v1/videos", json={"model": MODEL, "prompt": 5}), 400, "prompt"
    )
    assert error["code"] == "invalid_type"
    assert "string" in error["message"]
    assert_error(client.post("/v1/videos", json=["prompt"]), 400, None, "invalid_type")
    assert_error(
        client.post("/v1/videos", content=b"{nope", headers={"content-type": "application/json"}),
        400,
        None,
        "invalid_json",
    )
    deep = b"[" * 100_000 + b"]" * 100_000
    assert_error(
        client.post("/v1/videos", content=deep, headers={"content-type": "application/json"}),
        400,
        None,
        "invalid_json",
    )


def test_defaults_come_from_the_spec(client: TestClient) -> None:
    video = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()
    assert video["model"] == MODEL
    assert video["seconds"] == SPEC.default("VideoSeconds")
    assert video["size"] == SPEC.default("VideoSize")


# -- input_reference ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_an_image_of_the_requested_size_is_accepted(client: TestClient, fmt: str) -> None:
    size = SPEC.enum("VideoSize")[1]
    files: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "size": (None, size),
        "input_reference": (f"ref.{fmt.lower()}", image_bytes(size, fmt), f"image/{fmt.lower()}"),
    }
    response = client.post("/v1/videos", files=files)
    assert response.status_code == 200, response.text
    assert response.json()["size"] == size


def test_an_image_of_another_size_is_refused_saying_so(client: TestClient) -> None:
    other = SPEC.enum("VideoSize")[1]
    files: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": ("ref.png", image_bytes(other), "image/png"),
    }
    error = assert_error(
        client.post("/v1/videos", files=files), 400, "input_reference", "invalid_image_size"
    )
    assert other in error["message"] and DEFAULT_SIZE in error["message"]


def test_a_file_that_is_not_an_accepted_image_is_refused(client: TestClient) -> None:
    gif = image_bytes(DEFAULT_SIZE, "GIF")
    files: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": ("ref.gif", gif, "image/gif"),
    }
    assert_error(
        client.post("/v1/videos", files=files), 400, "input_reference", "invalid_image_format"
    )
    files["input_reference"] = ("ref.png", b"\x89PNG not really", "image/png")
    assert_error(client.post("/v1/videos", files=files), 400, "input_reference", "invalid_image")


def test_a_file_part_needs_a_file_name(client: TestClient) -> None:
    image = image_bytes(DEFAULT_SIZE)
    for filename in (None, ""):
        files: Form = {
            "model": (None, MODEL),
            "prompt": (None, "A fox."),
            "input_reference": (filename, image, "image/png"),
        }
        error = assert_error(
            client.post("/v1/videos", files=files), 400, "input_reference", "missing_filename"
        )
        assert "filename=" in error["message"]


def test_file_names_are_never_used_as_paths(client: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "planted.png"
    name = str(target)
    files: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": (name, image_bytes(DEFAULT_SIZE), "image/png"),
    }
    assert client.post("/v1/videos", files=files).status_code == 200
    files["input_reference"] = ("../../../../etc/passwd", image_bytes(DEFAULT_SIZE), "image/png")
    assert client.post("/v1/videos", files=files).status_code == 200
    assert not target.exists()


def test_a_plain_string_where_a_file_or_object_belongs(client: TestClient) -> None:
    files: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": (None, "https://example.com/a.png"),
    }
    error = assert_error(client.post("/v1/videos", files=files), 400, "input_reference")
    assert "file" in error["message"] and "object" in error["message"]
    body = {"model": MODEL, "prompt": "A fox.", "input_reference": "https://example.com/a.png"}
    error = assert_error(client.post("/v1/videos", json=body), 400, "input_reference")
    assert "object" in error["message"]


@pytest.mark.parametrize(
    "reference", [{"image_url": "https://example.com/a.png"}, {"file_id": "file_123"}]
)
def test_reference_object_in_every_form(client: TestClient, reference: dict[str, str]) -> None:
    # A JSON part without a file name, as the generated client sends it.
    json_part = (None, json.dumps(reference).encode(), "application/json")
    as_json_part: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": json_part,
    }
    assert client.post("/v1/videos", files=as_json_part).status_code == 200
    brackets: Form = {"model": (None, MODEL), "prompt": (None, "A fox.")}
    brackets.update({f"input_reference[{k}]": (None, v) for k, v in reference.items()})
    assert client.post("/v1/videos", files=brackets).status_code == 200
    body = {"model": MODEL, "prompt": "A fox.", "input_reference": reference}
    assert client.post("/v1/videos", json=body).status_code == 200


@pytest.mark.parametrize(
    "reference",
    [{}, {"image_url": "https://a", "file_id": "f"}, {"image_url": ""}, {"url": "https://a"}],
    ids=["empty", "both", "blank", "unknown-key"],
)
def test_broken_reference_objects(client: TestClient, reference: dict[str, str]) -> None:
    body = {"model": MODEL, "prompt": "A fox.", "input_reference": reference}
    json_part: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference": ("ref.json", json.dumps(reference).encode(), "application/json"),
    }
    for response in (
        client.post("/v1/videos", json=body),
        client.post("/v1/videos", files=json_part),
    ):
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"].startswith("input_reference")


def test_reference_errors_name_the_reference(client: TestClient) -> None:
    body = {
        "model": MODEL,
        "prompt": "A fox.",
        "input_reference": {"image_url": "a", "file_id": "f"},
    }
    error = client.post("/v1/videos", json=body).json()["error"]
    assert error["param"] == "input_reference"
    assert "exactly one of image_url, file_id" in error["message"]
    body["input_reference"] = {"url": "https://a"}
    assert client.post("/v1/videos", json=body).json()["error"]["param"] == "input_reference.url"
    brackets: Form = {
        "model": (None, MODEL),
        "prompt": (None, "A fox."),
        "input_reference[url]": (None, "https://a"),
    }
    response = client.post("/v1/videos", files=brackets)
    assert_error(response, 400, "input_reference.url", "unknown_parameter")


def test_a_field_given_twice_or_in_two_forms(client: TestClient) -> None:
    twice: FormList = [("prompt", (None, "one")), ("prompt", (None, "two"))]
    assert_error(client.post("/v1/videos", files=twice), 400, "prompt", "duplicate_parameter")
    both: FormList = [
        ("prompt", (None, "A fox.")),
        ("input_reference", ("", b'{"file_id": "f"}', "application/json")),
        ("input_reference[image_url]", (None, "https://a")),
    ]
    assert_error(client.post("/v1/videos", files=both), 400, "input_reference")
    as_file: Form = {"model": (None, MODEL), "prompt": ("prompt.txt", b"A fox.", "text/plain")}
    assert_error(client.post("/v1/videos", files=as_file), 400, "prompt", "invalid_type")


def test_malformed_multipart_bodies(client: TestClient) -> None:
    headers = {"content-type": "multipart/form-data"}
    assert_error(client.post("/v1/videos", content=b"x", headers=headers), 400, None)
    headers = {"content-type": "multipart/form-data; boundary=zz"}
    truncated = b'--zz\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nA fox.'
    assert_error(client.post("/v1/videos", content=truncated, headers=headers), 400, None)
    garbage = b"--zz\r\nno headers here\r\n\r\n--zz--\r\n"
    assert_error(client.post("/v1/videos", content=garbage, headers=headers), 400, None)
    unnamed = b"--zz\r\nContent-Disposition: form-data\r\n\r\nA\r\n--zz--\r\n"
    assert_error(client.post("/v1/videos", content=unnamed, headers=headers), 400, None)
    latin = b'--zz\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n\xff\xfe\r\n--zz--\r\n'
    assert_error(client.post("/v1/videos", content=latin, headers=headers), 400, "prompt")


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        # A part name that is not UTF-8: the bytes are not quoted back.
        (b'Content-Disposition: form-data; name="\xff\xfe"', "Segment header failed to decode"),
        (b"Content-Disposition: attachment; name=prompt", "Wrong type"),
        (b"Content-Type: text/plain", "Missing Content-Disposition segment header"),
        (
            b'Content-Disposition: form-data; name="prompt"\r\n' + b"X-Pad: 1\r\n" * 9,
            "Maximum segment header count exceeded",
        ),
        (
            b'Content-Disposition: form-data; name="prompt"\r\nX-Pad: ' + b"a" * 5000,
            "Maximum segment header length exceeded",
        ),
    ],
)
def test_a_refused_part_head_is_answered_with_the_parser_s_reason(
    client: TestClient, head: bytes, reason: str
) -> None:
    body = b"--zz\r\n" + head + b"\r\n\r\nA fox.\r\n--zz--\r\n"
    headers = {"content-type": "multipart/form-data; boundary=zz"}
    error = assert_error(
        client.post("/v1/videos", content=body, headers=headers), 400, None, "invalid_multipart"
    )
    assert error["message"].startswith("The multipart body is malformed: "), error
    assert reason in error["message"], error
    assert "\ufffd" not in error["message"] and "\\x" not in error["message"], error


def test_the_fixed_boundary_of_the_generated_client_parses(client: TestClient) -> None:
    body = (
        b'--+++\r\nContent-Disposition: form-data; name="model"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + MODEL.encode() + b"\r\n"
        b'--+++\r\nContent-Disposition: form-data; name="prompt"\r\n'
        b"Content-Type: text/plain\r\n\r\nA fox.\r\n--+++--\r\n"
    )
    headers = {"content-type": "multipart/form-data; boundary=+++"}
    response = client.post("/v1/videos", content=body, headers=headers)
    assert response.status_code == 200, response.text


# -- media types, auth, ids, methods ---------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "image/png"]
)
def test_create_refuses_other_media_types(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/v1/videos", content=b"prompt=x", headers=headers)
    assert_error(response, 415, None, "unsupported_media_type")


def test_remix_takes_json_only(client: TestClient) -> None:
    video_id = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
    response = client.post(f"/v1/videos/{video_id}/remix", files={"prompt": (None, "Night.")})
    assert_error(response, 415, None, "unsupported_media_type")
    response = client.post(f"/v1/videos/{video_id}/remix", json={"prompt": ""})
    assert_error(response, 400, "prompt", "string_below_min_length")
    response = client.post(f"/v1/videos/{video_id}/remix", json={"prompt": "x", "model": "m"})
    assert_error(response, 400, "model", "unknown_parameter")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic c2stZ2F0ZXdheQ==", "Bearer sk-gateway-wrong", f"{DEFAULT_KEY}"],
)
def test_missing_or_wrong_keys_are_401(mock_app: Starlette, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with TestClient(mock_app, headers=headers) as client:
        for method, path in [
            ("GET", "/v1/videos"),
            ("POST", "/v1/videos"),
            ("GET", "/v1/videos/x"),
        ]:
            response = client.request(method, path, json={"model": MODEL, "prompt": "A fox."})
            error = assert_error(response, 401, None)
            assert error["type"] == "authentication_error"
            assert response.headers["www-authenticate"] == "Bearer"
            assert "sk-gateway" not in response.text


def test_any_configured_key_is_accepted() -> None:
    app = create_app(MockConfig(keys=("sk-gateway-one", "sk-gateway-two")))
    with TestClient(app) as client:
        for key in ("sk-gateway-one", "sk-gateway-two"):
            response = client.get("/v1/videos", headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/videos/video_nope"),
        ("DELETE", "/v1/videos/video_nope"),
        ("GET", "/v1/videos/video_nope/content"),
    ],
)
def test_unknown_ids_are_404(client: TestClient, method: str, path: str) -> None:
    assert_error(client.request(method, path), 404, "video_id", "video_not_found")


def test_remix_of_unknown_id_is_404(client: TestClient) -> None:
    response = client.post("/v1/videos/video_nope/remix", json={"prompt": "Night."})
    assert_error(response, 404, "video_id", "video_not_found")


def test_unknown_paths_are_404(client: TestClient) -> None:
    assert_error(client.get("/v1/images"), 404, None, "unknown_url")
    assert_error(client.get("/v1/videos/a/b/c"), 404, None, "unknown_url")
    assert_error(client.get("/"), 404, None, "unknown_url")


def test_ids_with_control_characters_are_plain_404s(client: TestClient) -> None:
    response = client.post("/v1/videos/e%0AW%00x/remix", json={"prompt": "Night."})
    assert_error(response, 404, "video_id", "video_not_found")
    assert_error(client.get("/v1/videos/%0A"), 404, "video_id", "video_not_found")


def _unsupported() -> list[tuple[str, str, str]]:
    cases = []
    for path in SPEC.raw["paths"]:
        listed = SPEC.methods_for(path)
        concrete = path.replace("{video_id}", "video_x")
        for method in HTTP_METHODS:
            if method.upper() not in listed:
                cases.append((method.upper(), concrete, ", ".join(listed)))
    return cases


@pytest.mark.parametrize(("method", "path", "allow"), _unsupported())
def test_unsupported_methods_are_405_with_allow(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert_error(response, 405, None, "method_not_allowed")


# -- parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param", "code"),
    [
        ("limit=0", "limit", "integer_below_min_value"),
        ("limit=101", "limit", "integer_above_max_value"),
        ("limit=abc", "limit", "invalid_type"),
        ("limit=1&limit=2", "limit", "invalid_value"),
        ("order=sideways", "order", "invalid_value"),
        ("after=", "after", "string_below_min_length"),
        ("after=video_nope", "after", "unknown_cursor"),
    ],
)
def test_list_parameters(client: TestClient, query: str, param: str, code: str) -> None:
    assert_error(client.get(f"/v1/videos?{query}"), 400, param, code)


def test_list_limits_come_from_the_spec(client: TestClient) -> None:
    limit = SPEC.operation("listVideos").parameter("limit")["schema"]
    assert client.get(f"/v1/videos?limit={limit['maximum']}").status_code == 200
    assert client.get(f"/v1/videos?limit={limit['minimum']}").status_code == 200


def test_content_parameters(client: TestClient) -> None:
    video_id = client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
    path = f"/v1/videos/{video_id}/content"
    assert_error(client.get(f"{path}?variant=poster"), 400, "variant", "invalid_value")
    assert_error(client.get(path, headers={"Range": "0"}), 400, "Range", "invalid_value")
    assert_error(client.get(path, headers={"Range": "bytes=0-1,4-5"}), 400, "Range")


# -- the spec, not the code, decides ----------------------------------------------------------


def test_changing_an_enum_in_the_spec_changes_the_mock(tmp_path: Path) -> None:
    raw = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    sizes = raw["components"]["schemas"]["VideoSize"]
    assert "640x480" not in sizes["enum"]
    removed = sizes["enum"][0]
    sizes["enum"] = ["640x480", *sizes["enum"][1:]]
    sizes["default"] = "640x480"
    raw["components"]["schemas"]["VideoModel"]["enum"].append("sora-3")
    raw["paths"]["/v1/videos"]["get"]["parameters"][1]["schema"]["maximum"] = 5
    copy = tmp_path / "openapi.yaml"
    copy.write_text(yaml.safe_dump(raw), encoding="utf-8")

    app = create_app(MockConfig(spec_path=copy))
    with TestClient(app, headers=AUTH) as client:
        video = client.post("/v1/videos", json={"prompt": "A fox.", "model": "sora-3"}).json()
        assert (video["size"], video["model"]) == ("640x480", "sora-3")
        form = {"model": (None, MODEL), "prompt": (None, "A fox."), "size": (None, removed)}
        error = assert_error(client.post("/v1/videos", files=form), 400, "size")
        assert "640x480" in error["message"]
        assert_error(client.get("/v1/videos?limit=6"), 400, "limit")
        files: Form = {
            "model": (None, MODEL),
            "prompt": (None, "A fox."),
            "input_reference": ("r.png", image_bytes("640x480"), "image/png"),
        }
        assert client.post("/v1/videos", files=files).status_code == 200


def test_variant_media_types_come_from_the_spec(tmp_path: Path) -> None:
    raw = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    table = raw["components"]["schemas"]["ContentVariant"]["x-media-types"]
    table["thumbnail"], table["spritesheet"] = table["spritesheet"], table["thumbnail"]
    copy = tmp_path / "openapi.yaml"
    copy.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with TestClient(create_app(MockConfig(spec_path=copy, render_seconds=0.0)), headers=AUTH) as c:
        video_id = c.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).json()["id"]
        for variant, media_type in table.items():
            reply = c.get(f"/v1/videos/{video_id}/content", params={"variant": variant})
            assert reply.headers["content-type"] == media_type
            if media_type.startswith("image/"):  # the bytes are what the header says
                assert f"image/{probe_image(reply.content).format}" == media_type
    # A media type the mock cannot render is refused at start-up, not at the first download.
    table["thumbnail"] = "image/gif"
    unrenderable = tmp_path / "unrenderable.yaml"  # a new path: specs are cached by path
    unrenderable.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="thumbnail"):
        create_app(MockConfig(spec_path=unrenderable))


def test_every_operation_of_the_spec_is_served(tmp_path: Path) -> None:
    raw = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    raw["paths"]["/v1/videos/{video_id}"]["patch"] = {
        "operationId": "updateVideo",
        "responses": {"200": {"description": "ok"}},
    }
    copy = tmp_path / "openapi.yaml"
    copy.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="updateVideo"):
        create_app(MockConfig(spec_path=copy))
