"""Servers the audit has never seen are judged right: correct ones pass, planted faults fail.

`no_ranges_server` is a small, HTTP-correct server of its own (a reverse proxy in front of the
mock) that does not offer byte ranges: it never advertises `Accept-Ranges` and answers a
`Range` request with the whole body, as RFC 9110 allows. The history tests give the account
a hundred earlier jobs before the audit starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from videos_contract.audit.serving import serve_in_thread
from videos_contract.cli import main
from videos_contract.mock import MockConfig, MockServer, running_mock
from videos_contract.spec import load_spec

HISTORY = 100
_DROPPED_REQUEST = {b"range", b"host", b"content-length", b"connection", b"accept-encoding"}
_DROPPED_RESPONSE = {b"accept-ranges", b"content-length", b"transfer-encoding", b"connection"}


class NoRangesServer:
    """Forwards every request to `upstream` without its Range header; never offers ranges."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream

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
