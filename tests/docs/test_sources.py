"""`docs-check URL` and `docs-check --sources`: the page copies served over HTTP on 127.0.0.1,
and servers that answer badly (404, slow, oversized, unsafe redirects, escapes and garbage)."""

from __future__ import annotations

import json
import re
import shlex
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from videos_contract.cli import build_parser, main
from videos_contract.cli.config import read_config
from videos_contract.docs.catalogue import models_named
from videos_contract.docs.fetch import MAX_PAGE_BYTES, FetchError, _redirect_target, check_address
from videos_contract.docs.kinds import KINDS
from videos_contract.docs.sources import check_text, kind_of_url, source_of_url
from videos_contract.families import families
from videos_contract.paths import PROJECT_ROOT, SPEC_PATH
from videos_contract.spec import load_spec

PAGES = Path(__file__).parent / "pages"
SPEC = load_spec()
CATALOGUE = families(SPEC)
ADAPTER = next(s for s in CATALOGUE.sources.values() if s.kind == "adapter")
NEWS = next(s for s in CATALOGUE.sources.values() if s.kind == "news")
# A model name no family lists, shaped like one of the news page's (`wan2.6-t2v`).
NEW_MODEL = "wan9.9-t2v"
ESC = "\x1b"


def _adapter_copy() -> str:
    """The adapter's model list as copied, less the rows of models the spec does not list yet
    (those are drift the copy's own test reports): a list the contract agrees with."""
    text = (PAGES / "adapter" / "models.txt").read_text(encoding="utf-8")
    unknown = [m for m in models_named(ADAPTER, text, SPEC) if not CATALOGUE.known(m)]
    lines = [line for line in text.splitlines() if line.split(" | ", 1)[0] not in unknown]
    return "\n".join(lines) + "\n"


def _adapter_code(copy: str) -> str:
    """The same list as the adapter's code writes it (`src/seed.ts`: one object per model)."""
    rows = [line.split(" | ") for line in copy.splitlines() if " | " in line][1:]
    entries = "".join(
        f"  {{\n    id: '{row[0]}',\n    apiModel: '{row[0]}',\n    family: '{row[1]}',\n  }},\n"
        for row in rows
    )
    return (
        "import type { ModelCapability } from './types.js';\n\n"
        f"export const AIHUBMIX_VIDEO_SEED: ModelCapability[] = [\n{entries}];\n"
    )


Route = Callable[[BaseHTTPRequestHandler], None]


def _send(body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> Route:
    data = body.encode() if isinstance(body, str) else body

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return route


def _status(code: int) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_error(code)

    return route


def _redirect(location: str, code: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


class _Server:
    """A real HTTP server on 127.0.0.1 (port 0) that answers each path with its route."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.release = threading.Event()  # what the slow routes wait for
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path)
                try:
                    (route or _status(404))(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should past its bounds

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def server() -> Iterator[_Server]:
    made = _Server()
    thread = threading.Thread(target=made.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield made
    finally:
        made.release.set()
        made.httpd.shutdown()
        made.httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def copies(server: _Server, shared_page: Path) -> dict[str, str]:
    """Every kind of source served from its copy; kind -> URL."""
    served = {
        "unified": ("/cn/api/Video-Gen.md", PAGES / "video-gen" / "video-gen.cn.mdx"),
        "family": ("/cn/blogs/seedance", PAGES / "video-gen" / "seedance.cn.txt"),
        "news": ("/cn/update/News.md", PAGES / "news" / "news.cn.mdx"),
        "operation": ("/api-reference/videos/create-a-video", shared_page),
    }
    urls = {}
    for kind, (path, file) in served.items():
        # A plain file server labels `.mdx` as it labels any file it does not know.
        labelled = "application/octet-stream" if file.suffix == ".mdx" else "text/plain"
        server.routes[path] = _send(file.read_text(encoding="utf-8"), labelled)
        urls[kind] = server.url(path)
    server.routes["/src/seed.ts"] = _send(_adapter_code(_adapter_copy()))
    urls["adapter"] = server.url("/src/seed.ts")
    return urls


def _settings(tmp_path: Path, sources: list[tuple[str, str | None]]) -> Path:
    lines = []
    for url, kind in sources:
        lines += ["[[docs_sources]]", f'url = "{url}"']
        if kind is not None:
            lines.append(f'kind = "{kind}"')
        lines.append("")
    path = tmp_path / "videos-contract.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["docs-check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- every source in sync, then one that drifts -------------------------------------------


def test_every_source_in_sync_exits_0(
    copies: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _settings(tmp_path, [(url, kind) for kind, url in copies.items()])
    code, out, err = _run(capsys, "--sources", "--config", str(config))
    assert code == 0, out + err
    assert f"{len(copies)} source(s): {len(copies)} agree, 0 differ, 0 could not be checked" in out
    for kind, url in copies.items():
        assert f"[{kind}] {url}: " in out
    assert out.count("page and spec agree") == len(copies)


def test_the_kind_is_read_from_the_text_where_it_can_be(
    copies: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The unified page, a family's page and an operation's page tell their kind by the
    # models they name; the news page and the adapter's list need theirs given.
    told = ("unified", "family", "operation")
    config = _settings(tmp_path, [(copies[k], None) for k in told])
    code, out, _ = _run(capsys, "--sources", "--config", str(config), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert [s["kind"] for s in document["sources"]] == list(told)
    assert document["summary"] == {"sources": 3, "agree": 3, "differ": 0, "failed": 0}


def test_an_extra_model_on_one_source_is_named(
    server: _Server, copies: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    news = (PAGES / "news" / "news.cn.mdx").read_text(encoding="utf-8")
    server.routes["/news-new"] = _send(news + f"\n- 新增视频模型 `{NEW_MODEL}`\n")
    sources = [(url, kind) for kind, url in copies.items() if kind != "news"]
    config = _settings(tmp_path, [*sources, (server.url("/news-new"), "news")])
    code, out, _ = _run(capsys, "--sources", "--config", str(config))
    assert code == 1, out
    assert f"model `{NEW_MODEL}`: catalogue: page says named by {NEWS.title}" in out
    assert f"{server.url('/news-new')}: POST /v1/videos" in out
    assert "5 source(s): 4 agree, 1 differ, 0 could not be checked" in out


def test_a_model_gone_from_the_adapter_code_is_named(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _adapter_copy()
    gone = models_named(ADAPTER, copy, SPEC)[0]
    kept = "\n".join(line for line in copy.splitlines() if not line.startswith(gone + " |"))
    server.routes["/seed.ts"] = _send(_adapter_code(kept))
    code, out, _ = _run(capsys, server.url("/seed.ts"), "--kind", "adapter")
    assert code == 1
    assert f"model `{gone}`: catalogue: page says not named any more" in out


def test_a_single_url_in_sync(copies: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, copies["unified"], "--format", "json")
    assert code == 0
    assert json.loads(out)["page"] == copies["unified"]
    assert json.loads(out)["differences"] == []


# ---- what cannot be fetched: one line, exit 2 ----------------------------------------------


def _failure(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = _run(capsys, *args)
    assert code == 2, out + err
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_404(server: _Server, capsys: pytest.CaptureFixture[str]) -> None:
    err = _failure(capsys, server.url("/gone"))
    assert f"docs-check: error: status: {server.url('/gone')}: HTTP 404" in err


def test_a_server_that_never_answers_times_out(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    def silent(handler: BaseHTTPRequestHandler) -> None:
        server.release.wait(60)

    server.routes["/silent"] = silent
    err = _failure(capsys, server.url("/silent"), "--timeout", "0.5")
    assert "error: timeout: " in err and "no answer within 0.5 s" in err


def test_an_answer_that_trickles_is_cut_at_the_deadline(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each byte comes well within httpx's per-read timeout; only the overall deadline ends it.
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not server.release.wait(0.05):
            handler.wfile.write(b"a")
            handler.wfile.flush()

    server.routes["/trickle"] = trickle
    err = _failure(capsys, server.url("/trickle"), "--timeout", "0.5")
    assert "error: timeout: " in err


def test_a_head_that_trickles_is_cut_at_the_deadline(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    # The status line and headers a byte at a time: no read ever waits long, so only a
    # deadline every socket read keeps ends it (after 200 bytes the server gives up anyway).
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 200
        for byte in head:
            if server.release.wait(0.05):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
        handler.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")

    server.routes["/head"] = trickle
    err = _failure(capsys, server.url("/head"), "--timeout", "0.5")
    assert "error: timeout: " in err


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_an_oversized_page_is_refused(
    server: _Server, declared: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    size = MAX_PAGE_BYTES + 1

    def huge(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        if declared:
            handler.send_header("Content-Length", str(size))
        handler.send_header("Connection", "close")
        handler.end_headers()
        block = b"x" * 65536
        left = size
        while left > 0:
            handler.wfile.write(block[:left])
            left -= len(block)

    server.routes["/huge"] = huge
    err = _failure(capsys, server.url("/huge"))
    assert "error: too-big: " in err
    assert f"{MAX_PAGE_BYTES:,}" in err


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "javascript:alert(1)", "ftp://127.0.0.1/page"]
)
def test_a_redirect_to_another_scheme_is_refused(
    server: _Server, location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/moved"] = _redirect(location)
    err = _failure(capsys, server.url("/moved"))
    scheme = location.split(":")[0]
    assert f"error: redirect: {server.url('/moved')}: a redirect to a {scheme}: address" in err


def test_redirects_are_followed_only_so_far(
    server: _Server, copies: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/old-news"] = _redirect("/cn/update/News.md", 301)
    code, out, _ = _run(capsys, server.url("/old-news"), "--kind", "news")
    assert code == 0, out
    server.routes["/loop"] = _redirect("/loop")
    err = _failure(capsys, server.url("/loop"))
    assert "error: redirect: " in err and "more than 5 redirects" in err


def test_a_redirect_from_https_down_to_http_is_refused() -> None:
    with pytest.raises(FetchError, match="from https down to http") as caught:
        _redirect_target(check_address("https://docs.example/a"), 302, "http://docs.example/a")
    assert caught.value.reason == "redirect"


@pytest.mark.parametrize(
    "location",
    ["http://169.254.169.254/latest/meta-data/", "https://127.0.0.1:8443/", "http://localhost/"],
)
def test_a_redirect_from_a_public_host_to_an_internal_address_is_refused(location: str) -> None:
    with pytest.raises(FetchError, match="from a public host to an internal address") as caught:
        _redirect_target(check_address("http://docs.example/a"), 302, location)
    assert caught.value.reason == "redirect"
    # Between two addresses of this machine (the tests' servers), redirects are followed.
    assert _redirect_target(check_address("http://127.0.0.1:1/a"), 302, location)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://127.0.0.1/page", "ftp: refused; only http and https URLs are fetched"),
        ("file:///etc/passwd", "file: refused"),
        ("https://user:secret@docs.example/page", "a user name or password in the URL"),
    ],
)
def test_addresses_that_are_not_fetched(
    url: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _failure(capsys, url)
    assert "error: address: " in err and words in err
    assert "secret" not in err


def test_a_host_that_does_not_resolve(capsys: pytest.CaptureFixture[str]) -> None:
    # `.invalid` never resolves (RFC 2606).
    err = _failure(capsys, "http://docs-check.invalid/page", "--timeout", "10")
    assert "error: dns: http://docs-check.invalid/page: the host name does not resolve" in err


def test_a_closed_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port just free: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    err = _failure(capsys, f"http://127.0.0.1:{port}/page")
    assert "error: connect: " in err and "cannot connect" in err


# ---- hostile text never reaches the terminal raw -------------------------------------------


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")
# A title change, a cleared screen and a right-to-left override.
HOSTILE = f"{ESC}]0;owned\x07{ESC}[2J\u202e"


def test_escapes_in_a_page_are_printed_visibly(
    server: _Server, page_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An allowed value the operation's page adds, escapes and all: the finding quotes it.
    seconds = SPEC.enum("VideoSeconds")
    options = ",\n".join(seconds)
    assert options + "\nsize" in page_text
    value = f"{int(seconds[-1]) + 4}{HOSTILE}"
    server.routes["/create"] = _send(
        page_text.replace(options + "\nsize", f"{options},\n{value}\nsize", 1)
    )
    code, out, _ = _run(capsys, server.url("/create"))
    assert code == 1
    assert "request body field `seconds`" in out and "\\x1b]0;owned\\x07\\x1b[2J\\u202e" in out
    assert not UNSAFE.search(out)
    config = _settings(tmp_path, [(server.url("/create"), "operation")])
    for fmt in ("text", "json"):
        code, out, _ = _run(capsys, "--sources", "--config", str(config), "--format", fmt)
        assert code == 1 and "owned" in out
        assert not UNSAFE.search(out)


def test_escapes_around_a_model_on_the_news_page(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    news = (PAGES / "news" / "news.cn.mdx").read_text(encoding="utf-8")
    server.routes["/news"] = _send(news + f"\n{HOSTILE} `{NEW_MODEL}`{ESC}[31m `wan\x9b9.8-t2v`\n")
    code, out, _ = _run(capsys, server.url("/news"), "--kind", "news")
    assert code == 1
    assert f"model `{NEW_MODEL}`" in out
    assert not UNSAFE.search(out)


def test_escapes_in_a_status_line_or_redirect_are_never_printed_raw(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    def status(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(500, f"bad {ESC}[2J{ESC}]0;owned\x07")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server.routes["/status"] = status
    server.routes["/moved"] = _redirect(f"gopher://x/{ESC}[2J")
    for path in ("/status", "/moved"):
        err = _failure(capsys, server.url(path))
        assert ESC not in err and "\x07" not in err


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (bytes(range(256)) * 4, "text/plain", "not utf-8 text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png", "the answer is image/png, not a page"),
        (b"page\x00text", "text/plain", "NUL characters"),
        (bytes(range(256)) * 4, "application/octet-stream", "not utf-8 text"),
        ("page".encode("utf-16"), "text/plain; charset=klingon", "unknown charset 'klingon'"),
    ],
    ids=["not-utf-8", "an-image", "nul", "binary", "unknown-charset"],
)
def test_garbage_is_not_a_page(
    server: _Server,
    body: bytes,
    content_type: str,
    words: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.routes["/garbage"] = _send(body, content_type)
    err = _failure(capsys, server.url("/garbage"))
    assert "error: not-text: " in err and words in err


def test_a_page_of_another_kind_is_refused(
    server: _Server, capsys: pytest.CaptureFixture[str]
) -> None:
    # A login page where the news page was: compared, it would call every model gone.
    login = "<!doctype html><html><body><h1>Sign in</h1><form>e-mail</form></body></html>"
    server.routes["/login"] = _send(login, "text/html; charset=utf-8")
    err = _failure(capsys, server.url("/login"), "--kind", "news")
    assert "error: kind: " in err and "names no video model" in err
    err = _failure(capsys, server.url("/login"), "--kind", "unified")
    assert "not the unified page" in err
    err = _failure(capsys, server.url("/login"))
    assert "error: kind: " in err and "not an operation's page" in err


# ---- settings-driven runs ------------------------------------------------------------------


def test_each_source_is_reported_and_failures_exit_2(
    server: _Server, copies: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _settings(
        tmp_path, [(copies["news"], "news"), (server.url("/gone"), None), (copies["family"], None)]
    )
    code, out, _ = _run(capsys, "--sources", "--config", str(config))
    assert code == 2, out
    assert f"{server.url('/gone')}: could not be checked (status): " in out
    assert "3 source(s): 2 agree, 0 differ, 1 could not be checked" in out


def test_drift_outranks_a_failure(
    server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/seed.ts"] = _send(_adapter_code(_adapter_copy()) + f"\n{{ id: '{NEW_MODEL}' }}")
    config = _settings(tmp_path, [(server.url("/seed.ts"), "adapter"), (server.url("/gone"), None)])
    code, out, _ = _run(capsys, "--sources", "--config", str(config), "--format", "json")
    assert code == 1
    first, second = json.loads(out)["sources"]
    assert [d["field"] for d in first["differences"]] == [f"model `{NEW_MODEL}`"]
    assert second["error"]["reason"] == "status"


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (
            'url = "https://docs.example/a"\nkind = "blog"',
            "kind 'blog'; one of " + ", ".join(KINDS),
        ),
        ('url = "ftp://docs.example/a"', "ftp://docs.example/a: ftp: refused"),
        ('url = "https://docs.example/a"\ntoken = "x"', "unknown key 'token'; known: url, kind"),
        ('kind = "news"', "url must be an http(s) URL"),
    ],
)
def test_a_bad_source_in_the_settings_file_is_one_line(
    entry: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "videos-contract.toml"
    config.write_text(f"[[docs_sources]]\n{entry}\n", encoding="utf-8")
    err = _failure(capsys, "--sources", "--config", str(config))
    assert f"{config}: docs_sources #1: {words}" in err


def test_sources_without_a_list_or_with_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "videos-contract.toml"
    config.write_text('profile = "quick"\n', encoding="utf-8")
    assert "lists no docs_sources" in _failure(capsys, "--sources", "--config", str(config))
    both = _failure(capsys, "--sources", "https://docs.example/a")
    assert "name one PAGE" in both
    assert "name one PAGE" in _failure(capsys)


# ---- the kind from the spec's x-sources ----------------------------------------------------


def test_addresses_the_spec_lists_have_their_kind() -> None:
    for source in CATALOGUE.sources.values():
        assert kind_of_url(source.url, SPEC) == source.kind
        # Mintlify serves a page's Markdown at its address plus `.md`.
        assert kind_of_url(source.url + ".md", SPEC) == source.kind
    assert kind_of_url("https://docs.example/elsewhere", SPEC) is None


def test_a_page_source_is_unified_or_a_family_page_by_its_text() -> None:
    unified = (PAGES / "video-gen" / "video-gen.cn.mdx").read_text(encoding="utf-8")
    family = (PAGES / "video-gen" / "seedance.cn.txt").read_text(encoding="utf-8")
    assert check_text("u", unified, SPEC, kind="page").kind == "unified"
    assert check_text("f", family, SPEC, kind="page").kind == "family"


# ---- the daily workflow and its sources ----------------------------------------------------

WORKFLOW = PROJECT_ROOT / "examples" / "docs-drift.yml"


def _workflow_command() -> list[str]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    triggers = document.get("on", document.get(True))
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    assert len(cron.split()) == 5 and cron.split()[2:] == ["*", "*", "*"], "once a day"
    assert "workflow_dispatch" in triggers
    steps = document["jobs"]["docs-check"]["steps"]
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    for step in steps:
        if step.get("run", "").startswith("make "):
            assert f"\n{step['run'].split()[1]}:" in makefile
    (run,) = [s["run"] for s in steps if "videos-contract docs-check" in s.get("run", "")]
    words = shlex.split(run)
    assert words[0] == ".venv/bin/videos-contract"
    return words[1:]


def test_the_workflow_runs_a_command_the_cli_accepts() -> None:
    words = _workflow_command()
    parsed = build_parser().parse_args(words)
    assert (parsed.command, parsed.sources, parsed.page) == ("docs-check", True, None)
    assert (PROJECT_ROOT / parsed.config).is_file()
    assert (PROJECT_ROOT / parsed.spec).resolve() == (PROJECT_ROOT / "openapi.yaml").resolve()


def test_the_workflow_sources_are_those_the_spec_names() -> None:
    parsed = build_parser().parse_args(_workflow_command())
    listed = read_config(PROJECT_ROOT / parsed.config).values["docs_sources"]
    kinds = {"page": ("unified", "family"), "news": ("news",), "adapter": ("adapter",)}
    named = set()
    for entry in listed:
        source = source_of_url(entry["url"], SPEC)
        if source is None:  # the adapter's code, a raw file beside the page x-sources names
            assert entry["kind"] == "adapter" and entry["url"].endswith(".ts")
            named.add(ADAPTER.name)
            continue
        assert entry["kind"] in kinds[source.kind]
        named.add(source.name)
    compared = {s.name for s in CATALOGUE.sources.values() if s.kind in kinds}
    assert named == compared, "every source docs-check compares is fetched every day"


def test_the_workflow_command_against_the_copies_served_on_loopback(
    server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each address of the sources file answered, on 127.0.0.1, by its copy in tests/docs/pages.
    parsed = build_parser().parse_args(_workflow_command())
    listed = read_config(PROJECT_ROOT / parsed.config).values["docs_sources"]
    sources = []
    for entry in listed:
        path = urlsplit(entry["url"]).path
        source = source_of_url(entry["url"], SPEC)
        if source is not None and source.copy:
            server.routes[path] = _send((PAGES / source.copy).read_text(encoding="utf-8"))
        else:
            server.routes[path] = _send(_adapter_code(_adapter_copy()))
        sources.append((server.url(path), entry["kind"]))
    config = _settings(tmp_path, sources)
    words = _workflow_command()
    words[words.index("--config") + 1] = str(config)
    words[words.index("--spec") + 1] = str(SPEC_PATH)
    code, out, err = _run(capsys, *words[1:])
    assert code == 0, out + err
    assert f"{len(listed)} source(s): {len(listed)} agree" in out
