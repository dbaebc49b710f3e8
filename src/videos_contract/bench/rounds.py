"""A comparison repeated in rounds: each round measures both sides one after the other, so
that each round's ratio is taken on the machine as it was for a few seconds; the round whose
ratio is the median counts, and the spread of the others says how far one round can be
trusted.

On a machine shared with other work, one pair of runs can land on either side of a target by
chance; the median of an odd number of rounds, with the count of rounds that met the target,
tells a verdict the noise cannot flip from one that it can.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from videos_contract.bench.results import Target

__all__ = ["Rounds"]


@dataclass(frozen=True)
class Rounds:
    """Pairs of (ours, baseline) figures, one pair per round, in the order measured."""

    pairs: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.pairs:
            raise ValueError("a comparison needs at least one round")

    @classmethod
    def of(cls, ours: list[float], theirs: list[float]) -> Rounds:
        """The rounds of two lists measured side by side (the same length)."""
        return cls(tuple(zip(ours, theirs, strict=True)))

    @property
    def ratios(self) -> list[float]:
        """Each round's ratio, ours over the baseline (infinite when the baseline is 0)."""
        return [ours / theirs if theirs else float("inf") for ours, theirs in self.pairs]

    @property
    def median_pair(self) -> tuple[float, float]:
        """The pair of the round whose ratio is the median (the lower middle of an even
        count): value and baseline of the same round, whose ratio is the median ratio."""
        ratios = self.ratios
        order = sorted(range(len(ratios)), key=ratios.__getitem__)
        return self.pairs[order[(len(order) - 1) // 2]]

    def met(self, target: Target | None) -> int | None:
        """In how many rounds the ratio met `target` (None without a target)."""
        if target is None:
            return None
        return sum(1 for ratio in self.ratios if target.met(ratio))

    def spread(self) -> str:
        """`median 0.83x of 5 rounds (0.71-0.95x)`, for a figure's note."""
        ratios = self.ratios
        value, baseline = self.median_pair
        middle = value / baseline if baseline else float("inf")
        if len(ratios) == 1:
            return f"{middle:.2f}x in one round"
        return (
            f"median {middle:.2f}x of {len(ratios)} rounds ({min(ratios):.2f}-{max(ratios):.2f}x)"
        )

    def verdict(self, target: Target | None) -> str:
        """The spread and, with a target, in how many rounds it was met."""
        met = self.met(target)
        text = self.spread()
        return text if met is None else f"{text}, target met in {met} of {len(self.pairs)}"

    def details(self, target: Target | None = None) -> dict[str, Any]:
        """The raw rounds for `bench/results.json`."""
        ours = [pair[0] for pair in self.pairs]
        theirs = [pair[1] for pair in self.pairs]
        return {
            "rounds": len(self.pairs),
            "ours": ours,
            "baseline": theirs,
            "ratios": self.ratios,
            "median_ours": statistics.median(ours),
            "median_baseline": statistics.median(theirs),
            "rounds_met": self.met(target),
        }
