"""Docs tools: the docs-page drift check, the breaking-change diff and the client's releases."""

from videos_contract.docs.specdiff import Change, Direction, Level, diff_specs, highest_level

__all__ = ["Change", "Direction", "Level", "diff_specs", "highest_level"]
