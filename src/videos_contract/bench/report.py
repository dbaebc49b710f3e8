"""`docs/benchmarks.md`: the machine, the date and one table row per figure, then how each
figure is taken, then the hand-written findings kept in `bench/findings.md`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from videos_contract.bench.results import Figure

Previous = tuple[dict[str, Any], dict[str, dict[str, Any]]]

__all__ = ["METHOD", "render_markdown", "write_markdown"]

METHOD = """\
## How the figures are taken

Every figure is divided by a baseline measured in the same run, on the same machine, a few
seconds apart: the machine is shared and busy at times, so absolute figures move from run to
run, while ratios against a same-run baseline stay comparable. Servers, load generators and
clients each run in their own process; peak RSS is `VmHWM` from `/proc/PID/status`.

1. **Mock throughput**: the mock and a bare Starlette app (retrieve answers a fixed Video
   body; create reads the body and answers the same, with no parsing or validation) each run
   in a subprocess under the same uvicorn settings, the mock's own (`protected_config`: its
   guarded llhttp protocol, which writes an answer's head and body in one piece; uvloop; no
   access log), on a loopback socket. The load generator is another process with 16
   keep-alive connections, a warm-up, then a bounded count and time. It runs twice: a lean
   asyncio client (a request built once, the answer read by its `Content-Length`), which
   leaves the server as the limit, so its ratio is the server's capacity and carries the
   target; and httpx, which on two cores spends more CPU per request than the server and so
   mostly measures itself. The lean load runs in five rounds (mock and bare one after the
   other, who goes first alternating); the round whose ratio is the median counts, and the
   note gives the spread of the five ratios and in how many rounds the target was met. The
   server's CPU time per request (`/proc/PID/stat` over the measured phases) is in the note.
2. **Store and workers**: the same lean load on the mock with its jobs in a SQLite file
   (`--store`) in one process, and with two worker processes sharing the file (`--workers
   2`, uvicorn's supervisor), each against the default (in-memory store, one process)
   measured in the same run. CPU per request is summed over the server's processes.
3. **Shared store**: the same lean load on mocks whose jobs live in a PostgreSQL database
   (`--store postgresql://...`): one host, then two hosts (two mock processes on their own
   ports, sharing the database) with the load split evenly between them by two load
   generators at once, each against the in-memory store on one host measured in the same run.
   The database is the machine's local server, with a role and a database made for the run
   and dropped after; it shares the machine's cores with the hosts and the load, and its own
   CPU is not in the notes.
4. **Client cost**: sequential retrieves of one job on the mock through raw httpx
   (`GET` + `.json()`), the generated `retrieve_video.sync`, the helper `retrieve` (schema
   check, retry transport) and the openai SDK's `videos.retrieve` (its deprecation warning
   silenced), in alternating rounds after a warm-up. Wall time per call; CPU time per call in
   the details. The last row serves the mock on `videos_contract.mock.server.bind`'s socket
   and on one created with `IPPROTO_TCP`: asyncio disables Nagle's algorithm only on the
   latter, and an answer written in two pieces otherwise waits for the client's delayed ACK.
5. **async_wait**: that many jobs are created at once with `async_create` and awaited with
   `async_wait` (the mock's render time and its `openai-poll-after-ms` advice) by a client
   process of its own, with the client exactly as `connect()` builds it, each run bounded by
   a cap and on a fresh mock: 1,000 jobs against the target, then 10,000. Completed jobs are
   counted and the server's list is read back; the baseline is the render time of one job.
   The 10,000-job client's peak RSS is compared with the 1,000-job client's.
6. **Transfers**: the upload is a real PNG of the spec's default size padded after `IEND` to
   the full size, sent by the `create` helper to the mock run with `max_body_bytes` raised
   (the note gives what the same upload gets from a mock at its default limit); the mock
   streams it to a spooled file, decodes the image and creates the job. Its baseline is raw
   httpx sending the same multipart create to the same mock. The mock serves its rendered
   clips from memory and cannot serve 1 GiB, so the download is the `download` helper
   (streaming, write, fsync, checks, rename) reading a Starlette app that streams the bytes
   under the content path on the same uvicorn stack; its baseline is raw httpx streaming the
   same body into a file and fsyncing it. Baseline and client run one after the other, three
   times, and the pair whose ratio is the median counts. The ceilings, raw httpx reading the
   body and dropping it and a plain loopback copy of the same bytes (`sendall` /
   `recv_into` between two processes), are in the notes. The RSS rows compare each
   process's peak with the same process before the transfer.
7. **Audit**: `videos-contract audit --profile standard` on the embedded mock, in a temporary
   folder, sweeping one model per family (the default); baseline: `--profile quick` (no
   fuzzing). Its peak RSS is `wait4`'s `ru_maxrss`: the largest process of the audit's tree
   (the audit with its embedded mock, or its schemathesis child).
7. **Regeneration**: `python -m videos_contract.release.generation check` plus `generate_into` a
   temporary folder; baseline: the generation alone.
8. **Proxy against direct**: sequential retrieves on a kept-alive httpx client through
   `videos-contract proxy` and straight to the mock, in alternating blocks, five rounds (the
   round whose ratio of medians is the median counts); a 256 MiB download through it and
   direct, five rounds, who goes first alternating.
9. **Start-up**: each command's `--help` through its console script, in rounds that take turns
   with `schemathesis --help` and `python -c pass`; the median of each, and its peak RSS.
10. **Memory**: `videos-contract create --wait --output` of a 1 GiB video (a job app answers a
   completed job the mock made and streams the content at full size, which the mock's own
   rendered clips are far from), against the same command without `--output`; and the
   validating proxy's peak RSS passing on 1 GiB, against its own before the transfer.
11. **Peers**: the tools users would pick instead, each in the same run. Prism
   (`@stoplight/prism-cli`) and mitmproxy are pinned (`bench/peer_tools.py`) and installed
   for the benchmark alone under `.bench-tools/` (npm; pip into a virtual environment of its
   own), by a full run only; where one cannot be installed its rows say why. Every comparison
   runs in rounds (`bench/rounds.py`): each round measures both sides one after the other,
   the round whose ratio is the median counts (its two figures are the row's), and the note
   gives the spread of the rounds' ratios and in how many the target was met, so that a
   verdict one noisy round could flip shows as such. The mock and `prism mock openapi.yaml`
   take the lean load of item 1 (16 connections), retrieve and create, after a warm-up round
   on each that is not counted (Node.js compiles Prism's hot paths as they run), then five
   rounds, who goes first alternating; each request's latency is timed from its send to the
   end of its answer (median and 99th percentile), and each server's CPU time per request
   answered (all its threads) is a row of its own: the one figure that does not depend on the
   share of the cores each server got from a busy machine. The validating proxy, `prism
   proxy` and `mitmdump --mode reverse` (no addon; `stream_large_bodies` so that a large body
   is passed on as it comes) stand in front of the same mock; five rounds of sequential
   retrieves in blocks of 50, who goes first rotating; the latency a front adds in a round is
   its median minus the direct median of that round. Download throughput is a 256 MiB body
   through each, five rounds, counted in the bytes the server sent. The audit's fuzzing phase
   (from its "fuzzing with schemathesis" line to its "fuzzing done" line: the relay,
   schemathesis as its child, the re-checks) runs against `schemathesis run` with the same
   phases, checks, seed and cases per operation, both against the same mock, in three rounds
   (a whole audit takes most of a minute), who goes first alternating. Each side starts in a
   fresh folder (no failure kept from an earlier run) and both read Hypothesis' Unicode
   tables from one storage folder, filled by a run of schemathesis that is not counted: the
   audit's fuzzer keeps them in its cache folder, as any user's second run finds them.
12. **diff**: `videos-contract diff --help` (start-up alone) and `videos-contract diff OLD NEW`
   on the spec and a copy with one limit narrowed, each a fresh process, interleaved with
   `python -c pass` (the baseline) over 11 rounds; the medians count. The run's target is on
   its value (0.5 s), the ceiling for a pre-commit hook or an editor.

Each run adds a line to `bench/history.jsonl` (the machine and every figure, without the
details); the last column of the table compares each figure with the previous complete run
there: its ratio, or its value where the target is on the value.
"""


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _shown(number: float, figure: Figure) -> str:
    if figure.target is not None and figure.target.on_value:
        return f"{_number(number)} {figure.unit}"
    return f"{number:.2f}x"


def _change(figure: Figure, before: dict[str, Any] | None) -> str:
    """The figure in the previous run, and how far this run moved from it."""
    if before is None:
        return "new"
    # Compared as this run's target says: by value (seconds, MiB) or by ratio.
    on_value = figure.target is not None and figure.target.on_value
    earlier = before.get("value" if on_value else "ratio")
    now = figure.value if on_value else figure.ratio
    if earlier is None:
        return "not measured"
    shown = _shown(earlier, figure)
    if now is None or not earlier:
        return shown
    return f"{shown} ({(now - earlier) / abs(earlier):+.0%})"


def _row(figure: Figure, before: dict[str, Any] | None = None, compare: bool = False) -> str:
    target = str(figure.target) if figure.target else "—"
    change = [_change(figure, before)] if compare else []
    if figure.status != "measured":
        cells = [figure.title, "not measured", "—", "—", target, "—", figure.note, *change]
    else:
        measured = f"{_number(figure.value)} {figure.unit}"
        baseline = (
            f"{_number(figure.baseline)} {figure.unit}: {figure.baseline_title}"
            if figure.baseline is not None
            else figure.baseline_title
        )
        ratio = f"{figure.ratio:.2f}x" if figure.ratio is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[figure.target_met]
        cells = [figure.title, measured, baseline, ratio, target, met, figure.note, *change]
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


def render_markdown(
    machine: dict[str, Any],
    figures: list[Figure],
    findings: str,
    previous: Previous | None = None,
) -> str:
    """The whole page; with `previous` (a run from `bench/history.jsonl`), a last column
    with each figure in that run and the change since (of the ratio, or of the value where
    the target is on the value)."""
    load = ", ".join(f"{value:.2f}" for value in machine["load_average"])
    header = "| Benchmark | Measured | Baseline (same run) | Ratio | Target | Met | Note |"
    rule = "|---|---|---|---|---|---|---|"
    if previous is not None:
        earlier, before = previous
        header += " Previous run (change) |"
        rule += "---|"
        history = (
            f"- Previous run in `bench/history.jsonl`: {earlier.get('date')}, load average "
            + ", ".join(f"{value:.2f}" for value in earlier.get("load_average", ()))
            + "; the last column compares each figure with it"
        )
    else:
        before = {}
        history = "- Previous run in `bench/history.jsonl`: none"
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m videos_contract.bench`), which also writes the raw",
        "numbers to `bench/results.json`. Taken on a shared machine that other work was using at",
        "the same time: read the ratios, not the absolute figures.",
        "",
        f"- Date: {machine['date']}",
        f"- Machine: {machine['cpu_count']} CPUs, {machine['cpu_model']}, {machine['system']}",
        f"- Python: {machine['implementation']} {machine['python']}",
        f"- Load average at the start: {load}",
        f"- Calibration loop (fixed pure-Python work) at the start / end of the run: "
        f"{machine['calibration_start_s']:.3f} s / {machine['calibration_end_s']:.3f} s",
        f"- Run: `{machine['run']}`, {machine['run_seconds']:.0f} s in all",
        history,
        "",
        header,
        rule,
        *[_row(figure, before.get(figure.key), previous is not None) for figure in figures],
        "",
        METHOD,
    ]
    if findings.strip():
        lines += [findings.strip(), ""]
    return "\n".join(lines)


def write_markdown(
    path: Path,
    machine: dict[str, Any],
    figures: list[Figure],
    findings_path: Path,
    previous: Previous | None = None,
) -> None:
    findings = findings_path.read_text(encoding="utf-8") if findings_path.is_file() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(machine, figures, findings, previous), encoding="utf-8")
