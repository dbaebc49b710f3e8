"""What a benchmark run produces: figures, each a ratio against a baseline of the same run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "Figure",
    "Target",
    "append_history",
    "not_measured",
    "previous_run",
    "read_results",
    "write_results",
]

Status = Literal["measured", "not measured"]


@dataclass(frozen=True)
class Target:
    """The ratio (or, with `on_value`, the value itself) must stay at least (`at_least`) or at
    most `limit`."""

    limit: float
    at_least: bool
    on_value: bool = False
    unit: str = ""

    def met(self, number: float) -> bool:
        return number >= self.limit if self.at_least else number <= self.limit

    @classmethod
    def parse(cls, text: str) -> Target:
        """The target back from its text form: `>= 0.6x` or `<= 60 s`."""
        sign, _, rest = text.partition(" ")
        number, _, unit = rest.partition(" ")
        if number.endswith("x") and not unit:
            return cls(float(number[:-1]), at_least=sign == ">=")
        return cls(float(number), at_least=sign == ">=", on_value=True, unit=unit)

    def __str__(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"{sign} {self.limit:g} {self.unit}" if self.on_value else f"{sign} {self.limit:g}x"


@dataclass(frozen=True)
class Figure:
    """One measured quantity, its same-run baseline, and their ratio (`value / baseline`).

    `details` keeps the raw numbers behind the ratio (counts, CPU seconds, statuses).
    """

    key: str
    title: str
    unit: str
    value: float | None
    baseline_title: str
    baseline: float | None
    target: Target | None = None
    status: Status = "measured"
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def target_met(self) -> bool | None:
        number = self.value if self.target and self.target.on_value else self.ratio
        if self.target is None or number is None:
            return None
        return self.target.met(number)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        """The figure back from `to_json` (its target parsed from its text form)."""
        fields = {
            name: data[name]
            for name in ("key", "title", "unit", "value", "baseline_title", "baseline")
        }
        return cls(
            **fields,
            target=Target.parse(data["target"]) if data.get("target") else None,
            status=data["status"],
            note=data.get("note", ""),
            details=data.get("details", {}),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = str(self.target) if self.target else None
        data["ratio"] = self.ratio
        data["target_met"] = self.target_met
        return data


def not_measured(key: str, title: str, unit: str, baseline_title: str, reason: str) -> Figure:
    """A figure that could not be taken in this run, and why."""
    return Figure(key, title, unit, None, baseline_title, None, status="not measured", note=reason)


def write_results(path: Path, machine: dict[str, Any], figures: list[Figure]) -> None:
    """`bench/results.json`: the machine, the date and every figure with its raw numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine, "figures": [figure.to_json() for figure in figures]}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def read_results(path: Path) -> tuple[dict[str, Any], list[Figure]]:
    """The machine and figures of a results file written by `write_results`."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return document["machine"], [Figure.from_json(item) for item in document["figures"]]


def _run_id(machine: dict[str, Any]) -> tuple[str, str, float]:
    return (str(machine.get("date")), str(machine.get("run")), float(machine.get("run_seconds", 0)))


def append_history(path: Path, machine: dict[str, Any], figures: list[Figure]) -> None:
    """Add one line to the history (`bench/history.jsonl`): the machine and each figure's
    key, numbers, target and verdict (not the details), so that runs can be compared."""
    kept = ("key", "unit", "value", "baseline", "ratio", "target", "target_met", "status")
    entry = {
        "machine": machine,
        "figures": [{name: figure.to_json()[name] for name in kept} for figure in figures],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as history:
        history.write(json.dumps(entry, separators=(",", ":")) + "\n")


def previous_run(
    path: Path, machine: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The last complete run in the history before the run of `machine` (of the same kind,
    full or smoke): its machine and its figures by key; None when there is none."""
    if not path.is_file():
        return None
    current = _run_id(machine)
    found: tuple[dict[str, Any], dict[str, dict[str, Any]]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            earlier = entry["machine"]
            figures = {str(item["key"]): item for item in entry["figures"]}
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by an interrupted run
        if _run_id(earlier) == current:
            break
        # Runs of some benchmarks only (`--only`) are kept, but compared with nothing.
        if earlier.get("run") == machine.get("run") and not earlier.get("only"):
            found = (earlier, figures)
    return found
