"""`videos-contract create|list|get|delete|download|remix`: the API from the command line.

Each command parses its arguments, opens a client (`--url`/`--key`, else `VIDEOS_API_URL`/
`VIDEOS_API_KEY`, else an embedded mock started for the command) and calls
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
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aihubmix_videos import AuthenticatedClient
from aihubmix_videos.models import Video
from aihubmix_videos.models.content_variant import check_content_variant
from aihubmix_videos.models.list_order import check_list_order
from aihubmix_videos.models.video_model import check_video_model
from aihubmix_videos.models.video_seconds import check_video_seconds
from aihubmix_videos.models.video_size import check_video_size
from aihubmix_videos.types import UNSET
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from videos_contract import client as api
from videos_contract.cli.common import CliError
from videos_contract.cli.families import check_family_values, families_help, family_body
from videos_contract.client import DownloadResult, VideosClientError
from videos_contract.client.families import create_json
from videos_contract.client.wait import DEFAULT_INTERVAL, DEFAULT_TIMEOUT
from videos_contract.families import families
from videos_contract.spec import load_spec
from videos_contract.terminal import printable

__all__ = ["register"]

EMBEDDED_NOTE = (
    "note: no server given (--url or ${url_env}); using an embedded mock at {url} "
    "that lives only as long as this command"
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `create`, `list`, `get`, `delete`, `download` and `remix`."""
    spec = load_spec()
    common = argparse.ArgumentParser(add_help=False)
    server = common.add_argument_group("server")
    server.add_argument(
        "--url",
        help=f"API root, e.g. {spec.raw['servers'][0]['url']} (default: ${api.URL_ENV}, "
        "else an embedded mock)",
    )
    server.add_argument(
        "--key",
        help=f"API key (default: ${api.KEY_ENV}; prefer the variable: "
        "command lines are visible to other users)",
    )
    server.add_argument(
        "--call-timeout",
        type=_positive,
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
        type=_positive,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait at most (default {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument(
        "--interval",
        type=_positive,
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

    create = add("create", "start a video job" + billed("createVideo"), waiting)
    create.add_argument("--prompt", required=True, help="what the video should show")
    catalogue = families(spec)
    create.add_argument(
        "--model",
        metavar="MODEL",
        help=f"a model of a family below, or any other model name (default: "
        f"{catalogue.default_family.field_default('model')})",
    )
    create.add_argument("--seconds", metavar="N", help="clip length; values per family below")
    create.add_argument("--size", metavar="SIZE", help="frame size; values per family below")
    create.formatter_class = argparse.RawDescriptionHelpFormatter
    create.epilog = families_help(catalogue)
    create.add_argument(
        "--reference",
        metavar="FILE_OR_URL",
        help="reference image: a file to upload, or an https:// or data: URL",
    )
    create.set_defaults(handler=_create)

    listing = add("list", "list videos, one page or --all")
    limit = spec.operation("listVideos").parameter("limit")["schema"]
    listing.add_argument(
        "--limit",
        type=int,
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
    listing.set_defaults(handler=_list)

    get = add("get", "show a video job", waiting)
    get.add_argument("video_id", metavar="VIDEO_ID")
    get.set_defaults(handler=_get)

    delete = add("delete", "delete a video job and its assets")
    delete.add_argument("video_id", metavar="VIDEO_ID")
    delete.set_defaults(handler=_delete)

    download = add("download", "download an asset of a completed job")
    download.add_argument("video_id", metavar="VIDEO_ID")
    download.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="where to write it"
    )
    download.add_argument(
        "--timeout",
        type=_positive,
        default=api.DEFAULT_DOWNLOAD_TIMEOUT,
        help=f"seconds the whole download may take (default {api.DEFAULT_DOWNLOAD_TIMEOUT:g})",
    )
    download.add_argument(
        "--variant",
        choices=spec.enum("ContentVariant"),
        default=spec.default("ContentVariant"),
        help=f"which asset (default: {spec.default('ContentVariant')})",
    )
    download.set_defaults(handler=_download)

    remix = add("remix", "start a job reworking a completed video" + billed("remixVideo"), waiting)
    remix.add_argument("video_id", metavar="VIDEO_ID")
    remix.add_argument("--prompt", required=True, help="the new prompt")
    remix.set_defaults(handler=_remix)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


# --- running a command -------------------------------------------------------------------


@dataclass
class _Ui:
    """Where a command writes: results to stdout, notes and progress to stderr."""

    json: bool
    quiet: bool
    progress: bool
    err: Console

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> _Ui:
        err = Console(stderr=True, force_terminal=True if args.progress == "always" else None)
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
        print(json.dumps(data, indent=2, sort_keys=True) if self.json else human)

    @contextlib.contextmanager
    def bar(self, description: str, *, transfer: bool) -> Iterator[Callable[..., None]]:
        """A progress bar; yields `update(completed=..., total=..., description=...)`."""
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


@contextlib.contextmanager
def _session(args: argparse.Namespace, ui: _Ui) -> Iterator[AuthenticatedClient]:
    """A client for the server the arguments name; an embedded mock when none is named.

    Client-side errors become `CliError` here, so that every command fails with one line.
    """
    url = args.url or os.environ.get(api.URL_ENV)
    with contextlib.ExitStack() as stack:
        if url:
            key = args.key or os.environ.get(api.KEY_ENV)
        else:
            # Imported here: the mock (uvicorn, PyAV) is only needed when it runs.
            from videos_contract.mock import MockConfig, running_mock

            try:
                server = stack.enter_context(running_mock(MockConfig()))
            except (OSError, RuntimeError) as exc:
                raise CliError(f"cannot start the embedded mock: {exc}") from None
            url, key = server.url, server.key
            ui.note(EMBEDDED_NOTE.format(url_env=api.URL_ENV, url=url))
            if args.key:
                ui.note("note: --key is not used by the embedded mock")
        try:
            policy = api.RetryPolicy(on_retry=ui.retrying)
            client = stack.enter_context(
                api.connect(url, key, policy=policy, call_timeout=args.call_timeout)
            )
            yield client
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
        parts.append(f"error {video.error.code}: {video.error.message}")
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
    client: AuthenticatedClient, ui: _Ui, video: Video, args: argparse.Namespace
) -> int:
    """After a create or remix (or a get): wait and download as asked, then report."""
    output: Path | None = args.output
    if args.wait or output is not None:
        video = _wait(client, ui, video, args)
    if output is None:
        ui.emit(video.to_dict(), _summary(video))
        return 0
    result = _fetch(client, ui, video.id, output, "video")
    ui.emit(
        {"video": video.to_dict(), "download": _download_json(result)},
        f"{_summary(video)}\nsaved {printable(result.path)} ({result.size} bytes)",
    )
    return 0


def _create(args: argparse.Namespace) -> int:
    ui = _Ui.from_args(args)
    if args.output is not None and not args.output.parent.is_dir():
        raise CliError(f"--output: folder {args.output.parent} does not exist")
    with contextlib.ExitStack() as files:
        reference: api.Reference | None = None
        if args.reference:
            reference = _reference(args.reference, files)
        family = families().for_model(args.model)
        body = None if family.default else family_body(family, args)
        if body is None:
            check_family_values(family, args)
        with _session(args, ui) as client:
            if body is not None:
                video = create_json(client, body)
            else:
                video = api.create(
                    client,
                    args.prompt,
                    model=UNSET if args.model is None else check_video_model(args.model),
                    seconds=UNSET if args.seconds is None else check_video_seconds(args.seconds),
                    size=UNSET if args.size is None else check_video_size(args.size),
                    reference=reference,
                )
            ui.note(f"created {video.id} ({video.status})")  # note() makes it printable
            return _finish_job(client, ui, video, args)


def _reference(value: str, files: contextlib.ExitStack) -> api.Reference:
    if value.startswith(("https://", "http://", "data:")):
        return api.reference_from(value)
    path = Path(value)
    try:
        stream = files.enter_context(path.open("rb"))
    except OSError as exc:
        raise CliError(f"--reference: cannot read {path}: {exc.strerror}") from None
    return api.reference_from(path, stream)


def _list(args: argparse.Namespace) -> int:
    ui = _Ui.from_args(args)
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
    written piece by piece; a failure part-way leaves it unterminated, and the error line on
    stderr says why.
    """
    count = 0
    if ui.json:
        ui.line('{"data": [')
    for video in videos:
        if ui.json:
            item = json.dumps(video.to_dict(), sort_keys=True)
            ui.line(("  " if count == 0 else "  ,") + item)
        else:
            ui.line(_summary(video))
        count += 1
    if ui.json:
        ui.line('], "has_more": false}')
    elif count == 0:
        ui.line("no videos")
    return 0


def _get(args: argparse.Namespace) -> int:
    ui = _Ui.from_args(args)
    with _session(args, ui) as client:
        return _finish_job(client, ui, api.retrieve(client, args.video_id), args)


def _delete(args: argparse.Namespace) -> int:
    ui = _Ui.from_args(args)
    with _session(args, ui) as client:
        deleted = api.delete(client, args.video_id)
    ui.emit(deleted.to_dict(), f"deleted {printable(deleted.id)}")
    return 0


def _download(args: argparse.Namespace) -> int:
    ui = _Ui.from_args(args)
    if not args.output.parent.is_dir():
        raise CliError(f"--output: folder {args.output.parent} does not exist")
    with _session(args, ui) as client:
        result = _fetch(client, ui, args.video_id, args.output, args.variant, args.timeout)
    ui.emit(_download_json(result), f"saved {printable(result.path)} ({result.size} bytes)")
    return 0


def _remix(args: argparse.Namespace) -> int:
    ui = _Ui.from_args(args)
    if args.output is not None and not args.output.parent.is_dir():
        raise CliError(f"--output: folder {args.output.parent} does not exist")
    with _session(args, ui) as client:
        video = api.remix(client, args.video_id, args.prompt)
        ui.note(f"created {video.id} ({video.status}), a remix of {args.video_id}")
        return _finish_job(client, ui, video, args)
