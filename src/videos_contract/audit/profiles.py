"""How thorough an audit is: `quick` for tests and pre-commit, `standard` for CI, `deep` nightly."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROFILES", "Profile"]


@dataclass(frozen=True)
class Profile:
    """Fuzzer settings of one profile, and the behaviour checks it leaves out (if any)."""

    name: str
    description: str
    phases: tuple[str, ...]
    max_examples: int
    max_time: int | None = None
    # Behaviour checks this profile leaves out; each is reported "not run" with the profile.
    leaves_out: tuple[str, ...] = ()


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "quick",
            "behaviour checks (without the parameter sweep) and the spec's examples, in seconds",
            ("examples",),
            max_examples=5,
            leaves_out=("parameters_are_honoured",),
        ),
        Profile(
            "standard",
            "adds boundary coverage, random fuzzing and stateful links; for CI, under a minute",
            ("examples", "coverage", "fuzzing", "stateful"),
            max_examples=25,
        ),
        Profile(
            "deep",
            "many more cases, fuzzing repeated for ten minutes; nightly",
            ("examples", "coverage", "fuzzing", "stateful"),
            max_examples=300,
            max_time=600,
        ),
    )
}
