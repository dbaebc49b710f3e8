"""Blank secrets out of any text on its way to a file or a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["MASK", "Redactor"]

MASK = "***"


class Redactor:
    """Callable that replaces each non-empty secret by `MASK`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def file(self, path: Path) -> None:
        """Redact a text file in place (the fuzzer's artefacts)."""
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            return
        cleaned = self(text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
