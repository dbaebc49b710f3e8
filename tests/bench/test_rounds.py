"""The rounds of a comparison: the median round counts, the spread and the rounds that met the
target are told (counting, not timing)."""

from __future__ import annotations

import pytest

from videos_contract.bench.results import Target
from videos_contract.bench.rounds import Rounds


def test_the_round_with_the_median_ratio_counts() -> None:
    rounds = Rounds.of([10.0, 30.0, 20.0], [10.0, 10.0, 40.0])  # ratios 1.0, 3.0, 0.5
    assert rounds.ratios == [1.0, 3.0, 0.5]
    assert rounds.median_pair == (10.0, 10.0)
    assert rounds.met(Target(1.0, at_least=True)) == 2
    assert rounds.met(Target(1.0, at_least=False)) == 2
    assert rounds.met(None) is None
    assert rounds.spread() == "median 1.00x of 3 rounds (0.50-3.00x)"
    assert rounds.verdict(Target(2.0, at_least=True)) == (
        "median 1.00x of 3 rounds (0.50-3.00x), target met in 1 of 3"
    )
    details = rounds.details(Target(1.0, at_least=True))
    assert details["rounds"] == 3 and details["rounds_met"] == 2
    assert details["median_ours"] == 20.0 and details["median_baseline"] == 10.0


def test_an_even_count_takes_the_lower_middle_and_one_round_says_so() -> None:
    assert Rounds.of([1.0, 4.0, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0]).median_pair == (2.0, 1.0)
    assert Rounds.of([3.0], [2.0]).spread() == "1.50x in one round"


def test_a_zero_baseline_and_no_rounds() -> None:
    rounds = Rounds.of([1.0, 2.0, 3.0], [0.0, 1.0, 1.0])
    assert rounds.ratios[0] == float("inf")
    assert rounds.median_pair == (3.0, 1.0)
    with pytest.raises(ValueError, match="at least one round"):
        Rounds.of([], [])
    with pytest.raises(ValueError):
        Rounds.of([1.0], [1.0, 2.0])
