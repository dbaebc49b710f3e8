"""Behaviour the schema cannot express, one named check per claim, registered in one place.

Every check has the same signature, `check(ctx) -> None`: it passes by returning and reports a
violation by `ctx.fail(...)`. Only the user's settings may leave it without a verdict
(`ctx.skip(...)`, or `ctx.left_out` for the parts a budget stopped); an optional capability
the server does not offer is `ctx.not_offered(...)`. Whatever the server does to stop a check
is a failure with its evidence. Expected values (sizes, seconds, variants, statuses, limits)
are read from the spec, never written here.

The checks, grouped by what they check: `refusals` (keys, unknown ids, invalid and near-miss
creates, the error object), `jobs` (a created job's way to its terminal status), `content`
(the MP4, the image variants, byte ranges), `remix`, `sweep` (each model's lengths and
sizes), `history` (times and progress over the run, the list, deletion). What they share:
`registry`, `_fixtures` (what a create sends: the prompt, real PNGs), `_media` (downloads and
what an asset must be) and `plan` (the sweep's models and cells).
"""

from videos_contract.audit.checks import content, history, jobs, refusals, remix, sweep
from videos_contract.audit.checks.plan import ALL_MODELS
from videos_contract.audit.checks.registry import CHECKS, BehaviourCheck, arrange, check

# `CHECKS` in the order the checks run: later checks reuse the jobs earlier ones created
# (the list walk expects all of them), and the check that deletes a job runs last.
arrange(refusals, jobs, content, remix, sweep, history)

__all__ = ["ALL_MODELS", "CHECKS", "BehaviourCheck", "check"]
