"""`pattern` as JSON Schema means it: an ECMA-262 regular expression, run with Python's `re`.

The two dialects read the same text differently where it matters for validation: ECMA's `$`
matches only at the end of the text (Python's also before a final newline), its `\\d` and `\\w`
are ASCII (Python's are Unicode) and its `\\s` is a fixed set of spaces (Python's takes in
`\\x1c`-`\\x1f` and leaves out U+FEFF). `ecma_regex` rewrites those pieces so that Python
answers as jsonschema-rs does, which follows ECMA-262 there. `.` is left alone: both engines
let it match anything but `\\n` (ECMA-262 would also stop at `\\r`, U+2028 and U+2029; none of
the spec's patterns has an unescaped `.`). The rest of the syntax the spec's patterns use is
common to all three.
"""

from __future__ import annotations

import functools
import re

__all__ = ["ECMA_SPACE", "ecma_regex"]

# ECMA-262 WhiteSpace and LineTerminator code points: what `\s` matches there.
ECMA_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SPACE = re.escape(ECMA_SPACE)
# Outside a character class.
_OUTSIDE = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[A-Za-z0-9_]",
    "W": "[^A-Za-z0-9_]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
}
# Inside a character class (the negated forms have no equivalent there and are kept).
_INSIDE = {"d": "0-9", "w": "A-Za-z0-9_", "s": _SPACE}


def _translate(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(escaped, char + escaped))
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            # A `]` or `^]` right after the opening bracket is a literal in both dialects.
            if pattern.startswith("^", index + 1):
                out.append("^")
                index += 1
            if pattern.startswith("]", index + 1):
                out.append("\\]")
                index += 1
        elif char == "$":
            out.append(r"\Z")
        else:
            out.append(char)
        index += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled so that `search` answers as ECMA-262 (without flags) does."""
    return re.compile(_translate(pattern))
