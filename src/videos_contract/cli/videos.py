"""`videos-contract create|list|get|delete|download|remix`: the API from the command line.

Each command parses its arguments, opens a client (`--url`/`--key`, else `VIDEOS_API_URL`/
`VIDEOS_API_KEY`; `--mock`, or no server at all, an embedded mock started for the command,
announced on stderr; `-q`/`--json` without a server are refused) and calls
`videos_contract.client`. Choices come from openapi.yaml. Results go to stdout (readable, or
JSON with `--json`); progress bars and notes go to stderr. Every string a server provided goes
through `videos_contract.terminal.printable` before it reaches the readable output, so that no
escape sequence of a server reaches the terminal (`--json` escapes them as JSON does).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import posixpath
import re
import shlex
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from videos_contract import client as api
from videos_contract.cli.common import CliError, positive
from videos_contract.cli.common import console as make_console
from videos_contract.cli.config import find_config, read_config
from videos_contract.cli.families import check_family_values, families_help, family_body
from videos_contract.client.defaults import DEFAULT_INTERVAL, DEFAULT_TIMEOUT
from videos_contract.extras import MissingExtra, needs
from videos_contract.families import families
from videos_contract.spec import Spec, load_spec
from videos_contract.terminal import printable

# httpx, the generated client and rich are imported where a command runs, not by `--help`.
if TYPE_CHECKING:
    import httpx
    from aihubmix_videos import AuthenticatedClient
    from aihubmix_videos.models import Video
    from rich.console import Console

    from videos_contract.client import DownloadResult

__all__ = ["register"]

EMBEDDED_NOTE = (
    "note: using an embedded mock at {url} that lives only as long as this command "
    "(--mock asks for it; a server comes from --url or ${url_env})"
)
EMBEDDED_BANNER = (
    "warning: no server given (--url or ${url_env}): running against an embedded mock at "
    "{url}; nothing reaches a real API (--mock asks for the mock explicitly)"
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `create`, `list`, `get`, `delete`, `download` and `remix`."""
    spec = load_spec()
    common = argparse.ArgumentParser(add_help=False)
    server = common.add_argument_group("server")
    server.add_argument(
        "--url",
        help=f"API root, e.g. {spec.raw['servers'][0]['url']}: the commands add the paths "
        f"({_api_prefix(spec)}...) (default: ${api.URL_ENV}; without either, an embedded "
        "mock with a warning on stderr)",
    )
    server.add_argument(
        "--mock",
        action="store_true",
        help="run against an embedded mock that lives only as long as the command",
    )
    server.add_argument(
        "--key",
        help=f"API key (default: ${api.KEY_ENV}; prefer the variable: "
        "command lines are visible to other users)",
    )
    server.add_argument(
        "--call-timeout",
        type=positive,
        default=api.DEFAULT_CALL_TIMEOUT,
        metavar="SECONDS",
        help="overall deadline of each request, retries included, however slowly the server "
        f"sends (default {api.DEFAULT_CALL_TIMEOUT:g})",
    )
    output = common.add_argument_group("output")
    output.add_argument("--json", action="store_true", help="print machine-readable JSON")
    output.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes")
    output.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bars on stderr (auto: when stderr is a terminal)",
    )
    waiting = argparse.ArgumentParser(add_help=False)
    group = waiting.add_argument_group("waiting")
    group.add_argument(
        "--wait", action="store_true", help="poll until the job is completed or failed"
    )
    group.add_argument(
        "--timeout",
        type=positive,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait at most (default {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument(
        "--interval",
        type=positive,
        default=DEFAULT_INTERVAL,
        help=f"seconds between polls when the server advises none (default {DEFAULT_INTERVAL:g})",
    )
    group.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="download the MP4 here (implies --wait)"
    )

    def add(name: str, helptext: str, *parents: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subparsers.add_parser(
            name, help=helptext, description=helptext, parents=[common, *parents]
        )
        return parser

    def billed(operation_id: str) -> str:
        return " (billed by a real gateway)" if spec.operation(operation_id).billed else ""

    prompt = _prompt_type(spec)
    create = add("create", "start a video job" + billed("createVideo"), waiting)
    create.add_argument(
        "--prompt", required=True, type=prompt, help="what the video should show" + prompt.limits
    )
    catalogue = families(spec)
    create.add_argument(
        "--model",
        metavar="MODEL",
        help="a model of a family below, or any other model name (default: `model` in "
        "the settings file, videos-contract.toml; without either, create refuses)",
    )
    create.add_argument("--seconds", metavar="N", help="clip length; values per family below")
    create.add_argument(
        "--extra",
        action="append",
        type=_extra_field,
        default=[],
        metavar="NAME=JSON",
        help="a further body field, sent as given and not checked here (repeatable), as the "
        "openai SDKs' extra_body: --extra seed=42 --extra 'metadata={\"a\": 1}'; text "
        "needs JSON quotes: --extra 'style=\"anime\"'",
    )
    create.add_argument("--size", metavar="SIZE", help="frame size; values per family below")
    # Worked out when the help is shown, not at every start of the command line.
    create.set_defaults(help_epilog=lambda: families_help(catalogue))
    create.add_argument(
        "--reference",
        metavar="FILE_OR_URL",
        help="reference image: a file to upload, or an https:// or data: URL",
    )
    create.set_defaults(handler=_command(_create))

    listing = add("list", "list videos, one page or --all")
    limit = spec.operation("listVideos").parameter("limit")["schema"]
    listing.add_argument(
        "--limit",
        type=_bounded_int(limit["minimum"], limit["maximum"]),
        help=f"videos per page, {limit['minimum']} to {limit['maximum']} "
        f"(server default: {limit['default']})",
    )
    listing.add_argument(
        "--order",
        choices=spec.enum("ListOrder"),
        help=f"by creation time (server default: {spec.default('ListOrder')})",
    )
    listing.add_argument("--after", metavar="VIDEO_ID", help="start after this video")
    listing.add_argument("--all", action="store_true", help="follow every page")
    listing.set_defaults(handler=_command(_list))

    get = add("get", "show a video job", waiting)
    get.add_argument("video_id", metavar="VIDEO_ID")
    get.set_defaults(handler=_command(_get))

    delete = add("delete", "delete a video job and its assets")
    delete.add_argument("video_id", metavar="VIDEO_ID")
    delete.set_defaults(handler=_command(_delete))

    download = add("download", "download an asset of a completed job")
    download.add_argument("video_id", metavar="VIDEO_ID")
    download.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="where to write it"
    )
    download.add_argument(
        "--timeout",
        type=positive,
        default=api.DEFAULT_DOWNLOAD_TIMEOUT,
        help=f"seconds the whole download may take (default {api.DEFAULT_DOWNLOAD_TIMEOUT:g})",
    )
    download.add_argument(
        "--variant",
        choices=spec.enum("ContentVariant"),
        default=spec.default("ContentVariant"),
        help=f"which asset (default: {spec.default('ContentVariant')})",
    )
    download.set_defaults(handler=_command(_download))

    remix = add("remix", "start a job reworking a completed video" + billed("remixVideo"), waiting)
    remix.add_argument("video_id", metavar="VIDEO_ID")
    remix.add_argument(
        "--prompt", required=True, type=prompt, help="the new prompt" + prompt.limits
    )
    remix.set_defaults(handler=_command(_remix))


class _PromptType:
    """`--prompt`, checked against the spec's `VideoPrompt` length limits before sending."""

    def __init__(self, low: int | None, high: int | None) -> None:
        self.low, self.high = low, high
        self.limits = f" ({low} to {high} characters)" if low is not None and high else ""
        self.__name__ = "prompt"  # argparse names the type in its messages

    def __call__(self, text: str) -> str:
        if self.low is not None and len(text) < self.low:
            raise argparse.ArgumentTypeError(
                f"at least {self.low} character(s), the spec's VideoPrompt minLength"
            )
        if self.high is not None and len(text) > self.high:
            raise argparse.ArgumentTypeError(
                f"{len(text)} characters; the spec's VideoPrompt maxLength is {self.high}"
            )
        return text


def _prompt_type(spec: Spec) -> _PromptType:
    schema = spec.schema("VideoPrompt")
    return _PromptType(schema.get("minLength"), schema.get("maxLength"))


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    def bounded(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low} to {high} (the spec's limits)")
        return value

    return bounded


def _api_prefix(spec: Spec) -> str:
    """What every path of the API starts with (`/v1/videos`): a `--url` holding it names an
    endpoint, not the API root the commands add their paths to."""
    prefix: str = posixpath.commonpath(list(spec.raw["paths"]))
    return prefix


def _check_reference_url(value: str) -> None:
    pattern = load_spec().schema("ImageReference")["properties"]["image_url"].get("pattern")
    if pattern and re.search(pattern, value) is None:
        raise CliError(
            "--reference: not a file, and not a URL the spec allows (an https:// URL with a "
            "host, or a data:image/... URL)",
            exit_code=2,
        )


def _check_root(url: str, source: str, ui: _Ui) -> None:
    """`--url` is the API root; a URL naming an endpoint would double the paths."""
    path = urlsplit(url).path.rstrip("/")
    prefix = _api_prefix(load_spec())
    version = "/" + prefix.strip("/").split("/")[0]
    if path.endswith(version):  # as OpenAI SDK base URLs are written; the client drops it
        ui.note(
            f"note: {source} is the API root; its trailing {version} is dropped "
            f"(requests go to {url.rstrip('/')[: -len(version)]}{prefix}...)"
        )
    if path.endswith(prefix) or f"{prefix}/" in path:
        raise CliError(
            f"{source} names an endpoint ({path}); it is the API root, e.g. "
            f"{load_spec().raw['servers'][0]['url']}: the commands add {prefix}... themselves",
            exit_code=2,
        )


# --- running a command -------------------------------------------------------------------


@dataclass
class _Ui:
    """Where a command writes: results to stdout, notes and progress to stderr."""

    json: bool
    quiet: bool
    progress: bool
    err: Console
    printed: bool = False  # with --json: one document is on stdout already
    streaming: bool = False  # with --json: a document is open (`list --all`)
    interrupted: str = ""  # what an interrupt leaves behind, and how to go on

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> _Ui:
        err = make_console(stderr=True, force_terminal=True if args.progress == "always" else None)
        shown = not args.quiet and (
            args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
        )
        return cls(json=args.json, quiet=args.quiet, progress=shown, err=err)

    def note(self, text: str) -> None:
        if not self.quiet:
            print(printable(text), file=sys.stderr)

    def retrying(self, request: httpx.Request, attempt: int, reason: str, delay: float) -> None:
        self.note(
            f"retrying {request.method} {request.url.path} after {reason} "
            f"in {delay:.1f} s (retry {attempt + 1})"
        )

    def line(self, human: str) -> None:
        """One line of readable output, flushed at once (`list --all` streams)."""
        print(human, flush=True)

    def emit(self, data: Any, human: str) -> None:
        self.printed = True
        print(json.dumps(data, indent=2, sort_keys=True) if self.json else human)

    def failure(self, message: str, exit_code: int) -> None:
        """With `--json`, a failure is still one document on stdout (see docs/client.md)."""
        if not self.json or self.printed:
            return
        error = {"message": message, "exit_code": exit_code}
        if self.streaming:  # close the open `{"data": [...` of `list --all`
            self.line(f'], "has_more": true, "error": {json.dumps(error, sort_keys=True)}}}')
        else:
            self.line(json.dumps({"error": error}, indent=2, sort_keys=True))
        self.printed = True

    @contextlib.contextmanager
    def bar(self, description: str, *, transfer: bool) -> Iterator[Callable[..., None]]:
        """A progress bar; yields `update(completed=..., total=..., description=...)`."""
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )

        if not self.progress:
            yield lambda **_: None
            return
        columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
        if transfer:
            columns += [DownloadColumn(), TransferSpeedColumn()]
        else:
            columns += [TaskProgressColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=self.err, transient=False) as progress:
            task = progress.add_task(description, total=100 if not transfer else None)
            yield lambda **fields: progress.update(task, **fields)


def _command(run: Callable[[argparse.Namespace, _Ui], int]) -> Callable[[argparse.Namespace], int]:
    """A command's handler: with `--json`, every failure still prints one JSON document."""

    def handler(args: argparse.Namespace) -> int:
        ui = _Ui.from_args(args)
        try:
            return run(args, ui)
        except CliError as exc:
            ui.failure(str(exc), exc.exit_code)
            raise
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", signal.SIGINT)  # SIGTERM, SIGHUP: see cli.main
            message = "interrupted" + (f": {ui.interrupted}" if ui.interrupted else "")
            ui.failure(message, 128 + signum)
            raise

    return handler


@contextlib.contextmanager
def _session(args: argparse.Namespace, ui: _Ui) -> Iterator[AuthenticatedClient]:
    """A client for the server the arguments name; an embedded mock when none is named.

    Client-side errors become `CliError` here, so that every command fails with one line.
    """
    import httpx

    from videos_contract.client import VideosClientError

    if args.mock and args.url:
        raise CliError("--mock and --url name two servers: pass one", exit_code=2)
    url = None if args.mock else args.url or os.environ.get(api.URL_ENV)
    if not url and not args.mock and (args.quiet or args.json):
        # A script (quiet or JSON) must not be green against a mock nobody asked for.
        raise CliError(
            f"no server: set {api.URL_ENV} (or pass --url), or pass --mock for an embedded mock",
            exit_code=2,
        )
    if url:
        _check_root(url, "--url" if args.url else f"${api.URL_ENV}", ui)
    with contextlib.ExitStack() as stack:
        if url:
            key = args.key or os.environ.get(api.KEY_ENV)
        else:
            # Imported here: the mock (uvicorn, PyAV) is only needed when it runs.
            try:
                from videos_contract.mock import MockConfig, running_mock
            except MissingExtra as exc:  # the base install: the client without the mock
                asked = "--mock: " if args.mock else f"no server: set {api.URL_ENV} (or --url); "
                raise CliError(
                    f"{asked}the embedded mock {needs('mock', exc.absent)}", exit_code=2
                ) from None

            try:
                server = stack.enter_context(running_mock(MockConfig()))
            except (OSError, RuntimeError) as exc:
                raise CliError(f"cannot start the embedded mock: {exc}") from None
            url, key = server.url, server.key
            if args.mock:
                ui.note(EMBEDDED_NOTE.format(url_env=api.URL_ENV, url=url))
            else:
                # Not a note: -q does not hide it (and -q without a server is refused above).
                print(EMBEDDED_BANNER.format(url_env=api.URL_ENV, url=url), file=sys.stderr)
            if args.key:
                ui.note("note: --key is not used by the embedded mock")
        try:
            policy = api.RetryPolicy(on_retry=ui.retrying)
            client = stack.enter_context(
                api.connect(url, key, policy=policy, call_timeout=args.call_timeout)
            )
            yield client
        except api.ConfigError as exc:  # a URL that is none, no key: asked for the impossible
            raise CliError(str(exc), exit_code=2) from None
        except VideosClientError as exc:
            raise CliError(str(exc)) from None
        except httpx.TimeoutException as exc:
            raise CliError(f"{url}: {exc or type(exc).__name__}") from None
        except httpx.TransportError as exc:
            raise CliError(f"cannot talk to {url}: {exc or type(exc).__name__}") from None


def _summary(video: Video) -> str:
    """One readable line; every field a server chose is made printable."""
    # Sora jobs answer progress, size and seconds; the other families width, height, duration.
    size = video.size or (f"{video.width}x{video.height}" if video.width and video.height else "")
    seconds = video.seconds or (str(video.duration) if video.duration else "")
    parts = [video.id, video.status]
    parts += [f"{video.progress}%"] if isinstance(video.progress, int) else []
    parts += [video.model, *([size] if size else []), *([f"{seconds}s"] if seconds else [])]
    if video.remixed_from_video_id:
        parts.append(f"remix of {video.remixed_from_video_id}")
    if video.error:
        from videos_contract.client.errors import failure_code

        parts.append(f"error {failure_code(video.error) or '-'}: {video.error.message}")
    if video.prompt:
        prompt = video.prompt if len(video.prompt) <= 60 else video.prompt[:59] + "…"
        parts.append(repr(prompt))
    return "  ".join(printable(part) for part in parts)


def _download_json(result: DownloadResult) -> dict[str, Any]:
    return {
        "path": str(result.path),
        "bytes": result.size,
        "content_type": result.content_type,
        "resumes": result.resumes,
    }


def _wait(client: AuthenticatedClient, ui: _Ui, video: Video, args: argparse.Namespace) -> Video:
    from rich.markup import escape

    with ui.bar(escape(printable(f"{video.id} {video.status}")), transfer=False) as update:

        def show(seen: Video) -> None:
            label = escape(printable(f"{seen.id} {seen.status}"))
            update(completed=seen.progress, description=label)

        show(video)
        return api.wait(
            client, video.id, timeout=args.timeout, interval=args.interval, on_progress=show
        )


def _fetch(
    client: AuthenticatedClient,
    ui: _Ui,
    video_id: str,
    dest: Path,
    variant: str,
    timeout: float = api.DEFAULT_DOWNLOAD_TIMEOUT,
) -> DownloadResult:
    from aihubmix_videos.models.content_variant import check_content_variant
    from rich.markup import escape

    with ui.bar(escape(printable(f"{variant} → {dest.name}")), transfer=True) as update:
        return api.download(
            client,
            video_id,
            dest,
            variant=check_content_variant(variant),
            on_progress=lambda done, total: update(completed=done, total=total),
            timeout=timeout,
        )


def _finish_job(
    client: AuthenticatedClient, ui: _Ui, video: Video, args: argparse.Namespace, note: str = ""
) -> int:
    """After a create or remix (or a get): wait and download as asked, then report."""
    output: Path | None = args.output
    try:
        if note:
            ui.note(note)  # note() makes it printable
        if args.wait or output is not None:
            try:
                video = _wait(client, ui, video, args)
            except api.JobFailedError as exc:
                if ui.json:  # the job itself, with its `error`; the error line goes to stderr
                    ui.emit(exc.video.to_dict(), "")
                raise
        if output is None:
            ui.emit(video.to_dict(), _summary(video))
            return 0
        result = _fetch(client, ui, video.id, output, "video")
    except KeyboardInterrupt:
        # Stopping this command does not stop the job, which a gateway bills: say how to go on.
        resume = f"videos-contract get {shlex.quote(video.id)} --wait"
        if output is not None:
            resume += f" -o {shlex.quote(str(output))}"
        ui.interrupted = printable(
            f"video {video.id} keeps running on the server (stopping this command does not "
            f"cancel the job, nor its bill); pick it up with: {resume}"
        )
        print(ui.interrupted, file=sys.stderr)
        raise
    ui.emit(
        {**video.to_dict(), "download": _download_json(result)},
        f"{_summary(video)}\nsaved {printable(result.path)} ({result.size} bytes)",
    )
    return 0


def _extra_field(text: str) -> tuple[str, Any]:
    """`NAME=JSON` of `--extra`: the field's name and its value, parsed as JSON."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=JSON, got {text[:60]!r}")
    name = name.strip()
    try:
        return name, json.loads(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{name}: {raw[:60]!r} is not JSON (text needs quotes: {name}='\"...\"')"
        ) from None


def _chosen_model(args: argparse.Namespace) -> str:
    """`--model`, else the settings file's `model`; a `CliError` naming the flag otherwise."""
    if args.model is not None:
        return str(args.model)
    path = find_config(Path.cwd())
    model = read_config(path).values.get("model") if path is not None else None
    if not model:
        raise CliError(
            "create: no model given: pass --model MODEL (or set model in videos-contract.toml)",
            exit_code=2,
        )
    return str(model)


def _create(args: argparse.Namespace, ui: _Ui) -> int:
    from aihubmix_videos.models.video_model import check_video_model
    from aihubmix_videos.models.video_seconds import check_video_seconds
    from aihubmix_videos.models.video_size import check_video_size
    from aihubmix_videos.types import UNSET

    from videos_contract.client.families import create_json
    from videos_contract.client.lifecycle import RetiredModelWarning, retirement_notice

    if args.output is not None and not args.output.parent.is_dir():
        raise CliError(f"--output: folder {args.output.parent} does not exist", exit_code=2)
    args.model = _chosen_model(args)
    with contextlib.ExitStack() as files:
        reference: api.Reference | None = None
        if args.reference:
            reference = _reference(args.reference, files)
        family = families().for_model(args.model)
        body = None if family.default else family_body(family, args)
        if body is None:
            check_family_values(family, args)
        with _session(args, ui) as client, warnings.catch_warnings():
            # The retirement is told below, once, as a note.
            warnings.simplefilter("ignore", RetiredModelWarning)
            extra = dict(args.extra) or None
            if body is not None:
                video = create_json(client, body, extra_body=extra)
            else:
                video = api.create(
                    client,
                    args.prompt,
                    model=check_video_model(args.model),
                    seconds=UNSET if args.seconds is None else check_video_seconds(args.seconds),
                    size=UNSET if args.size is None else check_video_size(args.size),
                    reference=reference,
                    extra_body=extra,
                )
            code = _finish_job(client, ui, video, args, f"created {video.id} ({video.status})")
    # Once the job's own lines are out: the model asked for is past its retirement date.
    notice = retirement_notice(args.model)
    if notice is not None:
        ui.note(f"warning: {notice}")
    return code


def _reference(value: str, files: contextlib.ExitStack) -> api.Reference:
    if "://" in value or value.startswith("data:"):
        _check_reference_url(value)
        return api.reference_from(value)
    path = Path(value)
    try:
        stream = files.enter_context(path.open("rb"))
    except OSError as exc:
        raise CliError(f"--reference: cannot read {path}: {exc.strerror}", exit_code=2) from None
    return api.reference_from(path, stream)


def _list(args: argparse.Namespace, ui: _Ui) -> int:
    from aihubmix_videos.models.list_order import check_list_order
    from aihubmix_videos.types import UNSET

    limit = UNSET if args.limit is None else args.limit
    order = UNSET if args.order is None else check_list_order(args.order)
    with _session(args, ui) as client:
        if args.all:
            videos = api.iter_videos(client, limit=limit, order=order, after=args.after)
            return _stream_all(ui, videos)
        page = api.list_page(client, after=args.after, limit=limit, order=order)
    more = ""
    if page.has_more:
        more = printable(f"\nmore after {page.last_id} (--after {page.last_id})")
    human = "\n".join(_summary(v) for v in page.data) or "no videos"
    ui.emit(page.to_dict(), human + more)
    return 0


def _stream_all(ui: _Ui, videos: Iterator[Video]) -> int:
    """Print each video as its page arrives: memory stays flat however long the list is.

    With `--json` the output is still one document, `{"data": [...], "has_more": false}`,
    written piece by piece; a failure part-way closes it with `"has_more": true` and an
    `"error"` (`_Ui.failure`), and the error line on stderr says why.
    """
    count = 0
    if ui.json:
        ui.line('{"data": [')
        ui.streaming = True
    for video in videos:
        if ui.json:
            item = json.dumps(video.to_dict(), sort_keys=True)
            ui.line(("  " if count == 0 else "  ,") + item)
        else:
            ui.line(_summary(video))
        count += 1
    if ui.json:
        ui.line('], "has_more": false}')
        ui.streaming, ui.printed = False, True
    elif count == 0:
        ui.line("no videos")
    return 0


def _get(args: argparse.Namespace, ui: _Ui) -> int:
    with _session(args, ui) as client:
        return _finish_job(client, ui, api.retrieve(client, args.video_id), args)


def _delete(args: argparse.Namespace, ui: _Ui) -> int:
    with _session(args, ui) as client:
        deleted = api.delete(client, args.video_id)
    ui.emit(deleted.to_dict(), f"deleted {printable(deleted.id)}")
    return 0


def _download(args: argparse.Namespace, ui: _Ui) -> int:
    if not args.output.parent.is_dir():
        raise CliError(f"--output: folder {args.output.parent} does not exist", exit_code=2)
    with _session(args, ui) as client:
        result = _fetch(client, ui, args.video_id, args.output, args.variant, args.timeout)
    ui.emit(_download_json(result), f"saved {printable(result.path)} ({result.size} bytes)")
    return 0


def _remix(args: argparse.Namespace, ui: _Ui) -> int:
    if args.output is not None and not args.output.parent.is_dir():
        raise CliError(f"--output: folder {args.output.parent} does not exist", exit_code=2)
    with _session(args, ui) as client:
        video = api.remix(client, args.video_id, args.prompt)
        note = f"created {video.id} ({video.status}), a remix of {args.video_id}"
        return _finish_job(client, ui, video, args, note)
