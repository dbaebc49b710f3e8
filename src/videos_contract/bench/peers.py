"""Benchmarks against the tools users would pick instead, each in the same run on the same machine.

- The mock against `prism mock openapi.yaml`: retrieve and create under the same load (the lean
  load generator of the throughput benchmark, 16 keep-alive connections), throughput and
  latency (median and 99th percentile).
- The validating proxy against `prism proxy` and mitmproxy in reverse mode (`mitmdump`, no
  addon), each in front of the same server: the latency each adds to a retrieve (its median
  minus the direct median, in alternating blocks), and download throughput.
- The audit's fuzzing phase against `schemathesis run` with the same phases, checks, seed and
  case count, against the same mock.

Prism and mitmproxy are installed for the benchmark alone (`peer_tools`); where one cannot be,
its figures are "not measured" with the reason.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import httpx

from videos_contract.bench.peer_tools import (
    PeerTool,
    PeerUnavailable,
    mitmdump,
    prism,
    schemathesis,
)
from videos_contract.bench.procs import BenchProcessError, ServedApp, run_worker, served
from videos_contract.bench.proxy_overhead import proxy_process, sequential_latencies
from videos_contract.bench.results import Figure, Target, not_measured
from videos_contract.bench.rounds import Rounds
from videos_contract.bench.sizes import Sizes
from videos_contract.bench.throughput import MODEL, create_request, load_spec_for
from videos_contract.mock import DEFAULT_KEY
from videos_contract.paths import PROJECT_ROOT
from videos_contract.protocol import KEY_ENV, URL_ENV

__all__ = [
    "measure_fuzz_peer",
    "measure_mock_peers",
    "measure_proxy_peers",
    "peer_process",
]

_AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
_FASTER = Target(1.0, at_least=True)
_LESS = Target(1.0, at_least=False)
_START_TIMEOUT = 120.0
_BLOCK = 50
_FUZZ_ROUNDS = 3
SPEC = PROJECT_ROOT / "openapi.yaml"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2.0)
    except httpx.HTTPError:
        return False
    return True


@contextmanager
def peer_process(name: str, command: Callable[[int], list[str]]) -> Iterator[ServedApp]:
    """A peer's server on a free loopback port (`command(port)`), once it answers HTTP."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            command(port), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + _START_TIMEOUT
            while not _answers(url + "/v1/videos"):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read()[-1500:]
                    raise BenchProcessError(f"{name} did not start: {tail}")
                time.sleep(0.2)
            yield ServedApp(url, process.pid)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _prism_mock(tool: PeerTool) -> Callable[[int], list[str]]:
    # Logging at warn: the mock logs no access line either.
    def command(port: int) -> list[str]:
        arguments = ["mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port), "-v", "warn"]
        return [str(tool.executable), *arguments]

    return command


def _prism_proxy(tool: PeerTool, upstream: str) -> Callable[[int], list[str]]:
    def command(port: int) -> list[str]:
        arguments = ["proxy", str(SPEC), upstream, "-h", "127.0.0.1", "-p", str(port)]
        return [str(tool.executable), *arguments, "-v", "warn"]

    return command


def _mitm_reverse(tool: PeerTool, upstream: str) -> Callable[[int], list[str]]:
    # Plain forwarding: no addon, no script. `stream_large_bodies` passes a large body on as
    # it comes instead of holding it whole in memory, which is what a user proxying videos sets.
    def command(port: int) -> list[str]:
        arguments = ["--mode", f"reverse:{upstream}", "--listen-host", "127.0.0.1"]
        arguments += ["--listen-port", str(port), "--quiet", "--set", "stream_large_bodies=1m"]
        return [str(tool.executable), *arguments]

    return command


def _tools(sizes: Sizes) -> tuple[dict[str, PeerTool], dict[str, str]]:
    """The peers that can run here, and for the others why not."""
    found: dict[str, PeerTool] = {}
    missing: dict[str, str] = {}
    for name, get in (("prism", prism), ("mitmproxy", mitmdump)):
        try:
            found[name] = get(sizes.install_peers)
        except (PeerUnavailable, OSError, subprocess.SubprocessError) as exc:
            missing[name] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return found, missing


def _skipped(key: str, title: str, peer: str, reason: str) -> Figure:
    figure = not_measured(key, title, "", peer, f"skipped: {reason}")
    return Figure(**{**figure.__dict__, "details": {"skipped_peer": peer, "reason": reason}})


# --- the mock against `prism mock` ---------------------------------------------------------


def _mock_figures(
    operation: str, ours: list[dict[str, Any]], theirs: list[dict[str, Any]], tool: PeerTool
) -> list[Figure]:
    """Throughput and median latency, each the round with the median ratio of `sizes.rounds`
    rounds (`ours[i]` and `theirs[i]` measured one after the other)."""
    throughput = Rounds.of([r["per_second"] for r in ours], [r["per_second"] for r in theirs])
    latency = Rounds.of(
        [r["latency"]["median_ms"] for r in ours], [r["latency"]["median_ms"] for r in theirs]
    )
    statuses = f"statuses: ours {_summed(ours, 'statuses')}, Prism {_summed(theirs, 'statuses')}"
    p99 = Rounds.of(
        [r["latency"]["p99_ms"] for r in ours], [r["latency"]["p99_ms"] for r in theirs]
    )
    ours_p99, theirs_p99 = p99.median_pair
    ours_cpu, theirs_cpu = (
        sum(run["server_cpu_seconds"] for run in runs)
        / max(1, sum(run["requests"] for run in runs))
        * 1e3
        for runs in (ours, theirs)
    )
    cpu = f"server CPU per request: ours {ours_cpu:.2f} ms, Prism {theirs_cpu:.2f} ms"
    median_ours, median_theirs = latency.median_pair
    # What each server spends on a request, whatever share of the cores it got: the figure
    # the machine's other work moves least.
    work = Rounds.of([_cpu_ms(run) for run in ours], [_cpu_ms(run) for run in theirs])
    details = {"ours": ours, "prism": theirs, "peer": tool.label}
    return [
        Figure(
            key=f"peer_mock_{operation}_throughput",
            title=f"Mock {operation} throughput against `prism mock`, same load",
            unit="req/s",
            value=throughput.median_pair[0],
            baseline_title=f"`prism mock openapi.yaml` ({tool.label}), same load",
            baseline=throughput.median_pair[1],
            target=_FASTER,
            note=f"{throughput.verdict(_FASTER)}; 16 keep-alive connections, lean load; {cpu}; "
            f"{statuses}",
            details={**details, "rounds": throughput.details(_FASTER)},
        ),
        Figure(
            key=f"peer_mock_{operation}_latency",
            title=f"Mock {operation} latency under that load (median) against `prism mock`",
            unit="ms",
            value=median_ours,
            baseline_title=f"`prism mock` ({tool.label}), same load",
            baseline=median_theirs,
            target=_LESS,
            note=f"{latency.verdict(_LESS)}; p99 ({p99.spread()}): ours {ours_p99:.2f} ms, "
            f"Prism {theirs_p99:.2f} ms",
            details={**details, "rounds": latency.details(_LESS), "p99_rounds": p99.details()},
        ),
        Figure(
            key=f"peer_mock_{operation}_cpu",
            title=f"Mock server CPU per {operation} under that load against `prism mock`",
            unit="ms",
            value=work.median_pair[0],
            baseline_title=f"`prism mock` ({tool.label}), same load",
            baseline=work.median_pair[1],
            target=_LESS,
            note=f"{work.verdict(_LESS)}; the server process's CPU time (all its threads) over "
            "the measured phase, per request answered",
            details={"rounds": work.details(_LESS), "peer": tool.label},
        ),
    ]


def _cpu_ms(run: dict[str, Any]) -> float:
    """A load run's server CPU per request, in milliseconds."""
    return float(run["server_cpu_seconds"]) / max(1, int(run["requests"])) * 1e3


def _summed(runs: list[dict[str, Any]], key: str) -> dict[str, int]:
    """Counters of every round added up (`statuses`)."""
    total: dict[str, int] = {}
    for run in runs:
        for name, count in run[key].items():
            total[name] = total.get(name, 0) + int(count)
    return total


def measure_mock_peers(sizes: Sizes) -> list[Figure]:
    """Retrieve and create on the mock and on `prism mock`, under the same load, in
    `sizes.rounds` rounds after a warm-up round that is not counted."""
    found, missing = _tools(sizes)
    if "prism" not in found:
        return [
            _skipped(f"peer_mock_{operation}_{what}", f"Mock {operation} against `prism mock`",
                     "prism", missing["prism"])
            for operation in ("retrieve", "create")
            for what in ("throughput", "latency", "cpu")
        ]  # fmt: skip
    tool = found["prism"]
    with (
        served("mock", {"render_seconds": 1.0}) as mock,
        peer_process("prism mock", _prism_mock(tool)) as peer,
        tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp,
    ):
        body, content_type = create_request(mock.url)
        with httpx.Client(base_url=mock.url, headers=_AUTH, timeout=30.0) as http:
            created = http.post("/v1/videos", content=body, headers={"Content-Type": content_type})
            created.raise_for_status()
        body_file = Path(tmp) / "create.body"
        body_file.write_bytes(body)
        create_headers = {**_AUTH, "Content-Type": content_type}
        requests = {
            "retrieve": ("GET", f"/v1/videos/{created.json()['id']}", _AUTH, None),
            "create": ("POST", "/v1/videos", create_headers, str(body_file)),
        }
        servers = {"ours": mock, "prism": peer}
        # A warm-up round on every path first (Node.js compiles Prism's hot paths as they
        # run), then the rounds; in each, ours and Prism's take turns, who goes first
        # alternating, so that a burst of other work hits both alike.
        warm = replace(sizes, load_seconds=min(sizes.load_seconds, 2.0))
        order = [("warm-up", op, name) for op in requests for name in servers]
        for index in range(sizes.rounds):
            names = list(servers) if index % 2 == 0 else list(reversed(servers))
            order += [(str(index), op, name) for op in requests for name in names]
        specs = [
            load_spec_for(servers[name], warm if tag == "warm-up" else sizes, *requests[op])
            for tag, op, name in order
        ]
        results = run_worker("videos_contract.bench.load", json.dumps(specs))["runs"]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (tag, op, name), result in zip(order, results, strict=True):
        if tag != "warm-up":
            runs.setdefault((op, name), []).append(result)
    figures: list[Figure] = []
    for operation in requests:
        figures += _mock_figures(
            operation, runs[(operation, "ours")], runs[(operation, "prism")], tool
        )
    return figures


# --- the validating proxy against `prism proxy` and mitmproxy ------------------------------


def _read(http: httpx.Client, url: str) -> tuple[int, float]:
    begun = time.perf_counter()
    size = 0
    with http.stream("GET", url) as reply:
        reply.raise_for_status()
        for chunk in reply.iter_raw():
            size += len(chunk)
    return size, time.perf_counter() - begun


@contextmanager
def _fronts(upstream: str, found: dict[str, PeerTool]) -> Iterator[dict[str, ServedApp]]:
    """Our proxy and every available peer, each in front of `upstream`."""
    with ExitStack() as stack:
        fronts = {"ours": stack.enter_context(proxy_process(upstream))}
        if "prism" in found:
            command = _prism_proxy(found["prism"], upstream)
            fronts["prism"] = stack.enter_context(peer_process("prism proxy", command))
        if "mitmproxy" in found:
            command = _mitm_reverse(found["mitmproxy"], upstream)
            fronts["mitmproxy"] = stack.enter_context(peer_process("mitmdump", command))
        yield fronts


_PEER_TITLES = {
    "prism": "`prism proxy openapi.yaml UPSTREAM`",
    "mitmproxy": "mitmproxy in reverse mode (`mitmdump --mode reverse:UPSTREAM`, no addon)",
}


def _rotated(names: list[str], index: int) -> list[str]:
    """`names` starting at a different one each round, so that none is always measured first."""
    shift = index % len(names)
    return names[shift:] + names[:shift]


def _added_latency(sizes: Sizes, found: dict[str, PeerTool]) -> dict[str, Any]:
    """Sequential retrieves direct and through each front, in `sizes.rounds` rounds of
    alternating blocks; per round, the latency each front adds (its median minus the direct
    median of the same round)."""
    calls = max(_BLOCK, min(sizes.client_calls, 1000))
    blocks = max(1, calls // _BLOCK // sizes.rounds)
    with served("mock", {"render_seconds": 1.0}) as mock, _fronts(mock.url, found) as fronts:
        with httpx.Client(headers=_AUTH, timeout=30.0) as http:
            created = http.post(
                f"{mock.url}/v1/videos", json={"prompt": "a red fox", "model": MODEL}
            )
            created.raise_for_status()
            path = f"/v1/videos/{created.json()['id']}"
            bases = {"direct": mock.url, **{name: front.url for name, front in fronts.items()}}
            times: dict[str, list[float]] = {name: [] for name in bases}
            rounds: list[dict[str, float]] = []
            cpu = {name: 0.0 for name in fronts}
            for base in bases.values():
                sequential_latencies(http, base + path, _BLOCK)  # warm every path up
            for index in range(sizes.rounds):
                this_round: dict[str, list[float]] = {name: [] for name in bases}
                for _ in range(blocks):
                    for name in _rotated(list(bases), index):
                        before = fronts[name].cpu_seconds() if name in fronts else 0.0
                        this_round[name] += sequential_latencies(http, bases[name] + path, _BLOCK)
                        if name in fronts:
                            cpu[name] += fronts[name].cpu_seconds() - before
                medians = {name: statistics.median(v) * 1e3 for name, v in this_round.items()}
                rounds.append({n: medians[n] - medians["direct"] for n in fronts})
                for name, values in this_round.items():
                    times[name] += values
    medians = {name: statistics.median(values) * 1e3 for name, values in times.items()}
    return {
        "calls": len(times["direct"]),
        "median_ms": medians,
        "p90_ms": {n: statistics.quantiles(v, n=10)[-1] * 1e3 for n, v in times.items()},
        "added_ms": {n: medians[n] - medians["direct"] for n in fronts},
        "added_ms_per_round": rounds,
        "cpu_ms_per_retrieve": {n: s * 1e3 / len(times[n]) for n, s in cpu.items()},
    }


def _download(sizes: Sizes, found: dict[str, PeerTool]) -> dict[str, Any]:
    """A large download direct and through each front, `sizes.rounds` rounds (at least two),
    who goes first rotating."""
    total = max(1024 * 1024, sizes.transfer_bytes // 4)
    with (
        served("stream", {"bytes": total}) as stream,
        _fronts(stream.url, found) as fronts,
        httpx.Client(headers=_AUTH, timeout=600.0) as http,
    ):
        path = "/v1/videos/video_bench/content"
        bases = {"direct": stream.url, **{name: front.url for name, front in fronts.items()}}
        runs: dict[str, list[float]] = {name: [] for name in bases}
        delivered: dict[str, int] = {}
        for index in range(max(2, sizes.rounds)):
            for name in _rotated(list(bases), index):
                size, seconds = _read(http, bases[name] + path)
                if size != total and name in ("direct", "ours"):
                    raise BenchProcessError(f"{name}: read {size} of {total} bytes")
                # A peer that changes the body is measured on the bytes the server sent; the
                # note says what it delivered.
                delivered[name] = size
                runs[name].append(total / seconds / 1e6)
    return {
        "bytes": total,
        "delivered_bytes": delivered,
        "runs_mb_per_s": runs,
        "best": {n: max(v) for n, v in runs.items()},
    }


def _mangled(peer: str, download: dict[str, Any]) -> str:
    """What a peer did to the body, when it did not pass it on unchanged."""
    delivered = download["delivered_bytes"][peer]
    if delivered == download["bytes"]:
        return ""
    return (
        f"; {peer} did not pass the body on unchanged: it delivered {delivered:,} bytes for the "
        f"server's {download['bytes']:,} (a binary body re-encoded as text), so the client's "
        "video is corrupt"
    )


def measure_proxy_peers(sizes: Sizes) -> list[Figure]:
    """Added retrieve latency and download throughput: ours against each peer."""
    found, missing = _tools(sizes)
    latency = _added_latency(sizes, found)
    download = _download(sizes, found)
    figures: list[Figure] = []
    mib = download["bytes"] // (1024 * 1024)
    for peer in ("prism", "mitmproxy"):
        latency_key, download_key = f"peer_proxy_{peer}_latency", f"peer_proxy_{peer}_download"
        latency_title = f"Latency the validating proxy adds to a retrieve, against {peer}"
        download_title = (
            f"Download throughput through the validating proxy ({mib} MiB), against {peer}"
        )
        if peer not in found:
            figures += [
                _skipped(latency_key, latency_title, peer, missing[peer]),
                _skipped(download_key, download_title, peer, missing[peer]),
            ]
            continue
        label = found[peer].label
        medians = latency["median_ms"]
        cpu = latency["cpu_ms_per_retrieve"]
        added = Rounds.of(
            [one["ours"] for one in latency["added_ms_per_round"]],
            [one[peer] for one in latency["added_ms_per_round"]],
        )
        ours_added, peer_added = added.median_pair
        figures.append(
            Figure(
                key=latency_key,
                title=latency_title,
                unit="ms",
                value=ours_added,
                baseline_title=f"{_PEER_TITLES[peer]} ({label}), same server, added latency",
                baseline=peer_added,
                target=_LESS,
                note=(
                    f"{added.verdict(_LESS)}; over all rounds, median per retrieve: direct "
                    f"{medians['direct']:.2f} ms, ours {medians['ours']:.2f} ms, {peer} "
                    f"{medians[peer]:.2f} ms; {latency['calls']} sequential retrieves each, "
                    f"alternating blocks; CPU per retrieve: ours {cpu['ours']:.2f} ms, {peer} "
                    f"{cpu[peer]:.2f} ms"
                ),
                details={**latency, "peer": label, "rounds": added.details(_LESS)},
            )
        )
        runs = download["runs_mb_per_s"]
        rate = Rounds.of(runs["ours"], runs[peer])
        ours_rate, peer_rate = rate.median_pair
        figures.append(
            Figure(
                key=download_key,
                title=download_title,
                unit="MB/s",
                value=ours_rate,
                baseline_title=f"{_PEER_TITLES[peer]} ({label}), same server",
                baseline=peer_rate,
                target=_FASTER,
                note=f"{rate.verdict(_FASTER)}; direct {statistics.median(runs['direct']):,.0f} "
                "MB/s (median); ours also spools the body to disk and decodes it"
                + _mangled(peer, download),
                details={**download, "peer": label, "rounds": rate.details(_FASTER)},
            )
        )
    return figures


# --- the audit's fuzzing phase against `schemathesis run` ----------------------------------


def _audit_fuzzing_seconds(
    mock: ServedApp, profile: str, seed: int, folder: Path, cache: Path
) -> dict[str, Any]:
    """Run the audit on `mock`; the seconds between its "fuzzing with schemathesis" and
    "fuzzing done" lines (the fuzzing phase: relay, schemathesis, translation)."""
    command = [sys.executable, "-m", "videos_contract", "audit"]
    command += ["--profile", profile, "--seed", str(seed), "--report-dir", str(folder / "reports")]
    env = {**os.environ, URL_ENV: mock.url, KEY_ENV: DEFAULT_KEY, "PYTHONUNBUFFERED": "1"}
    from videos_contract.audit.fuzz import CACHE_ENV

    env = {**_without_storage(env), CACHE_ENV: str(cache)}
    started = time.perf_counter()
    marks: dict[str, float] = {}
    tail: list[str] = []
    with subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in _lines(process.stdout):
            now = time.perf_counter()
            if "fuzzing with schemathesis" in line:
                marks["start"] = now
            elif "fuzzing done" in line:
                marks["end"] = now
            tail = [*tail, line][-20:]
        exit_code = process.wait()
    total = time.perf_counter() - started
    if "start" not in marks or "end" not in marks or exit_code not in (0, 1):
        raise BenchProcessError(
            f"the audit did not fuzz (exit {exit_code}): {''.join(tail)[-800:]}"
        )
    return {
        "seconds": marks["end"] - marks["start"],
        "audit_seconds": total,
        "exit_code": exit_code,
    }


def _lines(stream: IO[str]) -> Iterator[str]:
    yield from iter(stream.readline, "")


def _without_storage(env: dict[str, str]) -> dict[str, str]:
    from videos_contract.audit.fuzz import HYPOTHESIS_STORAGE_ENV

    return {name: value for name, value in env.items() if name != HYPOTHESIS_STORAGE_ENV}


def _schemathesis_seconds(command: list[str], folder: Path, cache: Path) -> dict[str, Any]:
    """`schemathesis run` in the fresh `folder`, with Hypothesis' storage where the audit's
    fuzzer keeps it (`cache`/hypothesis): both sides then read the same Unicode tables and
    start without failures kept from an earlier run."""
    from videos_contract.audit.fuzz import HYPOTHESIS_STORAGE_ENV

    env = {**_without_storage(dict(os.environ)), HYPOTHESIS_STORAGE_ENV: str(cache / "hypothesis")}
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    # 0: no failure found, 1: failures found; either is a complete run.
    if proc.returncode not in (0, 1):
        raise BenchProcessError(f"schemathesis exited {proc.returncode}: {proc.stdout[-800:]}")
    return {"seconds": seconds, "exit_code": proc.returncode}


def measure_fuzz_peer(sizes: Sizes) -> list[Figure]:
    """The audit's fuzzing phase and `schemathesis run` with the same settings, same mock."""
    # The audit's own settings, so that both run the same phases, checks, seed and cases.
    from videos_contract.audit.fuzz import EXCLUDED_CHECKS
    from videos_contract.audit.profiles import PROFILES

    profile = PROFILES[sizes.audit_profile]
    tool = schemathesis()
    seed = 0
    with (
        served("mock", {"render_seconds": 0.2, "seed": seed}) as mock,
        tempfile.TemporaryDirectory(prefix="bench-fuzz-") as tmp,
    ):
        folder = Path(tmp)
        command = [str(tool.executable), "run", str(SPEC), "--url", mock.url]
        command += ["--header", f"Authorization: Bearer {DEFAULT_KEY}"]
        command += [
            "--phases",
            ",".join(profile.phases),
            "--max-examples",
            str(profile.max_examples),
        ]
        command += [
            "--seed",
            str(seed),
            "--checks",
            "all",
            "--exclude-checks",
            ",".join(EXCLUDED_CHECKS),
        ]
        command += ["--workers", "1", "--generation-database", "none", "--no-color"]
        audits: list[dict[str, Any]] = []
        plains: list[dict[str, Any]] = []
        # Hypothesis computes its Unicode tables on a first run (2-3 s of CPU) and keeps them:
        # a run of schemathesis that is not counted fills the folder both sides then read, as
        # it is filled for any user after their first run.
        cache = folder / "cache"
        warm = folder / "warm-up"
        warm.mkdir()
        _schemathesis_seconds(command, warm, cache)
        # Whole audits take most of a minute: three rounds at most, who goes first alternating.
        for index in range(min(_FUZZ_ROUNDS, sizes.rounds)):
            for which in ("audit", "schemathesis")[:: 1 if index % 2 == 0 else -1]:
                place = folder / f"{which}-{index}"
                place.mkdir()
                if which == "audit":
                    audits.append(_audit_fuzzing_seconds(mock, profile.name, seed, place, cache))
                else:
                    plains.append(_schemathesis_seconds(command, place, cache))
    fuzz = Rounds.of([run["seconds"] for run in audits], [run["seconds"] for run in plains])
    target = Target(1.2, at_least=False)
    audit_seconds, plain_seconds = fuzz.median_pair
    whole = statistics.median(run["audit_seconds"] for run in audits)
    return [
        Figure(
            key="peer_fuzz",
            title=f"The audit's fuzzing phase (`--profile {profile.name}`) against "
            "`schemathesis run`",
            unit="s",
            value=audit_seconds,
            baseline_title=f"`schemathesis run` ({tool.label}): same phases, checks, seed, "
            "cases, same mock",
            baseline=plain_seconds,
            target=target,
            note=(
                f"{fuzz.verdict(target)}; phases {','.join(profile.phases)}, "
                f"{profile.max_examples} cases per operation, seed {seed}; the audit also relays "
                "every exchange, keeps schemathesis' NDJSON events and re-checks "
                f"failures; whole audit {whole:.1f} s (median)"
            ),
            details={
                "audit": audits,
                "schemathesis": plains,
                "rounds": fuzz.details(target),
                "command": command[1:],
                "peer": tool.label,
            },
        )
    ]
