"""Releases of the generated client: generation, the breaking-change diff, the release gate
and versioned regeneration.

`videos_contract.release.generation` (run as `python -m videos_contract.release.generation`)
and `videos_contract.release.regen` are imported on their own: they pull in the generator
machinery that the diff and the gate do not need.
"""

from videos_contract.release.gate import ReleaseError, bump, release_problems
from videos_contract.release.specdiff import Change, Direction, Level, diff_specs, highest_level

__all__ = [
    "Change",
    "Direction",
    "Level",
    "ReleaseError",
    "bump",
    "diff_specs",
    "highest_level",
    "release_problems",
]
