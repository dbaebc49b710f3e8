"""Make text from a server safe to print on a terminal: every control character made visible.

A server under audit, or a gateway the client talks to, chooses the strings we print: a
video's `prompt` or `model`, an error's `code`, `message` and `param`, an id. Printed raw, an
escape sequence in one of them retitles the terminal (`ESC ] 0 ; ... BEL`), clears the screen
(`ESC [ 2 J`), moves the cursor to overwrite earlier lines, or hides text behind a right-to-left
override. Every string the CLI and the audit console print that a server provided goes through
`printable`, the one sanitiser, which writes each such character as a visible escape
(`\\x1b`, `\\x9b`, `\\u202e`). Ordinary text, including non-Latin scripts and emoji, is kept.

Characters made visible: the C0 controls (U+0000-U+001F), DEL and the C1 controls
(U+007F-U+009F), Unicode format characters (category Cf: bidirectional overrides and isolates,
zero-width characters), and the line and paragraph separators (Zl, Zp). A line feed is kept
only when the caller asks for it (`keep_newlines`, for text we laid out on several lines).
"""

from __future__ import annotations

import unicodedata

__all__ = ["printable"]

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """`text` (made a string with `str`) with every control or format character escaped."""
    value = text if isinstance(text, str) else str(text)
    if value.isprintable():
        return value  # the common case: no control, format or separator character
    out: list[str] = []
    for char in value:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES:
            out.append(_visible(char))
        else:
            out.append(char)
    return "".join(out)
