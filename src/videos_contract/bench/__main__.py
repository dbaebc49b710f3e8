"""`python -m videos_contract.bench [--smoke] [--only NAME ...]` (what `make bench` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from videos_contract.extras import missing, needs
from videos_contract.paths import PROJECT_ROOT

__all__ = ["main"]

BENCH_DIR = PROJECT_ROOT / "bench"
FINDINGS = BENCH_DIR / "findings.md"
PROG = "python -m videos_contract.bench"
# The benchmarks run the mock, the audit and the proxy: their extras, checked before any of
# their modules is imported, so that a missing one is one line, never a traceback.
EXTRAS = ("audit", "proxy")


def missing_extra() -> str | None:
    """The sentence naming the first extra the benchmarks need that is not installed."""
    for extra in EXTRAS:
        absent = missing(extra)
        if absent:
            return needs(extra, absent)
    return None


def main(argv: list[str] | None = None) -> int:
    sentence = missing_extra()
    if sentence is not None:
        print(f"{PROG}: error: {sentence}", file=sys.stderr)
        return 2
    from videos_contract.bench import run as runner
    from videos_contract.bench.report import write_markdown
    from videos_contract.bench.results import (
        append_history,
        previous_run,
        read_results,
        write_results,
    )
    from videos_contract.bench.sizes import FULL, SMOKE

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Benchmarks of the mock, the client, transfers, the audit and generation.",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, to prove the code works; writes under bench/tmp/ by default",
    )
    parser.add_argument("--only", action="append", choices=list(runner.BENCHMARKS), default=[])
    parser.add_argument(
        "--render",
        action="store_true",
        help="measure nothing: rewrite the Markdown page from the results file (after editing "
        "bench/findings.md)",
    )
    parser.add_argument("--results", type=Path, help="JSON output (default bench/results.json)")
    parser.add_argument("--doc", type=Path, help="Markdown output (default docs/benchmarks.md)")
    parser.add_argument(
        "--history",
        type=Path,
        help="the runs so far, one JSON line each, appended to (default: history.jsonl beside "
        "the results file, so bench/history.jsonl)",
    )
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    out = BENCH_DIR / "tmp" if args.smoke else None
    results = args.results or (out / "results.json" if out else BENCH_DIR / "results.json")
    doc = args.doc or (out / "benchmarks.md" if out else PROJECT_ROOT / "docs" / "benchmarks.md")

    history = args.history or results.parent / "history.jsonl"

    def progress(line: str) -> None:
        print(f"bench {line}", file=sys.stderr, flush=True)

    if args.render:
        machine, figures = read_results(results)
        write_markdown(doc, machine, figures, FINDINGS, previous_run(history, machine))
        print(f"wrote {doc} from {results}")
        return 0
    machine, figures = runner.run_benchmarks(sizes, args.only, progress)
    if args.only:
        machine["only"] = list(args.only)
    write_results(results, machine, figures)
    previous = previous_run(history, machine)
    append_history(history, machine, figures)
    write_markdown(doc, machine, figures, FINDINGS, previous)
    print(f"wrote {results}, {doc} and a line of {history}")
    missing = [figure.key for figure in figures if figure.status != "measured"]
    if missing:
        print(f"not measured: {', '.join(missing)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
