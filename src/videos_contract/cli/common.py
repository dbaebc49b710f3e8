"""What every command shares: the error type that becomes one readable line."""

from __future__ import annotations

__all__ = ["CliError"]


class CliError(Exception):
    """A failure the user can act on; printed as one line, exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
