"""Servers the audit has never seen are judged right: correct ones pass, planted faults fail.

`no_ranges_server` is a small, HTTP-correct server of its own (a reverse proxy in front of the
mock) that does not offer byte ranges: it never advertises `Accept-Ranges` and answers a
`Range` request with the whole body, as RFC 9110 allows. The history tests give the account
a hundred earlier jobs before the audit starts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.results import Exchange, sent_model
from videos_contract.audit.serving import serve_in_thread
from videos_contract.cli import main
from videos_contract.families import families
from videos_contract.mock import MockConfig, MockServer, running_mock
from videos_contract.spec import load_spec

HISTORY = 100
_DROPPED_REQUEST = {b"range", b"host", b"content-length", b"connection", b"accept-encoding"}
_DROPPED_RESPONSE = {b"accept-ranges", b"content-length", b"transfer-encoding", b"connection"}


class NoRangesServer:
    """Forwards every request to `upstream` without its Range header; never offers ranges.

    `refuse(method, path, body)` may answer a request carrying `key` itself (status, JSON
    body) instead.
    """

    def __init__(
        self,
        upstream: str,
        refuse: Callable[[str, str, bytes], tuple[int, dict[str, Any]] | None] | None = None,
        key: str = "",
    ) -> None:
        self.upstream = upstream
        self.refuse = refuse
        # Requests are refused only with this key (a server checks the key first).
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        chunks, more = [], True
        while more:
            message: Message = await receive()
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        authorization = dict(scope["headers"]).get(b"authorization", b"")
        refusal = None
        if self.refuse and authorization == f"Bearer {self.key}".encode():
            refusal = self.refuse(scope["method"], scope["path"], b"".join(chunks))
        if refusal is not None:
            status, document = refusal
            content = json.dumps(document).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": content})
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _DROPPED_REQUEST]
        url = self.upstream + scope["path"]
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.request(
                scope["method"], url, headers=headers, content=b"".join(chunks)
            )
        body = response.content
        out = [
            (k, v)
            for k, v in response.headers.raw
            if k.lower() not in _DROPPED_RESPONSE and k.lower() != b"content-encoding"
        ]
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": body})


@contextmanager
def no_ranges_server(mock: MockServer) -> Iterator[str]:
    with serve_in_thread(NoRangesServer(mock.url)) as url:
        yield url


def _outcomes(report_dir: Path) -> dict[str, Any]:
    summary = json.loads((report_dir / "summary.json").read_text())
    return {c["check"]: c for group in summary["operations"] for c in group["checks"]}


def test_a_server_that_does_not_offer_ranges_is_conformant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_mock(MockConfig(render_seconds=0.2)) as mock, no_ranges_server(mock) as url:
        reply = httpx.get(url + "/v1/videos", headers={"Authorization": f"Bearer {mock.key}"})
        assert reply.status_code == 200 and "accept-ranges" not in reply.headers
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    out = capsys.readouterr().out
    outcomes = _outcomes(tmp_path)
    failed = {name: c["violations"] for name, c in outcomes.items() if c["outcome"] == "failed"}
    assert code == 0, failed
    ranges = outcomes["content_supports_byte_ranges"]
    assert ranges["outcome"] == "not offered" and "Accept-Ranges" in ranges["reason"]
    assert "not offered: content_supports_byte_ranges" in out


def _with_history(server: MockServer, count: int = HISTORY) -> None:
    """Jobs the account held before the audit, made the way any client makes them."""
    example = load_spec().operation("createVideo").request_media_types["application/json"]
    body = next(iter(example["examples"].values()))["value"]
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}
    ) as client:
        for _ in range(count):
            assert client.post("/v1/videos", json=body).status_code == 200


def _audit_list(server: MockServer, report_dir: Path) -> int:
    return main(
        ["audit", "--url", server.url, "--key", server.key, "--profile", "quick", "--no-fuzz",
         "--report-dir", str(report_dir)]
    )  # fmt: skip


def test_an_account_with_history_is_judged_conformant(tmp_path: Path) -> None:
    with running_mock(MockConfig(render_seconds=0.2)) as server:
        _with_history(server)
        code = _audit_list(server, tmp_path)
    outcomes = _outcomes(tmp_path)
    assert code == 0, {n: c["violations"] for n, c in outcomes.items() if c["violations"]}
    assert outcomes["list_pagination_has_no_duplicates_or_gaps"]["outcome"] == "passed"


@pytest.mark.parametrize(
    "defect",
    [
        "drops-last-page",
        pytest.param("skipping-pages", marks=pytest.mark.slow),
        pytest.param("ignored-order", marks=pytest.mark.slow),
    ],
)
def test_paging_defects_are_caught_behind_a_history(defect: str, tmp_path: Path) -> None:
    with running_mock(MockConfig(render_seconds=0.2, defects=(defect,))) as server:
        _with_history(server)
        code = _audit_list(server, tmp_path)
    assert code == 1
    walk = _outcomes(tmp_path)["list_pagination_has_no_duplicates_or_gaps"]
    assert walk["outcome"] == "failed", walk


def test_a_server_without_ranges_and_with_history_is_conformant(tmp_path: Path) -> None:
    with running_mock(MockConfig(render_seconds=0.2)) as mock, no_ranges_server(mock) as url:
        _with_history(mock)
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick", "--no-fuzz",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    outcomes = _outcomes(tmp_path)
    assert code == 0, {n: c["violations"] for n, c in outcomes.items() if c["violations"]}
    assert outcomes["content_supports_byte_ranges"]["outcome"] == "not offered"
    assert outcomes["list_pagination_has_no_duplicates_or_gaps"]["outcome"] == "passed"


# The models a Sora-only server offers: the default family's, as the spec lists them.
SORA = families(load_spec()).default_family.models


def _sora_only(names_param: bool) -> Callable[[str, str, bytes], tuple[int, dict[str, Any]] | None]:
    """Refuses a create naming any other model, as real servers do: with `param: model`, or
    with `param: null` and the model named only in the message."""

    def refuse(method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]] | None:
        if method != "POST" or path.rstrip("/") != load_spec().operation("createVideo").path:
            return None
        model = sent_model(Exchange(method, path, (), body, None))
        if model is None or model in SORA:
            return None
        error = {
            "message": f"Invalid model name passed in model={model}",
            "type": "invalid_request_error",
            "param": "model" if names_param else None,
            "code": "invalid_value" if names_param else None,
        }
        return 400, {"error": error}

    return refuse


@pytest.mark.parametrize("names_param", [True, False], ids=["param-model", "param-null"])
@pytest.mark.parametrize("named", [False, True], ids=["unnamed", "model-flags"])
def test_a_sora_only_server_is_conformant(
    names_param: bool, named: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = [arg for model in SORA for arg in ("--model", model)] if named else []
    with (
        running_mock(MockConfig(render_seconds=0.2)) as mock,
        serve_in_thread(NoRangesServer(mock.url, _sora_only(names_param), mock.key)) as url,
    ):
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick",
             "--report-dir", str(tmp_path), *models]
        )  # fmt: skip
    outcomes = _outcomes(tmp_path)
    failed = {name: c["violations"] for name, c in outcomes.items() if c["outcome"] == "failed"}
    assert code == 0, failed
    behaviour = [c for c in outcomes.values() if c.get("source", "behaviour") == "behaviour"]
    assert behaviour


@pytest.mark.parametrize("names_param", [True, False], ids=["param-model", "param-null"])
def test_the_sweep_of_a_sora_only_server_names_the_other_families_not_offered(
    names_param: bool, tmp_path: Path
) -> None:
    with (
        running_mock(MockConfig(render_seconds=0.2)) as mock,
        serve_in_thread(NoRangesServer(mock.url, _sora_only(names_param), mock.key)) as url,
    ):
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "standard", "--no-fuzz",
             "--check", "parameters_are_honoured", "--check", "near_miss_values_are_refused",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    outcomes = _outcomes(tmp_path)
    sweep = outcomes["parameters_are_honoured"]
    assert code == 0, sweep["violations"]
    assert sweep["outcome"] == "passed" and "not offered by the server" in sweep["reason"]
    others = [m for m in families(load_spec()).representatives() if m not in SORA]
    assert all(model in sweep["reason"] for model in others), sweep["reason"]


def _pro_only(method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]] | None:
    """Offers only the last Sora model; any other is unknown (`param: model`)."""
    model = sent_model(Exchange(method, path, (), body, None))
    if method == "POST" and model is not None and model != SORA[-1]:
        error = {"message": f"unknown model {model}", "type": "invalid_request_error",
                 "param": "model", "code": "model_not_found"}  # fmt: skip
        return 400, {"error": error}
    return None


def test_the_audit_s_jobs_are_made_with_a_model_the_server_offers(tmp_path: Path) -> None:
    with (
        running_mock(MockConfig(render_seconds=0.2)) as mock,
        serve_in_thread(NoRangesServer(mock.url, _pro_only, mock.key)) as url,
    ):
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick", "--no-fuzz",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    outcomes = _outcomes(tmp_path)
    assert code == 0, {n: c["violations"] for n, c in outcomes.items() if c["violations"]}
    assert outcomes["created_job_reaches_terminal_status"]["outcome"] == "passed"
    assert (
        f"not offered by the server: {SORA[0]}"
        in outcomes["near_miss_values_are_refused"]["reason"]
    )


def _json_only(method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]] | None:
    """Refuses every multipart create, though the contract documents the form."""
    if method == "POST" and path.rstrip("/").endswith("/videos") and body.startswith(b"--"):
        error = {"message": "unsupported content type", "type": "invalid_request_error",
                 "param": None, "code": None}  # fmt: skip
        return 400, {"error": error}
    return None


def test_a_refused_form_is_one_finding_and_the_checks_go_on_with_json(tmp_path: Path) -> None:
    checks = [
        "created_job_reaches_terminal_status",
        "content_is_real_mp4_matching_size_and_seconds",
    ]
    with (
        running_mock(MockConfig(render_seconds=0.2)) as mock,
        serve_in_thread(NoRangesServer(mock.url, _json_only, mock.key)) as url,
    ):
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick", "--no-fuzz",
             "--report-dir", str(tmp_path), *(a for c in checks for a in ("--check", c))]
        )  # fmt: skip
    outcomes = _outcomes(tmp_path)
    assert code == 1
    (violation,) = outcomes[checks[0]]["violations"]
    assert "multipart form" in violation["actual"] and "JSON body" in violation["actual"]
    assert outcomes[checks[1]]["outcome"] == "passed", outcomes[checks[1]]


def test_several_faults_behind_a_refused_form_are_one_block_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that refuses the multipart form (the base create), serves any variant, takes
    the key as Basic credentials and rewrites its error objects: one block per fault, and
    nothing else (no case standing on the form fails for it)."""
    defects = ("unknown-variant-served", "basic-auth-accepted", "rewritten-errors")
    with (
        running_mock(MockConfig(render_seconds=0.2, defects=defects)) as mock,
        serve_in_thread(NoRangesServer(mock.url, _json_only, mock.key)) as url,
    ):
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick", "--no-fuzz",
             "--report-dir", str(tmp_path)]
        )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    causes = {cause["check"]: cause for cause in summary["root_causes"]}
    assert code == 1
    assert set(causes) == {
        "missing_or_wrong_key_is_refused",
        "error_answers_carry_the_documented_error_object",
        "created_job_reaches_terminal_status",
        "unknown_variant_is_refused",
    }, causes
    assert all(len(cause["violations"]) == 1 for cause in causes.values())
    (form,) = causes["created_job_reaches_terminal_status"]["violations"]
    assert "multipart form" in form["at_fault"]
    assert "Basic" in causes["missing_or_wrong_key_is_refused"]["violations"][0]["at_fault"]
    assert capsys.readouterr().out.count("✗ ") == len(causes)


def test_a_fuzzer_finding_of_the_refused_form_is_blocked_by_its_root_cause(
    tmp_path: Path,
) -> None:
    checks = ["created_job_reaches_terminal_status"]
    with (
        running_mock(MockConfig(render_seconds=0.2)) as mock,
        serve_in_thread(NoRangesServer(mock.url, _json_only, mock.key)) as url,
    ):
        code = main(
            ["audit", "--url", url, "--key", mock.key, "--profile", "quick",
             "--report-dir", str(tmp_path), *(a for c in checks for a in ("--check", c))]
        )  # fmt: skip
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert code == 1
    roots = {cause["check"]: cause for cause in summary["root_causes"]}
    assert "created_job_reaches_terminal_status" in roots
    # The fuzzer's refused valid forms are that cause, listed under it, not a finding.
    assert "positive_data_acceptance" in roots["created_job_reaches_terminal_status"]["blocked"]
    fuzzed = next(
        c
        for g in summary["operations"]
        if g["operation"] == "createVideo"
        for c in g["checks"]
        if c["check"] == "positive_data_acceptance"
    )
    assert fuzzed["outcome"] == "not run" and "multipart form" in fuzzed["reason"]


def test_an_audit_named_to_one_other_family_is_conformant_on_the_mock(tmp_path: Path) -> None:
    """`--model` naming a model of another family only: the audit's jobs are made with it,
    the remix (a Sora job's) is not offered, and the fuzzer's spec names only it."""
    veo = families(load_spec()).named("veo").models[0]
    with running_mock(MockConfig(render_seconds=0.2)) as mock:
        code = main(
            ["audit", "--url", mock.url, "--key", mock.key, "--profile", "quick",
             "--model", veo, "--report-dir", str(tmp_path)]
        )  # fmt: skip
    outcomes = _outcomes(tmp_path)
    assert code == 0, {n: c["violations"] for n, c in outcomes.items() if c["violations"]}
    assert outcomes["remix_points_to_source"]["outcome"] == "not offered"
    assert outcomes["created_job_reaches_terminal_status"]["outcome"] == "passed"
    scoped = (tmp_path / "schemathesis" / "openapi.scoped.yaml").read_text()
    assert veo in scoped
