"""How thorough an audit is: `quick` for tests and pre-commit, `standard` for CI, `deep` nightly."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL_MODELS", "PROFILES", "REMOTE_MAX_CREATES", "Profile"]

# Models given as `--model all` (or `models = "all"` in the settings file) stand for every
# model the spec lists.
ALL_MODELS = "all"


# Billed jobs an audit of a non-loopback server may have accepted, unless told otherwise.
REMOTE_MAX_CREATES = 5


@dataclass(frozen=True)
class Profile:
    """Fuzzer settings of one profile, and the behaviour checks it leaves out (if any).

    `deadline` bounds the whole audit and `check_deadline` each behaviour check (seconds;
    `--deadline` changes the first): a server that trickles or never answers ends the audit
    on time, with reports of what ran (see `deadline`).
    """

    name: str
    description: str
    phases: tuple[str, ...]
    max_examples: int
    max_time: int | None = None
    # Behaviour checks this profile leaves out; each is reported "not run" with the profile.
    leaves_out: tuple[str, ...] = ()
    # A check may wait for a render (the engine polls up to 600 s): a minute more than that.
    deadline: float = 1800.0
    check_deadline: float = 660.0


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "quick",
            "behaviour checks (without the parameter sweep) and the spec's examples, in seconds",
            ("examples",),
            max_examples=5,
            leaves_out=("parameters_are_honoured",),
            deadline=1200.0,
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
            deadline=3600.0,
        ),
    )
}
