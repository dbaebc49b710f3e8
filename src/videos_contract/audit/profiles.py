"""How thorough an audit is: `quick` for tests and pre-commit, `standard` for CI, `deep` nightly."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROFILES", "Profile"]


@dataclass(frozen=True)
class Profile:
    """Fuzzer settings of one profile; every profile runs every behaviour check."""

    name: str
    description: str
    phases: tuple[str, ...]
    max_examples: int
    max_time: int | None = None


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "quick",
            "every behaviour check, and the spec's examples through every fuzzer check; seconds",
            ("examples",),
            max_examples=5,
        ),
        Profile(
            "standard",
            "adds random fuzzing of every operation; for CI, about a minute on the mock",
            ("examples", "coverage", "fuzzing", "stateful"),
            max_examples=25,
        ),
        Profile(
            "deep",
            "many more fuzzed cases and stateful sequences, repeated for ten minutes; nightly",
            ("examples", "coverage", "fuzzing", "stateful"),
            max_examples=300,
            max_time=600,
        ),
    )
}
