"""Run schemathesis (every check, every phase) against the mock, in-process or over a socket.

Two hooks, both scoped to the schema of one run, keep the run honest rather than quiet:

* `map_case` gives a create request a real PNG of the requested `size` where the generator put
  arbitrary bytes (or a 1x1 PNG) into the binary `input_reference` part: the contract requires
  a decodable image of the video's size, which no JSON Schema can say. It also labels a
  reference object sent in that part `application/json`, as the spec describes it.
* `filter_failure` re-checks two claims against the request bytes actually sent, judged by the
  spec with form semantics (every multipart value is text) and independently of the mock's
  code: a "schema-valid request rejected" whose request broke the spec on the wire, and a
  "schema-violating request accepted" whose violation did not survive serialisation, are
  dropped. schemathesis sends file parts without a file name, which the spec's
  `ReferenceUpload` requires (and real servers insist on), so its image uploads are refused
  and counted under their own heading; image acceptance is proven by the generated-client and
  openai SDK tests instead. Two semantic rules are allowed by name: an `after` cursor that
  names no video is a 400 (param `after`) although any string fits the schema, and a range
  beyond the asset is a 416. Every dropped failure is recorded, and the tests assert which
  kinds were dropped.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import schemathesis
from jsonschema import Draft202012Validator
from PIL import Image
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.transport.serialization import Binary

from videos_contract.paths import SPEC_PATH
from videos_contract.spec import Spec, load_spec

__all__ = ["ContractRun", "reference_png", "run_contract", "sent_request_problems"]

POSITIVE = "positive_data_acceptance"
NEGATIVE = "negative_data_rejection"


@lru_cache(maxsize=8)
def reference_png(size: str) -> bytes:
    """A small, valid PNG of `WIDTHxHEIGHT` pixels."""
    width, _, height = size.partition("x")
    buffer = io.BytesIO()
    Image.new("RGB", (int(width), int(height)), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


# -- an independent look at what was sent -----------------------------------------------------


def _operation_for(spec: Spec, method: str, path: str) -> Any:
    for operation in spec.operations():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(operation.path))
        if operation.method == method.upper() and re.fullmatch(pattern, path):
            return operation
    return None


def _as_typed(text: str, schema: Mapping[str, Any]) -> Any:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _errors(schema: Mapping[str, Any], value: Any) -> list[str]:
    return [error.message[:120] for error in Draft202012Validator(schema).iter_errors(value)]


def _form_fields(body: bytes, content_type: str) -> dict[str, Any] | str:
    """A multipart body as the object its schema describes (text values), or a problem."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return "not a multipart body"
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            return "a part without a name"
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        kind = part.get_content_type()
        bracket = re.fullmatch(r"([^\[\]]+)\[([^\[\]]+)\]", name)
        if part.get_filename() is not None or kind.startswith(("image/", "application/octet")):
            if not part.get_filename():
                # ReferenceUpload: "sent as a file part with a file name".
                return f"part {name} is a file without a file name"
            value: Any = ""  # a file part stands for `format: binary`
        elif kind == "application/json":
            try:
                value = json.loads(payload)
            except ValueError:
                return f"part {name} is not JSON"
        else:
            try:
                value = payload.decode("utf-8")
            except UnicodeDecodeError:
                return f"part {name} is not UTF-8 text"
        if bracket:
            target = fields.setdefault(bracket.group(1), {})
            if not isinstance(target, dict):
                return f"{bracket.group(1)} given twice"
            target[bracket.group(2)] = value
            continue
        if name in fields:
            return f"{name} given twice"
        fields[name] = value
    return fields


def sent_request_problems(spec: Spec, request: Any) -> list[str] | None:
    """What the request as sent breaks in the spec ([] when nothing); None if unknown path."""
    url = urlsplit(str(request.url))
    operation = _operation_for(spec, str(request.method), url.path)
    if operation is None:
        return None
    problems: list[str] = []
    query = parse_qs(url.query, keep_blank_values=True)
    headers = {str(k).lower(): str(v) for k, v in request.headers.items()}
    for param in operation.parameters:
        where, name, schema = param["in"], param["name"], param.get("schema", {})
        if where == "query":
            values = query.get(name)
            if values is None:
                if param.get("required"):
                    problems.append(f"query {name} missing")
                continue
            if len(values) > 1:
                problems.append(f"query {name} repeated")
                continue
            problems += [
                f"query {name}: {e}" for e in _errors(schema, _as_typed(values[0], schema))
            ]
        elif where == "header" and name.lower() in headers:
            problems += [f"header {name}: {e}" for e in _errors(schema, headers[name.lower()])]
    content = operation.request_media_types
    if content:
        raw = request.body or b""
        body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        full_type = headers.get("content-type", "")
        media_type = full_type.split(";")[0].strip().lower()
        if media_type not in content:
            return [*problems, f"body media type {media_type or 'missing'}"]
        schema = content[media_type]["schema"]
        instance: Any
        if media_type == "application/json":
            try:
                instance = json.loads(body)
            except ValueError:
                return [*problems, "body is not JSON"]
        else:
            fields = _form_fields(body, full_type)
            if isinstance(fields, str):
                return [*problems, fields]
            props = schema.get("properties", {})
            instance = {
                k: _as_typed(v, props.get(k, {})) if isinstance(v, str) else v
                for k, v in fields.items()
            }
        problems += [f"body: {e}" for e in _errors(schema, instance)]
        rules = schema.get("x-rules-from")
        if isinstance(rules, dict) and not problems:
            # The cross-field rules this form takes from another schema (`x-rules-from`).
            kept = {k: v for k, v in rules.items() if k in ("if", "then", "else", "allOf")}
            problems += [f"body: {e}" for e in _errors(kept, instance)]
    return problems


# -- hooks --------------------------------------------------------------------------------------


def _error_of(content: bytes) -> Mapping[str, Any]:
    try:
        body = json.loads(content)
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


@dataclass
class ContractRun:
    """What one schemathesis run found."""

    failures: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_examples: list[str] = field(default_factory=list)
    checks_run: Counter[str] = field(default_factory=Counter)
    phases: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    images_given: int = 0


def _install_hooks(schema: Any, spec: Spec, outcome: ContractRun) -> None:
    sizes = spec.schema("VideoSize")

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        body = case.body
        if (
            case.media_type == "multipart/form-data"
            and isinstance(body, dict)
            and isinstance(body.get("input_reference"), dict)
        ):
            # The spec sends the reference object as a JSON part; the generator may label it
            # with one of the image types the same `encoding` lists for the file form.
            types = dict(case.multipart_content_types or {})
            types["input_reference"] = "application/json"
            case.multipart_content_types = types
        if (
            case.media_type == "multipart/form-data"
            and isinstance(body, dict)
            and isinstance(body.get("input_reference"), (str, bytes))
        ):
            # Any bytes or text satisfy `format: binary`, so such a value never carries a
            # negative case's violation; replacing it in every mode keeps negative cases
            # negative and covers cases that schemathesis re-labels positive after generation
            # or fills from its pool of constants (text such as "boundary").
            size = body.get("size", sizes["default"])
            if size in sizes["enum"]:
                body["input_reference"] = Binary(reference_png(size))
                types = dict(case.multipart_content_types or {})
                types["input_reference"] = "image/png"
                case.multipart_content_types = types
                outcome.images_given += 1
        return case

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        checks = getattr(type(failure), "checks", ())
        is_positive, is_negative = POSITIVE in checks, NEGATIVE in checks
        if not (is_positive or is_negative):
            return True
        problems = sent_request_problems(spec, response.request)
        if problems is None:
            return True
        if is_positive and problems and all("without a file name" in p for p in problems):
            outcome.dropped[f"{POSITIVE}: file part without a file name"] += 1
            return False
        if is_positive and problems:
            outcome.dropped[f"{POSITIVE}: request as sent breaks the spec"] += 1
            outcome.dropped_examples.append(f"{case.operation.label}: {problems[0]}")
            return False
        if is_negative and not problems:
            outcome.dropped[f"{NEGATIVE}: violation lost in serialisation"] += 1
            return False
        error = _error_of(response.content)
        if (
            is_positive
            and response.status_code == 400
            and error.get("param") == "after"
            and error.get("code") == "unknown_cursor"
        ):
            outcome.dropped[f"{POSITIVE}: after names no video"] += 1
            return False
        if (
            is_positive
            and response.status_code == 400
            and error.get("param") == "model"
            and error.get("code") == "model_not_found"
        ):
            # The catch-all branch lets a client send any model; the mock serves only those
            # the spec lists unless told otherwise (`accept_unlisted_models`).
            outcome.dropped[f"{POSITIVE}: a model the spec does not list"] += 1
            return False
        if (
            is_positive
            and response.status_code == 400
            and error.get("param") in ("video_id", "variant")
            and error.get("code") == "unsupported_for_model"
        ):
            # Remix and the image variants are for Sora jobs only (x-video-families); a
            # stateful link may remix or download a job of another family.
            outcome.dropped[f"{POSITIVE}: an operation the job's family lacks"] += 1
            return False
        if is_positive and response.status_code == 416:
            outcome.dropped[f"{POSITIVE}: range beyond the asset"] += 1
            return False
        return True


def _describe(recorder: Any, case_id: str, check: Any) -> str:
    failure = check.failure_info.failure
    interaction = recorder.interactions.get(case_id)
    sent = ""
    if interaction is not None:
        request = interaction.request
        raw = request.body or b""
        at = raw.find(b'name="input_reference"')
        body = raw[:300] if at < 0 else raw[max(0, at - 20) : at + 200]
        status = interaction.response.status_code if interaction.response else None
        answer = (interaction.response.content or b"")[:300] if interaction.response else b""
        sent = f"\n    {request.method} {request.uri} {body!r}\n    -> {status} {answer!r}"
    return f"{recorder.label}: {check.name}: {getattr(failure, 'title', failure)}{sent}"


def _walk(stream: Iterator[Any], outcome: ContractRun) -> None:
    for event in stream:
        if isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            recorder = event.recorder
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    outcome.checks_run[check.name] += 1
                    if check.failure_info is not None:
                        outcome.failures.append(_describe(recorder, case_id, check))
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.PhaseFinished):
            outcome.phases[event.phase.name.value] = event.status.name


def run_contract(
    *,
    key: str,
    app: Any = None,
    base_url: str | None = None,
    seed: int = 1,
    max_examples: int = 10,
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful"),
) -> ContractRun:
    """Every check over the given phases, against `app` (ASGI, in-process) or `base_url`."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "headers": {"Authorization": f"Bearer {key}"},
            "phases": {
                name: {"enabled": name in phases}
                for name in ("examples", "coverage", "fuzzing", "stateful")
            },
            "generation": {"max-examples": max_examples},
            "base-url": base_url or "http://127.0.0.1",
            "workers": 1,
        }
    )
    spec = load_spec(SPEC_PATH)
    schema = schemathesis.openapi.from_path(str(SPEC_PATH), config=config)
    if app is not None:
        schema.app = app
    outcome = ContractRun()
    _install_hooks(schema, spec, outcome)
    _walk(engine.from_schema(schema).execute(), outcome)
    return outcome
