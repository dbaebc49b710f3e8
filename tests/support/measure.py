"""Measure the figures of docs/reliability.md: `python -m tests.support.measure`.

Starts the mock as users do (`videos-contract mock`, in subprocesses on loopback), drives it
as the hardening tests do, and prints each figure as a Markdown table row: counts, times and
the resident memory of the server processes. Not a test: it asserts nothing and takes about a
minute.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from aihubmix_videos.models.video_model import check_video_model

from tests.support.hardening import KEY, start_cli_mock, wait_until_serving
from videos_contract.client import (
    ApiError,
    DownloadError,
    OutcomeUnknownError,
    RetryPolicy,
    WaitTimeoutError,
    connect,
    create,
    download,
    wait,
)
from videos_contract.families import families
from videos_contract.mock.sqlite_store import SqliteJobStore

MODEL = check_video_model(families().default_family.models[0])


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its children, in MiB."""
    total = 0
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                pids.append(int(entry.name))
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


async def creates(url: str, count: int) -> tuple[list[httpx.Response], float]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits) as c:
        started = time.monotonic()
        answers = await asyncio.gather(
            *(
                c.post("/v1/videos", json={"model": MODEL, "prompt": f"Fox {n}."})
                for n in range(count)
            )
        )
        return list(answers), time.monotonic() - started


def listed(url: str) -> list[str]:
    ids: list[str] = []
    after = None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        while True:
            params: dict[str, str | int] = {"limit": 100, "order": "asc"}
            if after:
                params["after"] = after
            body = client.get("/v1/videos", params=params).json()
            ids += [video["id"] for video in body["data"]]
            if not body["has_more"]:
                return ids
            after = body["last_id"]


def row(*cells: object) -> None:
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def concurrency(folder: Path) -> None:
    print("\n### 200 concurrent creates\n")
    row("server", "accepted", "other statuses", "listed once", "missing", "time", "server RSS")
    row(*["---"] * 7)
    for label, args in [
        ("one process, memory", ()),
        ("2 workers, one SQLite store", ("--store", str(folder / "c.db"), "--workers", "2")),
    ]:
        mock = start_cli_mock(*args, "--render-seconds", "60")
        try:
            wait_until_serving(mock.url)
            answers, took = asyncio.run(creates(mock.url, 200))
            statuses = Counter(a.status_code for a in answers)
            accepted = [a.json()["id"] for a in answers if a.status_code == 200]
            ids = Counter(listed(mock.url))
            once = sum(1 for i in accepted if ids[i] == 1)
            rss = rss_mib(mock.process.pid)
        finally:
            mock.stop()
        others = {s: n for s, n in statuses.items() if s != 200} or "none"
        row(
            label,
            statuses[200],
            others,
            once,
            len(set(accepted) - set(ids)),
            f"{took:.2f} s",
            f"{rss:.0f} MiB",
        )


def crash(folder: Path) -> None:
    print("\n### kill -9, then restart on the same store\n")
    row("server", "jobs accepted", "retrievable after restart", "restart to serving", "RSS")
    row(*["---"] * 5)
    for workers in ("1", "2"):
        store = folder / f"k{workers}.db"
        args = ("--store", str(store), "--workers", workers, "--render-seconds", "0.5")
        mock = start_cli_mock(*args)
        wait_until_serving(mock.url)
        accepted: list[str] = []
        for _ in range(5):
            answers, _ = asyncio.run(creates(mock.url, 100))
            accepted += [a.json()["id"] for a in answers if a.status_code == 200]
        rss = rss_mib(mock.process.pid)
        mock.kill_all()
        started = time.monotonic()
        again = start_cli_mock(*args)
        wait_until_serving(again.url)
        ready = time.monotonic() - started
        with again.client() as client:
            found = sum(client.get(f"/v1/videos/{i}").status_code == 200 for i in accepted)
        again.stop()
        row(f"--workers {workers}", len(accepted), found, f"{ready:.2f} s", f"{rss:.0f} MiB")


def _raw(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=60)


def hostile() -> None:
    print("\n### Hostile input (one process, default limits, --body-timeout 2)\n")
    row("input", "answer", "time to answer", "others served", "server RSS after")
    row(*["---"] * 5)
    mock = start_cli_mock("--body-timeout", "2", "--render-seconds", "0.2")
    wait_until_serving(mock.url)
    auth = {"Authorization": f"Bearer {KEY}"}

    def others() -> str:
        with httpx.Client(base_url=mock.url, headers=auth, timeout=30) as client:
            ok = (
                client.post("/v1/videos", json={"model": MODEL, "prompt": "A fox."}).status_code
                == 200
            )
        return "yes" if ok else "NO"

    def attempt(label: str, send: object) -> None:
        started = time.monotonic()
        try:
            answer = send()  # type: ignore[operator]
        except httpx.TransportError as exc:
            answer = f"connection closed ({type(exc).__name__})"
        took = time.monotonic() - started
        row(label, answer, f"{took:.2f} s", others(), f"{rss_mib(mock.process.pid):.0f} MiB")

    part = '--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n'
    many = (part * 10_000 + "--b--\r\n").encode()
    with httpx.Client(base_url=mock.url, headers=auth, timeout=60) as client:

        def status(response: httpx.Response) -> str:
            code = response.status_code
            try:
                return f"{code} {response.json()['error']['code']}"
            except (ValueError, KeyError, TypeError):
                return f"{code} {response.text[:30]!r}"

        attempt(
            "multipart body of 10,000 parts",
            lambda: status(
                client.post(
                    "/v1/videos",
                    content=many,
                    headers={"Content-Type": "multipart/form-data; boundary=b"},
                )
            ),
        )
        attempt(
            "one 1 MiB header",
            lambda: status(client.get("/v1/videos", headers={"X-Pad": "a" * 2**20})),
        )
        deep = "[" * 10_000 + "]" * 10_000
        attempt(
            "JSON nested 10,000 deep",
            lambda: status(
                client.post(
                    "/v1/videos", content=deep, headers={"Content-Type": "application/json"}
                )
            ),
        )
        attempt(
            "invalid UTF-8 prompt",
            lambda: status(
                client.post(
                    "/v1/videos",
                    content=b'{"prompt": "\xff\xfe"}',
                    headers={"Content-Type": "application/json"},
                )
            ),
        )

    def stalled() -> str:
        body = json.dumps({"model": MODEL, "prompt": "A fox."}).encode()
        with _raw(mock.url) as sock:
            sock.sendall(
                b"POST /v1/videos HTTP/1.1\r\nHost: m\r\n"
                + f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n".encode()
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:5]
            )
            during = others()
            answer = sock.recv(65536)
        return f"{answer.split(b' ')[1].decode()} (others served during the stall: {during})"

    attempt("upload stalled halfway", stalled)
    mock.stop()


def faults() -> None:
    print("\n### Client helpers under faults (seeded; deadline 4 s each)\n")
    row(
        "mode",
        "creates sent / seen by server",
        "create outcomes",
        "wait outcomes (longest)",
        "download outcomes (longest)",
    )
    row(*["---"] * 5)
    modes = {
        "500/503 at 50 %": ("--fault-rate", "0.5"),
        "429 (2 requests/s)": ("--rate-limit", "2"),
        "cut mid-body at 50 %": ("--drop-rate", "0.5"),
        "1 s late at 40 % (timeout 0.5 s)": ("--slow-rate", "0.4", "--slow-seconds", "1"),
    }
    for label, args in modes.items():
        with tempfile.TemporaryDirectory() as folder:
            store = str(Path(folder) / "f.db")
            clean = start_cli_mock("--store", store, "--render-seconds", "0.2")
            faulty = start_cli_mock(
                "--store", store, "--render-seconds", "0.2", "--seed", "5", *args
            )
            wait_until_serving(clean.url)
            wait_until_serving(faulty.url)
            policy = RetryPolicy(base_delay=0.05, max_delay=0.3, rng=random.Random(3))
            timeout = httpx.Timeout(0.5, connect=5.0)
            client = connect(faulty.url, KEY, policy=policy, timeout=timeout)
            clean_client = connect(clean.url, KEY)
            created: Counter[str] = Counter()
            for n in range(20):
                try:
                    create(client, model=MODEL, prompt=f"A fox {n}.")
                    created["ok"] += 1
                except (ApiError, OutcomeUnknownError) as exc:
                    created[type(exc).__name__] += 1
            faulty.stop()
            # Creates that reached the server: the jobs it made (answered 200, cut off or held
            # back past the client's timeout) plus those it refused with an error status.
            refused = sum(
                1
                for line in faulty.output
                if '"POST /v1/videos HTTP' in line and '" 200' not in line
            )
            jobs = SqliteJobStore(store)
            seen = len(jobs) + refused
            jobs.close()
            faulty = start_cli_mock(
                "--store", store, "--render-seconds", "0.2", "--seed", "6", *args
            )
            wait_until_serving(faulty.url)
            client = connect(faulty.url, KEY, policy=policy, timeout=timeout)
            waited: Counter[str] = Counter()
            fetched: Counter[str] = Counter()
            longest_wait = longest_download = 0.0
            for n in range(10):
                job = create(clean_client, model=MODEL, prompt=f"A clean fox {n}.").id
                started = time.monotonic()
                try:
                    wait(client, job, timeout=4, interval=0.1)
                    waited["completed"] += 1
                except (WaitTimeoutError, ApiError) as exc:
                    waited[type(exc).__name__] += 1
                longest_wait = max(longest_wait, time.monotonic() - started)
                wait(clean_client, job, timeout=30)
                started = time.monotonic()
                try:
                    result = download(client, job, Path(folder) / "clip.mp4", timeout=4)
                    fetched["complete"] += 1
                    fetched["resumes"] += result.resumes
                except (DownloadError, ApiError) as exc:
                    fetched[type(exc).__name__] += 1
                longest_download = max(longest_download, time.monotonic() - started)
            faulty.stop()
            clean.stop()
        row(
            label,
            f"20 / {seen}",
            dict(created),
            f"{dict(waited)} ({longest_wait:.2f} s)",
            f"{dict(fetched)} ({longest_download:.2f} s)",
        )


def shutdown(folder: Path) -> None:
    print("\n### SIGTERM with a request in flight\n")
    mock = start_cli_mock(
        "--store", str(folder / "s.db"), "--slow-rate", "1", "--slow-seconds", "2"
    )
    wait_until_serving(mock.url)
    time.sleep(2.5)  # let the probe's own slow answer finish
    body = json.dumps({"model": MODEL, "prompt": "A fox."}).encode()
    with _raw(mock.url) as sock:
        sock.sendall(
            b"POST /v1/videos HTTP/1.1\r\nHost: m\r\n"
            + f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        time.sleep(0.5)  # the answer is now being held back for 2 s
        started = time.monotonic()
        mock.process.send_signal(signal.SIGTERM)
        answer = sock.recv(65536)
        answered = time.monotonic() - started
    code = mock.process.wait(timeout=30)
    exited = time.monotonic() - started
    mock.close()
    print(
        f"In-flight answer after SIGTERM: {answer.split(b' ')[1].decode()} after {answered:.2f} s;"
        f" exit status {code} after {exited:.2f} s."
    )


def main() -> None:
    """All sections, or those named on the command line."""
    wanted = set(sys.argv[1:]) or {"concurrency", "crash", "hostile", "faults", "shutdown"}
    print(f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        if "concurrency" in wanted:
            concurrency(Path(folder))
        if "crash" in wanted:
            crash(Path(folder))
        if "hostile" in wanted:
            hostile()
        if "faults" in wanted:
            faults()
        if "shutdown" in wanted:
            shutdown(Path(folder))


if __name__ == "__main__":
    main()
