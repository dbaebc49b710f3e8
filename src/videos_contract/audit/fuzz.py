"""Run schemathesis against the relay and turn its event stream into audit results.

Schemathesis runs as a child process (`python -m schemathesis.cli run`): its NDJSON event
stream, the one format that carries every case, check and exchange, lands in the artefacts
folder and the audit reads it; its junit, HAR and VCR reports are written there too when asked
for (`EXTRA_REPORTS`). Failures the
bytes on the wire do not support are dismissed here, with the reason kept (see `wire`).

The child runs in a fresh scratch folder, so that no failure an earlier run found steers this
one (schemathesis replays the failures it keeps there): the same seed gives the same cases.
Hypothesis' Unicode tables, which it computes on a first run (2-3 s of CPU, the same for every
run of one Python), are kept apart in a cache folder (`fuzzer_cache`). The child's environment
holds no key variable: it only ever sees the placeholder.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from videos_contract.audit.context import deviation_about
from videos_contract.audit.marks import EXTRA_REPORTS
from videos_contract.audit.operations import OperationIndex
from videos_contract.audit.profiles import Profile
from videos_contract.audit.proxy import BUDGET_MARK, PLACEHOLDER_KEY, UPSTREAM_ERROR_MARK
from videos_contract.audit.results import (
    CheckOutcome,
    Dismissal,
    Exchange,
    Violation,
    sent_model,
)
from videos_contract.audit.wire import request_fields, wire_problems
from videos_contract.families import TABLE_KEY, families
from videos_contract.protocol import KEY_ENV
from videos_contract.spec import Spec

__all__ = [
    "CACHE_ENV",
    "EXTRA_REPORTS",
    "HYPOTHESIS_STORAGE_ENV",
    "STATE_DEPENDENT_INPUTS",
    "STATE_DEPENDENT_STATUSES",
    "UNDECLARED",
    "FuzzRun",
    "FuzzerTimedOut",
    "ModelScope",
    "check_reports",
    "fuzzer_cache",
    "fuzzer_environment",
    "read_events",
    "run_fuzzer",
    "scoped_spec",
    "sent_model",
    "translate",
]

# object_level_authorization needs a second identity to compare with; an audit has one key.
EXCLUDED_CHECKS = ("object_level_authorization",)
# Violations shown per operation and check; every failing case is still counted.
MAX_VIOLATIONS_SHOWN = 3
_IGNORED_HEADERS = {"user-agent", "accept-encoding", "accept", "connection", "content-length"}
# Inputs whose validity depends on server state or file content, which no schema can say:
# a schema-valid value may still be refused. A refusal naming one of them is not reported.
STATE_DEPENDENT_INPUTS: dict[str, str] = {
    "after": "a cursor must be the id of an existing video",
}
# Refusals that depend on what the server holds, not on the bytes of the request: a generated
# id names no job (404), a job is not finished (409) or has expired (410), a range lies past
# the asset's end (416). Only these statuses, and only where the operation documents them.
STATE_DEPENDENT_STATUSES: dict[int, str] = {
    404: "the generated id names no job on this server",
    409: "the job is not in a state that allows it",
    410: "the job's assets have expired",
    416: "the range lies past the end of the asset",
}
# Fuzzer checks that judge how a request was handled (the others judge the answer itself).
REQUEST_CHECKS = ("negative_data_rejection", "positive_data_acceptance")
# Where cases of methods the spec does not list on a path are tallied.
UNDECLARED = "(undeclared methods)"
_RFC_RANGE = "servers may ignore an unusable Range header (RFC 9110, section 14.2)"


@dataclass
class FuzzRun:
    """What the fuzzer produced, translated."""

    outcomes: list[CheckOutcome]
    dismissals: list[Dismissal]
    phases: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Where the server follows the docs page and the contract deviates on purpose.
    warnings: list[str] = field(default_factory=list)


def check_reports(reports: Iterable[str]) -> None:
    """Raise `ValueError` naming the formats in `reports` that are not `EXTRA_REPORTS`."""
    unknown = [name for name in reports if name not in EXTRA_REPORTS]
    if unknown:
        raise ValueError(
            f"unknown fuzzer report(s): {', '.join(unknown)} (known: {', '.join(EXTRA_REPORTS)})"
        )


def command(
    spec_path: Path,
    relay_url: str,
    profile: Profile,
    seed: int,
    out: Path,
    without: tuple[str, ...] = (),
    reports: tuple[str, ...] = (),
) -> list[str]:
    """The schemathesis command line; it never holds the key, only the placeholder.
    `reports`: formats of `EXTRA_REPORTS` to write besides the NDJSON events."""
    check_reports(reports)
    extra = [name for name in EXTRA_REPORTS if name in reports]
    args = [
        sys.executable, "-m", "schemathesis.cli", "run", str(spec_path.resolve()),
        "--url", relay_url,
        "--header", f"Authorization: Bearer {PLACEHOLDER_KEY}",
        "--phases", ",".join(profile.phases),
        "--max-examples", str(profile.max_examples),
        "--seed", str(seed),
        "--checks", "all",
        "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--workers", "1",
        "--generation-database", "none",
        "--report", ",".join(["ndjson", *extra]),
        "--report-dir", str(out),
        "--report-ndjson-path", str(out / "events.ndjson"),
        # It never holds the key (only the placeholder, which reproductions turn back into
        # $VIDEOS_API_KEY); masking its output would also hide the wrong credentials an
        # ignored_auth finding was accepted with, and show the key variable in their place.
        "--output-sanitize", "false",
        "--no-color",
        "--warnings", "off",
    ]  # fmt: skip
    for name in extra:
        args += [f"--report-{name}-path", str(out / EXTRA_REPORTS[name])]
    if profile.max_time:
        args += ["--max-time", str(profile.max_time)]
    for operation_id in without:
        args += ["--exclude-operation-id", operation_id]
    return args


@dataclass(frozen=True)
class ModelScope:
    """The models the server offers, as far as the audit knows, for judging the fuzzer's creates.

    `named`: the models the user says the server offers (empty: not said). `refused`: models
    the behaviour checks saw refused as unknown.
    """

    named: tuple[str, ...] = ()
    refused: frozenset[str] = frozenset()
    # The spec the audit runs on, to read its deliberate deviations (None: no such reading).
    spec: Spec | None = None

    def page_followed(self, exchange: Exchange, interaction: dict[str, Any]) -> str | None:
        """The deviation a create accepted and honoured against the contract is about: the
        contract refuses it only by a deliberate departure from the page (`x-deviation`)."""
        if self.spec is None or not 200 <= (exchange.status or 0) < 300:
            return None
        fields = request_fields(exchange)
        if not fields:
            return None
        family = families(self.spec).for_model(str(fields.get("model") or "") or None)
        refused = [name for name in family.refusals(fields) if name]
        answer = _response_json(interaction)
        if not refused or not isinstance(answer, dict):
            return None
        texts = []
        for name in refused:
            text = deviation_about(family, name, fields.get(name))
            if not text or str(answer.get(name)) != str(fields.get(name)):
                return None
            texts.append(f"{name}={fields.get(name)!r}: {text}")
        return "; ".join(texts)

    def absent(self, model: str | None, interaction: dict[str, Any]) -> str | None:
        """Why a create naming `model` tells nothing about the contract, or None."""
        if model is None:
            return None
        if self.named and model not in self.named:
            return f"model {model!r} is not among the models the server offers (--model)"
        if model in self.refused:
            return f"the server does not offer model {model!r} (refused as unknown)"
        status = (interaction.get("response") or {}).get("status_code")
        body = _response_json(interaction)
        error = body.get("error") if isinstance(body, dict) else None
        if status not in (400, 404):
            return None
        if isinstance(error, dict):
            param = error.get("param")
            named_other = isinstance(param, str) and param and param != "model"
            message = str(error.get("message") or "")
            code = str(error.get("code") or "")
            if param == "model" or (not named_other and ("model" in code or model in message)):
                return f"the server does not offer model {model!r} (refused as unknown)"
            return None
        content = _decode((interaction.get("response") or {}).get("content"))
        if model.encode() in content:
            return f"the server does not offer model {model!r} (refused as unknown)"
        return None


def scoped_spec(spec_path: Path, models: tuple[str, ...], out: Path) -> Path:
    """A copy of the spec whose create bodies name only `models` (the ones the server offers).

    Each family's `model` enum keeps only the offered models; a family left with none is
    dropped from the JSON body's `oneOf`, the catch-all too unless an offered model is one the
    spec does not list. Sora's enum is left whole when it would be empty (its `model` is
    optional there; the fuzzer's findings about other models are then dismissed instead).
    No models: the spec as it is.
    """
    if not models:
        return spec_path
    document = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    table = _create_operation(document).get(TABLE_KEY, {})
    listed: set[str] = set()
    dropped: set[str] = set()
    for row in table.values():
        schema = schemas[str(row["schema"])]
        prop = schema.get("properties", {}).get("model", {})
        if "$ref" in prop:
            prop = schemas[str(prop["$ref"]).rsplit("/", 1)[-1]]
        enum = prop.get("enum")
        if enum is None:
            continue
        listed.update(enum)
        kept = [m for m in enum if m in models]
        if kept:
            prop["enum"] = kept
            if prop.get("default") not in kept:
                prop.pop("default", None)
        elif not row.get("default"):
            dropped.add(str(row["schema"]))
    unlisted = [m for m in models if m not in listed]
    for row in table.values():
        if _catch_all(schemas, row):
            if unlisted:  # the catch-all names only the offered models the spec does not list
                schemas[str(row["schema"])]["properties"]["model"] = {
                    "type": "string",
                    "enum": unlisted,
                }
            else:
                dropped.add(str(row["schema"]))
    for schema in schemas.values():
        branches = schema.get("oneOf") if isinstance(schema, dict) else None
        if isinstance(branches, list) and any(_ref_name(b) in dropped for b in branches):
            schema["oneOf"] = [b for b in branches if _ref_name(b) not in dropped]
    scoped = out / "openapi.scoped.yaml"
    scoped.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return scoped


def _create_operation(document: dict[str, Any]) -> dict[str, Any]:
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == "createVideo":
                return operation
    return {}


def _catch_all(schemas: dict[str, Any], row: dict[str, Any]) -> bool:
    prop = schemas[str(row["schema"])].get("properties", {}).get("model", {})
    return "$ref" not in prop and "enum" not in prop


def _ref_name(branch: Any) -> str:
    return str(branch.get("$ref", "")).rsplit("/", 1)[-1] if isinstance(branch, dict) else ""


class FuzzerTimedOut(RuntimeError):
    """Schemathesis was stopped at the audit's deadline; `events` holds what it recorded."""

    def __init__(self, seconds: float, events: Path | None) -> None:
        super().__init__(f"fuzzing stopped by the audit's deadline after {seconds:.0f} s")
        self.events = events


def run_fuzzer(
    spec_path: Path,
    relay_url: str,
    profile: Profile,
    seed: int,
    out: Path,
    without: tuple[str, ...] = (),
    timeout: float | None = None,
    reports: tuple[str, ...] = (),
) -> Path:
    """Run schemathesis to completion (leaving out `without` operations), or for `timeout`
    seconds at most (then raise `FuzzerTimedOut`); return its events. `reports`: the
    `EXTRA_REPORTS` to write too."""
    out = out.resolve()  # the child runs in a scratch folder; relative paths would land there
    out.mkdir(parents=True, exist_ok=True)
    # A scratch working directory keeps `.hypothesis/` and `.schemathesis/` out of the project.
    with tempfile.TemporaryDirectory(prefix="videos-contract-fuzz-") as scratch:
        try:
            completed = subprocess.run(
                command(spec_path, relay_url, profile, seed, out, without, reports),
                cwd=scratch,
                env=fuzzer_environment(),
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:  # the child was killed
            console = [part for part in (exc.stdout, exc.stderr) if part]
            text = "".join(p if isinstance(p, str) else p.decode(errors="replace") for p in console)
            (out / "console.txt").write_text(text, encoding="utf-8")
            events = out / "events.ndjson"
            raise FuzzerTimedOut(timeout or 0.0, events if events.exists() else None) from None
    (out / "console.txt").write_text(completed.stdout + completed.stderr, encoding="utf-8")
    events = out / "events.ndjson"
    if not events.exists():
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:]
        raise RuntimeError(f"schemathesis did not run: {' '.join(tail) or completed.returncode}")
    return events


# Where Hypothesis keeps what it computes once (read by Hypothesis itself); one the user set wins.
HYPOTHESIS_STORAGE_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"
# The cache folder's own setting; else $XDG_CACHE_HOME/videos-contract, else ~/.cache/...
CACHE_ENV = "VIDEOS_CONTRACT_CACHE"


def fuzzer_cache(environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder Hypothesis keeps its Unicode tables in across audits, created if missing;
    None when none can be made (the child then computes them in its scratch folder)."""
    env = os.environ if environ is None else environ
    try:
        root = env.get(CACHE_ENV) or ""
        if not root:
            base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            root = str(Path(base) / "videos-contract")
        folder = Path(root).absolute() / "hypothesis"
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home folder, or none that can be written
        return None
    return folder if os.access(folder, os.W_OK) else None


def fuzzer_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The fuzzer's environment: the audit's, without the key variable, with Hypothesis'
    storage in `fuzzer_cache` unless the user named one."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if k != KEY_ENV}
    if not env.get(HYPOTHESIS_STORAGE_ENV):
        cache = fuzzer_cache(env)
        if cache is not None:
            env[HYPOTHESIS_STORAGE_ENV] = str(cache)
    return env


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    continue  # a line cut short when the fuzzer was stopped at the deadline


def _decode(body: Any) -> bytes:
    if isinstance(body, dict) and "$base64" in body:
        return base64.b64decode(body["$base64"])
    if isinstance(body, str):
        return body.encode()
    return b""


def _exchange(interaction: dict[str, Any], relay_url: str, target_url: str) -> Exchange:
    request = interaction.get("request", {})
    headers = tuple(
        (name, value)
        for name, values in request.get("headers", {}).items()
        if name.lower() not in _IGNORED_HEADERS and not name.lower().startswith("x-schemathesis")
        for value in (values if isinstance(values, list) else [values])
    )
    url = str(request.get("uri", "")).replace(relay_url.rstrip("/"), target_url.rstrip("/"), 1)
    status = (interaction.get("response") or {}).get("status_code")
    return Exchange(request.get("method", ""), url, headers, _decode(request.get("body")), status)


def _marks(interaction: dict[str, Any]) -> tuple[bool, bool]:
    headers = {k.lower() for k in ((interaction.get("response") or {}).get("headers") or {})}
    return BUDGET_MARK in headers, UPSTREAM_ERROR_MARK in headers


def _response_json(interaction: dict[str, Any]) -> Any:
    try:
        return json.loads(_decode((interaction.get("response") or {}).get("content")))
    except ValueError:
        return None


def _after(lines: list[str], *prefixes: str) -> str:
    for line in lines:
        if line.startswith(prefixes) and ":" in line:
            return line.partition(":")[2].strip()
    return ""


# Each fuzzer check in the user's terms: (title, what is at fault, what the contract expects).
# Never schemathesis' own phrases ("Server error", "... accepted").
USER_TERMS: dict[str, tuple[str, str, str]] = {
    "not_a_server_error": (
        "the server answered with a server error",
        "the server's answer",
        "an answer that is not a server error (HTTP 5xx)",
    ),
    "status_code_conformance": (
        "a status the contract does not document",
        "the answer's status",
        "a status the contract documents for this operation",
    ),
    "content_type_conformance": (
        "a media type the contract does not document",
        "the answer's Content-Type",
        "a media type the contract documents for this answer",
    ),
    "response_headers_conformance": (
        "an answer header that breaks the contract",
        "the answer's headers",
        "the headers the contract documents, in their documented form",
    ),
    "response_schema_conformance": (
        "an answer body that breaks the contract's schema",
        "the answer's body",
        "a body matching the contract's schema",
    ),
    "negative_data_rejection": (
        "a request that breaks the contract was accepted",
        "the request (it breaks the contract)",
        "a refusal (HTTP 4xx)",
    ),
    "positive_data_acceptance": (
        "a valid request was refused",
        "the request (valid for the contract)",
        "acceptance (HTTP 2xx)",
    ),
    "missing_required_header": (
        "a request without a required header was not refused as such",
        "a request without a header the contract requires",
        "a refusal for the missing header (HTTP 401 for `Authorization`, else 400)",
    ),
    "unsupported_method": (
        "a method the contract does not list was not refused with 405",
        "a method the contract does not list on this path",
        "HTTP 405 Method Not Allowed, with an `Allow` header",
    ),
    "allow_header_conformance": (
        "the Allow header of a 405 does not list the contract's methods",
        "the answer's Allow header",
        "the methods the contract lists on this path",
    ),
    "ignored_auth": (
        "a request with missing or wrong credentials was served",
        "a request with missing or wrong credentials",
        "a refusal (HTTP 401)",
    ),
    "use_after_free": (
        "a deleted video is still served",
        "a request for a video just deleted",
        "HTTP 404",
    ),
    "ensure_resource_availability": (
        "a video just created is not available",
        "a request for a video just created",
        "the video (not HTTP 404)",
    ),
    "max_response_time": (
        "the answer was too slow",
        "the server's answer",
        "an answer within the time limit",
    ),
}


def user_title(check: str, fallback: str) -> str:
    """A fuzzer finding's title in the user's terms."""
    return USER_TERMS[check][0] if check in USER_TERMS else fallback


def _describe(
    failure: dict[str, Any],
    exchange: Exchange,
    interaction: dict[str, Any],
    check: str = "",
) -> tuple[str, str, str]:
    """(at fault, expected, actual) of a schemathesis failure, in the user's terms."""
    title = str(failure.get("title", ""))
    lines = [line.strip() for line in str(failure.get("message", "")).splitlines() if line.strip()]
    if "instance_path" in failure:
        path = "/".join(str(p) for p in failure.get("instance_path") or []) or "(root)"
        schema_path = "/".join(str(p) for p in failure.get("schema_path") or [])
        return (
            f"response body field {path}",
            f"{lines[0] if lines else title} (schema rule {schema_path})",
            json.dumps(failure.get("instance"))[:200],
        )
    listed = ""
    for key in (
        "expected_statuses",
        "allowed_statuses",
        "allowed_status_codes",
        "defined_content_types",
    ):
        if key in failure and not listed:
            listed = ", ".join(map(str, failure[key]))
    body = _response_json(interaction)
    error = body.get("error") if isinstance(body, dict) else None
    if check in USER_TERMS:
        _, at_fault, expected = USER_TERMS[check]
        if listed:
            expected = f"{expected}: {listed}"
    else:
        at_fault = title
        expected = _after(lines, "Expected", "Documented", "Allowed") or listed
    if isinstance(error, dict) and error.get("param"):
        at_fault = f"{at_fault} (the server blamed {error['param']!r})"
    actual = f"HTTP {exchange.status}"
    received = _after(lines, "Received", "Actual", "Got")
    if received:
        actual += f", {received}"
    elif "content_type" in failure:
        actual += f", Content-Type {failure['content_type']}"
    if isinstance(error, dict) and error.get("message"):
        actual += f": {str(error['message'])[:200]}"
    elif lines and check not in USER_TERMS:
        actual += f": {lines[0][:200]}"
    else:  # what came back, in the server's own words
        text = _decode((interaction.get("response") or {}).get("content"))
        shown = " ".join(text.decode("utf-8", "replace").split())[:200]
        actual += f": {shown}" if shown else ""
    return at_fault, expected or "what the contract documents", actual


def _recheck(
    check: str, index: OperationIndex, exchange: Exchange, interaction: dict[str, Any]
) -> tuple[str | None, str]:
    """(reason to dismiss or None, what the bytes break) for the fuzzer's input checks.

    A finding is dismissed only when the bytes on the wire prove the fuzzer wrong: the request
    as sent was valid (or invalid) after all, or the answer is one the contract allows for
    exactly this input (a Range the server ignored, a refusal naming an input whose validity
    depends on state or file content). Anything else, a 413, 415 or 503 for a valid request
    included, stays a violation.
    """
    problems = wire_problems(index, exchange)
    if problems is None:
        return None, ""
    broken = "; ".join(
        f"{p.location} {p.name + ' ' if p.name else ''}{p.message}".strip() for p in problems
    )
    status = exchange.status or 0
    if check == "negative_data_rejection":
        if not problems:
            return "the bytes sent are valid for the spec (form and query values are text)", ""
        only_range = all(p.location == "header" and p.name.lower() == "range" for p in problems)
        if only_range and status == 200:
            return _RFC_RANGE, broken
        return None, broken
    if check == "positive_data_acceptance":
        if problems:
            return f"the bytes sent were not valid after all ({broken})", broken
        op = index.find(exchange.method, urlsplit(exchange.url).path)
        if op is not None and status in STATE_DEPENDENT_STATUSES and str(status) in op.responses:
            return f"HTTP {status}: {STATE_DEPENDENT_STATUSES[status]}", ""
        if status != 400:
            return None, broken
        body = _response_json(interaction)
        error = body.get("error") if isinstance(body, dict) else None
        param = error.get("param") if isinstance(error, dict) else None
        if not isinstance(param, str):
            return None, broken
        name = param.split("[", 1)[0]
        if name in _semantic_fields(index, exchange) and name in _sent_fields(exchange):
            return (
                f"the server refused {param!r}: a file-capable input must hold a usable image",
                "",
            )
        if name in STATE_DEPENDENT_INPUTS and name in _sent_fields(exchange):
            return f"the server refused {param!r}: {STATE_DEPENDENT_INPUTS[name]}", ""
        if op is not None and _per_family(index, op.operation_id, name):
            return (
                f"the server refused {param!r}: the spec offers this operation to some model "
                "families only (x-video-families: remix, variants)",
                "",
            )
        model = _sent_model(exchange)
        if name == "model" and model is not None and not families(index.spec).known(model):
            return (
                "the server refused a model the spec does not list: which new models a server "
                "serves is its own",
                "",
            )
    return None, broken


def _per_family(index: OperationIndex, operation_id: str, param: str) -> bool:
    """Whether a refusal naming `param` may be the job's family lacking the operation."""
    catalogue = families(index.spec)
    if operation_id == "remixVideo" and param == "video_id":
        return not all(family.remix for family in catalogue)
    if operation_id == "downloadVideoContent" and param == "variant":
        return len({family.variants for family in catalogue}) > 1
    return False


def _sent_model(exchange: Exchange) -> str | None:
    """The `model` of a JSON body as sent, if it is a string."""
    try:
        document = json.loads(exchange.body) if exchange.body else None
    except ValueError:
        return None
    model = document.get("model") if isinstance(document, dict) else None
    return model if isinstance(model, str) else None


def _sent_fields(exchange: Exchange) -> set[str]:
    """Names of the query parameters and body fields the request really carried."""
    names = {name for name, _ in parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)}
    body = exchange.body
    for match in re.finditer(rb'name="([^"\[]+)', body):
        names.add(match.group(1).decode("latin-1"))
    try:
        document = json.loads(body) if body else None
    except ValueError:
        document = None
    if isinstance(document, dict):
        names.update(str(key) for key in document)
    return names


def _semantic_fields(index: OperationIndex, exchange: Exchange) -> set[str]:
    """Body fields whose validity depends on content, not shape: file-capable fields."""
    op = index.find(exchange.method, urlsplit(exchange.url).path)
    if op is None:
        return set()
    names: set[str] = set()
    for media in op.request_media_types.values():
        for name, prop in media.get("schema", {}).get("properties", {}).items():
            branches = [prop, *prop.get("oneOf", []), *prop.get("anyOf", [])]
            if any(b.get("format") == "binary" for b in branches) or name in media.get(
                "encoding", {}
            ):
                names.add(name)
    return names


@dataclass
class _Tally:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reason: str = ""
    violations: list[Violation] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


def translate(
    events: Iterator[dict[str, Any]],
    index: OperationIndex,
    relay_url: str,
    target_url: str,
    scope: ModelScope | None = None,
) -> FuzzRun:
    """Tally every check on every case by operation; keep the failures the wire supports."""
    tallies: dict[tuple[str, str], _Tally] = {}
    dismissals: list[Dismissal] = []
    run = FuzzRun([], dismissals)
    for event in events:
        if "PhaseFinished" in event:
            phase = event["PhaseFinished"]
            run.phases[phase["phase"]["name"]] = phase.get("status", "")
        if "NonFatalError" in event or "FatalError" in event:
            error = event.get("NonFatalError") or event.get("FatalError") or {}
            info = error.get("value") or error.get("info") or {}
            run.errors.append(str(info.get("message") or info.get("title") or error)[:300])
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        recorder = scenario.get("recorder") or {}
        cases = recorder.get("cases", {})
        interactions = recorder.get("interactions", {})
        for case_id, results in (recorder.get("checks") or {}).items():
            value = (cases.get(case_id) or {}).get("value", {})
            method, path = value.get("method", "?"), value.get("path", "?")
            found = index.find(method, path)
            label = found.operation_id if found else UNDECLARED
            interaction = interactions.get(case_id) or {}
            over_budget, unreachable = _marks(interaction)
            exchange = _exchange(interaction, relay_url, target_url)
            for result in results:
                tally = tallies.setdefault((label, result["name"]), _Tally())
                if over_budget:
                    tally.skipped += 1
                    tally.skip_reason = "--max-creates budget spent"
                    continue
                if unreachable:
                    # The server dropped the connection or cut the answer: a finding, not a skip.
                    tally.failed += 1
                    body = _response_json(interaction)
                    error = body.get("error") if isinstance(body, dict) else None
                    message = error.get("message") if isinstance(error, dict) else None
                    key = "unreachable"
                    if key not in tally.seen and len(tally.violations) < MAX_VIOLATIONS_SHOWN:
                        tally.seen.add(key)
                        tally.violations.append(
                            Violation(
                                check=result["name"],
                                operation=label,
                                title="the server's answer broke off",
                                at_fault="the server's answer",
                                expected="a complete HTTP response",
                                actual=str(message or "the connection failed")[:300],
                                exchange=exchange,
                            )
                        )
                    continue
                if result.get("status") != "failure":
                    tally.passed += 1
                    continue
                failure = (result.get("failure_info") or {}).get("failure") or {}
                absent = None
                if label == "createVideo" and scope is not None:
                    absent = scope.absent(sent_model(exchange), interaction)
                if absent is not None:
                    tally.passed += 1
                    dismissals.append(
                        Dismissal(result["name"], label, failure.get("title", ""), absent)
                    )
                    continue
                followed = None
                if label == "createVideo" and scope is not None:
                    if result["name"] == "negative_data_rejection":
                        followed = scope.page_followed(exchange, interaction)
                if followed is not None:
                    # The contract's bet, not the server's fault: a warning, never a violation.
                    tally.passed += 1
                    warning = (
                        f"{label}: {followed}. The server follows the page here: revisit the "
                        "deviation"
                    )
                    if warning not in run.warnings:
                        run.warnings.append(warning)
                    continue
                reason, broken = _recheck(result["name"], index, exchange, interaction)
                if reason is not None:
                    tally.passed += 1
                    dismissals.append(
                        Dismissal(result["name"], label, failure.get("title", ""), reason)
                    )
                    continue
                tally.failed += 1
                at_fault, expected, actual = _describe(
                    failure, exchange, interaction, result["name"]
                )
                if broken and result["name"] in REQUEST_CHECKS:
                    # The fault is the request's handling; other checks judge the answer.
                    at_fault = f"request {broken}"
                if found is None:
                    at_fault = f"{at_fault}: {method} {path}"
                key = f"{failure.get('code')}|{at_fault}"
                if key in tally.seen or len(tally.violations) >= MAX_VIOLATIONS_SHOWN:
                    continue
                tally.seen.add(key)
                tally.violations.append(
                    Violation(
                        check=result["name"],
                        operation=label,
                        title=user_title(result["name"], failure.get("title", result["name"])),
                        at_fault=at_fault,
                        expected=expected,
                        actual=actual,
                        exchange=exchange,
                        code=failure.get("code"),
                    )
                )
    run.outcomes = [
        CheckOutcome(
            check=name,
            operation=label,
            source="schemathesis",
            passed=t.passed,
            failed=t.failed,
            skipped=t.skipped,
            skip_reason=t.skip_reason,
            violations=tuple(t.violations),
        )
        for (label, name), t in sorted(tallies.items())
    ]
    return run
