"""Classify every change between two versions of the spec for the users of the generated client.

Each change gets one of three levels, which `make regen` turns into a semver bump:

* `breaking` (major): code written against the old client, or a server written against the
  old spec, can stop working.
* `additive` (minor): the interface grows or relaxes; existing code keeps working.
* `documentation` (patch): descriptions, examples and `x-` extensions; no interface change.

Direction decides most rules. What a client *sends* (parameters, request bodies) may widen
safely and must not narrow; what a client *receives* (responses) may narrow safely and must not
widen: a new response enum value breaks a client that matches every value, as the generated
client's `Literal` check functions do. Anything no rule names is reported as breaking, so an
unknown change can only over-bump, never slip through. The rule set is documented in
`docs/regeneration.md`; each rule has an id (`Change.rule`) that tests and reports use.

The modules: `changes` (what a diff reports: `Change`, `Level`, `Direction`), `rules` (every
rule id and the keywords the rules handle), `normal` (one spelling of a schema and of a whole
document), `schemas` (the rules for schemas: `Differ`), `operations` (the rules for
operations, webhooks and components) and `diff` (`diff_specs`).
"""

from videos_contract.release.specdiff.changes import Change, Direction, Level, highest_level
from videos_contract.release.specdiff.diff import SpecShapeError, diff_specs
from videos_contract.release.specdiff.rules import RULE_IDS

__all__ = [
    "RULE_IDS",
    "Change",
    "Direction",
    "Level",
    "SpecShapeError",
    "diff_specs",
    "highest_level",
]
