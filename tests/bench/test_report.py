"""The run, the results file and the Markdown page, with stand-in benchmarks (fast)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from videos_contract.bench import SMOKE, Figure, Sizes, Target
from videos_contract.bench import __main__ as bench_main
from videos_contract.bench import run as bench_run
from videos_contract.bench.procs import cpu_seconds, peak_rss_kib


def _fine(sizes: Sizes) -> list[Figure]:
    return [
        Figure("fine", "A fine figure", "req/s", 80.0, "a baseline", 100.0, Target(0.6, True)),
        Figure(
            "slow",
            "A slow figure",
            "s",
            75.0,
            "a floor",
            15.0,
            Target(60.0, False, on_value=True, unit="s"),
            note="a | pipe",
        ),
    ]


def _broken(sizes: Sizes) -> list[Figure]:
    raise RuntimeError("the server did not start\nsecond line")


def test_ratio_and_targets() -> None:
    fine, slow = _fine(SMOKE)
    assert fine.ratio == pytest.approx(0.8)
    assert fine.target_met is True
    assert slow.ratio == pytest.approx(5.0)
    assert slow.target_met is False  # the target applies to the value: 75 s > 60 s
    assert str(slow.target) == "<= 60 s"
    assert str(fine.target) == ">= 0.6x"


def test_main_writes_results_and_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        bench_run, "BENCHMARKS", {"fine": ("Fine", _fine), "broken": ("Broken", _broken)}
    )
    results, doc = tmp_path / "results.json", tmp_path / "benchmarks.md"
    findings = tmp_path / "findings.md"
    findings.write_text("## Findings\n\nHand-written.\n")
    monkeypatch.setattr(bench_main, "FINDINGS", findings)
    assert bench_main.main(["--smoke", "--results", str(results), "--doc", str(doc)]) == 0

    data = json.loads(results.read_text())
    assert data["machine"]["cpu_count"] >= 1
    assert data["machine"]["run"] == "smoke"
    keys = [figure["key"] for figure in data["figures"]]
    assert keys == ["fine", "slow", "broken"]
    broken = data["figures"][2]
    assert broken["status"] == "not measured"
    assert broken["note"] == "failed: RuntimeError: the server did not start"
    assert data["figures"][0]["ratio"] == pytest.approx(0.8)
    assert data["figures"][1]["target_met"] is False

    page = doc.read_text()
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 3  # header and one row per figure
    assert "| A fine figure | 80.0 req/s | 100 req/s: a baseline | 0.80x | >= 0.6x | yes |" in page
    assert "| **no** | a / pipe |" in page  # a pipe in a note cannot break the table
    assert "| Broken | not measured |" in page
    assert page.rstrip().endswith("Hand-written.")

    # --render rebuilds the same page from the results file alone, with the findings edited.
    findings.write_text("## Findings\n\nEdited.\n")
    assert bench_main.main(["--render", "--results", str(results), "--doc", str(doc)]) == 0
    assert doc.read_text() == page.replace("Hand-written.", "Edited.")


def test_unknown_benchmark_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown benchmark"):
        bench_run.run_benchmarks(SMOKE, ["nope"])


def test_process_readings() -> None:
    assert peak_rss_kib() > 1024
    assert cpu_seconds() > 0


def _spin(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_cpu_time_below_a_clock_tick_is_measured() -> None:
    """/proc/PID/stat counts in 10 ms ticks: 2 ms of work would often read as nothing, also
    in a process whose threads that ended used more than its live ones."""
    ended = threading.Thread(target=_spin, args=(0.05,))
    ended.start()
    ended.join()
    for _ in range(5):
        begun = cpu_seconds()
        _spin(0.002)
        assert 0.0015 < cpu_seconds() - begun < 1.0


def test_each_run_is_kept_and_compared_with_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    speed = {"value": 80.0}

    def changing(sizes: Sizes) -> list[Figure]:
        return [
            Figure("fine", "A fine figure", "req/s", speed["value"], "a baseline", 100.0),
            Figure(
                "slow", "A slow figure", "s", 75.0, "a floor", 15.0, Target(60.0, False, True, "s")
            ),
        ]

    monkeypatch.setattr(bench_run, "BENCHMARKS", {"changing": ("Changing", changing)})
    monkeypatch.setattr(bench_main, "FINDINGS", tmp_path / "none.md")
    results, doc = tmp_path / "results.json", tmp_path / "benchmarks.md"
    arguments = ["--smoke", "--results", str(results), "--doc", str(doc)]
    assert bench_main.main(arguments) == 0
    first = doc.read_text()
    assert "Previous run in `bench/history.jsonl`: none" in first
    assert "Previous run (change)" not in first

    speed["value"] = 40.0
    assert bench_main.main(arguments) == 0
    history = (tmp_path / "history.jsonl").read_text().splitlines()
    assert len(history) == 2
    assert [f["value"] for f in json.loads(history[1])["figures"]] == [40.0, 75.0]
    page = doc.read_text()
    # The ratio fell from 0.80x to 0.40x; the value-target figure is compared by its value.
    assert "| 0.40x | — | — |  | 0.80x (-50%) |" in page
    assert "| **no** |  | 75.0 s (+0%) |" in page

    # A run of some benchmarks only is recorded, but the next run still compares with the
    # last complete one.
    speed["value"] = 60.0
    assert bench_main.main([*arguments, "--only", "changing"]) == 0
    assert json.loads((tmp_path / "history.jsonl").read_text().splitlines()[2])["machine"][
        "only"
    ] == ["changing"]
    assert bench_main.main(arguments) == 0
    assert "| 0.60x | — | — |  | 0.40x (+50%) |" in doc.read_text()


def test_without_the_extras_it_needs_the_bench_says_which_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        bench_main, "missing", lambda extra: ("schemathesis",) if extra == "audit" else ()
    )
    assert bench_main.main(["--smoke"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "python -m videos_contract.bench: error: needs the 'audit' extra: "
        "pip install 'videos-contract[audit]' (not installed: schemathesis)\n"
    )
